import ArgumentParser
import CementCore
import Foundation

/// `cement init`: a small project for the user's own study.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Start a project for your own study: a report template, a codebook, an example clinical table and the steps.",
        discussion: """
            Writes into FOLDER (created): report.en.md or report.zh.md (the study's report, adapted: groups by the \
            distribution rate the engine measures, joins clinical.csv and the rate-batch results on case_id), \
            codebook.csv (a skeleton to extend), clinical.csv (six invented example rows), README.md (the steps \
            from CT folders to the report) and an empty ct/ for the series. Existing files are not overwritten \
            unless --force is given.

            Examples:
              cement init my-study
              cement init my-study-zh --language zh
            """
    )

    /// The report language of the template.
    enum Language: String, ExpressibleByArgument, CaseIterable {
        case en, zh
    }

    @Argument(help: "Project folder (created).", completion: .directory) var folder: String
    @Option(help: "Language of the report template: en or zh.") var language: Language = .en
    @Flag(help: "Overwrite files of an earlier `cement init`.") var force = false

    func run() throws {
        let source = try BundledFiles.path("templates/own-study")
        let template = "report.\(language.rawValue).md"
        var output = AtomicFolderOutput(folder: folder)
        var written: [String] = []
        for name in [template, "codebook.csv", "clinical.csv", "README.md"] {
            let target = (folder as NSString).appendingPathComponent(name)
            if !force, FileManager.default.fileExists(atPath: target) {
                throw CommandFailure(message: "\(target) exists; choose another folder or give --force to overwrite")
            }
            guard let data = FileManager.default.contents(atPath: (source as NSString).appendingPathComponent(name)) else {
                throw CommandFailure(message: "\(source)/\(name): cannot read the bundled file")
            }
            output.add(name, data)
            written.append(name)
        }
        try output.commit()
        try FileManager.default.createDirectory(atPath: (folder as NSString).appendingPathComponent("ct"), withIntermediateDirectories: true)
        Terminal.note("wrote \(written.joined(separator: ", ")) and ct/ into \(folder); next steps in \(folder)/README.md")
    }
}
