import ArgumentParser
import CementCore
import Figures
import Foundation
import Report
import StudyReport

/// `cement render`: a Markdown template with directives → a report.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a report template (Markdown with directives) to HTML and PDF.",
        discussion: """
            See report/README.md for the template syntax: YAML front matter (title, authors, language, data, \
            params), inline directives in code spans (`{param period}`), block directives as fenced blocks \
            (```{figure id=fig-dr caption="…"} … ```), cross-references @tbl-… and @fig-…. `data:` names one CSV or \
            several joined on a key column, one row per key in each: `data: {clinical: clinical.csv, ct: results.csv, \
            join: case_id}` (columns as ct.group, or group where only one table has it). Errors name \
            template:line:column and nothing is written; the outputs appear together or not at all. Includes, data, \
            codebook and CT series are read only from the template's folder tree (symlinks resolved) and folders given \
            by --allow-path. The PDF is typeset from the same document (A4, fonts embedded, \
            bookmarks for headings, figures as vector graphics). The outputs go next to the template unless --out \
            names a folder.

            --check records every value a directive prints with its source (NAME.check.json) and compares each \
            one that stands for a published number (front matter `published:`) with it, as `cement verify` does; a \
            mismatch fails the render (exit 1) naming template:line:column.

            Examples:
              cement render report/example.en.md --out report/out --param period=2026Q3 --allow-path data
              cement render report/example.en.md --out report/out --check --figures figures --allow-path data
            """
    )

    @Argument(help: "Template (.md).", completion: .file()) var template: String
    @Option(help: "Output folder (default: the template's folder).", completion: .directory) var out: String?
    @Option(help: "Output formats, comma-separated: html, pdf.") var format = "html,pdf"
    @Option(help: "Folder holding the data files the front matter names (default: relative to the template).",
            completion: .directory)
    var data: String?
    @Option(parsing: .singleValue, help: ArgumentHelp(
        "Also let the template read files below DIR (repeatable); by default only its own folder tree.", valueName: "DIR"))
    var allowPath: [String] = []
    @Option(parsing: .singleValue, help: "Override a front-matter parameter: --param NAME=VALUE (repeatable).")
    var param: [String] = []
    @Option(help: ArgumentHelp(
        "Also write every figure of the report into DIR, for a journal: ID.png (300 dpi, resolution recorded) and "
        + "ID.pdf (vector), named by the figure's id.", valueName: "DIR"), completion: .directory)
    var figures: String?
    @Flag(help: ArgumentHelp(
        "Check the printed numbers: write NAME.check.json (every value a directive prints, with its source and its "
        + "comparison with the published number it stands for) and fail (exit 1) where one does not print as published."))
    var check = false

    func validate() throws {
        for entry in param where !entry.contains("=") { throw ValidationError("--param takes NAME=VALUE, got '\(entry)'") }
        for name in format.split(separator: ",") where name != "html" && name != "pdf" {
            throw ValidationError("format '\(name)' is not available; use html and/or pdf")
        }
    }

    func run() throws {
        var overrides: [String: String] = [:]
        for entry in param {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            overrides[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        do {
            var loaded = try Template.load(template, overrides: overrides)
            loaded.dataFolder = data
            loaded.confine(allowing: allowPath)
            let registry = DirectiveRegistry.standard.adding(StudyDirectives())
            let document = try ReportRenderer(registry: registry, toolVersion: CementVersion.string)
                .document(loaded, comparingPublished: check)
            let name = ((template as NSString).lastPathComponent as NSString).deletingPathExtension
            let formats = Set(format.split(separator: ",").map(String.init))
            // Everything is rendered, then written together: an error (a full disk on the PDF, say) leaves no
            // HTML without its PDF.
            let folder = out ?? (template as NSString).deletingLastPathComponent
            var outputs = AtomicFolderOutput(folder: folder.isEmpty ? "." : folder)
            if check {
                let failures = document.selfCheck.failures
                guard failures.isEmpty else {
                    for failure in failures { Terminal.note("\(failure)") }
                    throw CommandFailure(message: "render check: \(failures.count) printed number(s) do not print as published; nothing written",
                                         code: ExitCode.checkFailed)
                }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                outputs.add(name + ".check.json", try encoder.encode(document.selfCheck))
                let tally = document.selfCheck.tally
                Terminal.note("render check: \(tally.values) printed values, \(tally.compared) stand for published numbers: "
                              + "\(tally.match) comparisons match, \(tally.unattainable) unattainable, 0 mismatches")
            }
            if formats.contains("html") {
                outputs.add(name + ".html", Data(HTMLRenderer.render(document).utf8))
            }
            if formats.contains("pdf") {
                outputs.add(name + ".pdf", try PDFTypesetter().render(document, author: loaded.authors.joined(separator: ", ")))
            }
            for supplement in document.supplements { outputs.add(name + "." + supplement.name, supplement.contents) }
            var figureFiles: AtomicFolderOutput?
            if let figures {
                var files = AtomicFolderOutput(folder: figures)
                for figure in document.blocks.figures {
                    guard let chart = figure.exportChart else { continue }
                    let id = figure.id ?? "figure-\(figure.number ?? 0)"
                    files.add(id + ".png", try FigureRenderer.render(chart, format: .png, dpi: 300))
                    files.add(id + ".pdf", try FigureRenderer.render(chart, format: .pdf))
                }
                figureFiles = files
            }
            for path in try outputs.commit() { Terminal.note("wrote \(path)") }
            if let paths = try figureFiles?.commit() { Terminal.note("wrote \(paths.count) figure files into \(figures!)") }
        } catch let error as ReportError {
            throw CommandFailure(message: error.description)
        }
    }
}
