import CFuzzDriver
import Foundation
import Report

/// One input as a report template (front matter, Markdown, directives) in an otherwise empty folder, confined to
/// it as `cement render` confines templates, rendered to HTML.
enum Input {
    static let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cement-fuzz-template-\(getpid())").path
    static let path: String = {
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder + "/t.md"
    }()
}

func fuzzTemplate(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    guard FileManager.default.createFile(atPath: Input.path, contents: Data(bytes: start, count: count)) else { return 0 }
    guard var template = try? Template.load(Input.path) else { return 0 }
    template.confine()
    if let document = try? ReportRenderer().document(template) { _ = HTMLRenderer.render(document) }
    return 0
}

var arguments = CommandLine.argc
var vector: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&arguments, &vector) { fuzzTemplate($0, $1) })
