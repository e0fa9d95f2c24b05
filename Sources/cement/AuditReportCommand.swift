import ArgumentParser
import AuditReport
import CementCore
import Foundation
import Report

/// `cement audit report`: the audit of a period as HTML and PDF.
struct AuditReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render the audit of a period (HTML and PDF) from the registry.",
        discussion: """
            The period is a quarter (2026-Q3), a month (2026-07) or a year (2026), or --from and --to (days, both \
            included); its boundaries are local midnights in --time-zone. The template (report/audit.en.md, \
            report/audit.zh.md, or your own: see report/README.md and the audit directives in \
            Sources/AuditReport) is rendered like `cement render`, with the registry as its data. The outputs \
            appear together or not at all.

            Examples:
              cement audit report --period 2026-Q4 --registry .cache/audit-demo/registry.sqlite --out .cache/audit-demo/out
              cement audit report --from 2026-01-01 --to 2026-06-30 --time-zone Asia/Shanghai \\
                --template report/audit.zh.md --registry .cache/audit-demo/registry.sqlite --out .cache/audit-demo/out
            """
    )

    @OptionGroup var audit: AuditOptions
    @Option(help: "Period: 2026-Q3, 2026-07 or 2026.") var period: String?
    @Option(help: "First day (YYYY-MM-DD), with --to.") var from: String?
    @Option(help: "Last day (YYYY-MM-DD), included, with --from.") var to: String?
    @Option(help: "The department's time zone (IANA name; default: the system's).") var timeZone: String?
    @Option(help: "Template (.md).", completion: .file()) var template = "report/audit.en.md"
    @Option(help: "Output folder.", completion: .directory) var out = "report/out"
    @Option(help: "Output formats, comma-separated: html, pdf.") var format = "html,pdf"

    func validate() throws {
        if period == nil && (from == nil || to == nil) { throw ValidationError("give --period, or --from and --to") }
        if period != nil && (from != nil || to != nil) { throw ValidationError("--period excludes --from and --to") }
        if let period, AuditPeriod(period) == nil {
            throw ValidationError("--period '\(period)' is not a quarter (2026-Q3), a month (2026-07) or a year (2026)")
        }
        if let from, let to, AuditPeriod(from: from, to: to) == nil {
            throw ValidationError("--from \(from) --to \(to) is not a span of days (YYYY-MM-DD, from not after to)")
        }
        for name in format.split(separator: ",") where name != "html" && name != "pdf" {
            throw ValidationError("format '\(name)' is not available; use html and/or pdf")
        }
        _ = try parseTimeZone(timeZone)
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: audit.registry) else {
            throw CommandFailure(message: "\(audit.registry): no such registry (cement audit ingest creates it)")
        }
        var overrides = ["time_zone": try parseTimeZone(timeZone).identifier]
        if let period { overrides["period"] = period }
        if let from, let to { (overrides["from"], overrides["to"]) = (from, to) }
        do {
            var loaded = try Template.load(template, overrides: overrides)
            let registry = URL(fileURLWithPath: audit.registry).standardizedFileURL.path
            loaded.extensions["registry"] = registry
            let measurements = URL(fileURLWithPath: audit.measurementsPath).standardizedFileURL.path
            loaded.extensions["measurements"] = measurements
            loaded.confine(allowing: [(registry as NSString).deletingLastPathComponent, measurements])
            let directives = DirectiveRegistry.standard.adding(AuditDirectives())
            let document = try ReportRenderer(registry: directives, toolVersion: CementVersion.string).document(loaded)
            let name = ((template as NSString).lastPathComponent as NSString).deletingPathExtension
            let formats = Set(format.split(separator: ",").map(String.init))
            var outputs = AtomicFolderOutput(folder: out)
            if formats.contains("html") { outputs.add(name + ".html", Data(HTMLRenderer.render(document).utf8)) }
            if formats.contains("pdf") {
                outputs.add(name + ".pdf", try PDFTypesetter().render(document, author: loaded.authors.joined(separator: ", ")))
            }
            for path in try outputs.commit() { Terminal.note("wrote \(path)") }
        } catch let error as ReportError {
            throw CommandFailure(message: error.description)
        }
    }
}
