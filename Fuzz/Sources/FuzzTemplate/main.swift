import Foundation
import Report

/// One input as a report template (front matter, Markdown, directives) in an otherwise empty folder, confined to
/// it as `cement render` confines templates, rendered to HTML.
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cement-fuzz-template-\(getpid())").path
let path = folder + "/t.md"
let ready: Void = { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTemplate(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    _ = ready
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes: start, count: count)) else { return 0 }
    guard var template = try? Template.load(path) else { return 0 }
    template.confine()
    if let document = try? ReportRenderer().document(template) { _ = HTMLRenderer.render(document) }
    return 0
}
