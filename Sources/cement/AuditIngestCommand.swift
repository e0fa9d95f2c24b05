import ArgumentParser
import Foundation
import Measurements
import RateEngine
import Registry

/// `cement audit ingest`: measures new series into the registry.
struct AuditIngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Measure the series not yet in the registry and record them, one transaction per series.",
        discussion: """
            INPUT is a folder whose subfolders are series, or a CSV manifest as for rate-batch (case_id, path) \
            with the optional columns operator, levels (T10–L5, ";" between levels in the engine's order) and \
            procedure_date (YYYY-MM-DD; else the series' StudyDate and StudyTime in --time-zone). A series is \
            recognised by the SHA-256 of its files' content: one already registered is skipped (--remeasure \
            measures again those registered by another engine version). A failed series is recorded with its \
            error and skipped until --retry-failed. An interrupted run resumes where it stopped. Progress on \
            stderr on a terminal; --json prints the outcome of every input. Exit 1 when a series failed.

            Examples:
              cement audit ingest .cache/audit-demo/manifest.csv --registry .cache/audit-demo/registry.sqlite
              cement audit ingest .cache/audit-demo/series --registry .cache/audit-demo/registry.sqlite --jobs 2 --json
            """
    )

    @Argument(help: "A folder of series folders, or a CSV manifest.", completion: .file())
    var input: String
    @OptionGroup var audit: AuditOptions
    @Option(help: "Series measured at once.") var jobs = 2
    @Flag(help: "Measure again the series registered by another engine version.") var remeasure = false
    @Flag(help: "Try again the series that failed before.") var retryFailed = false
    @Option(help: "The department's time zone for StudyDate/StudyTime (IANA name; default: the system's).")
    var timeZone: String?
    @Flag(help: "Print the outcome of every input as JSON on stdout.") var json = false

    func validate() throws {
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be 1–64") }
        _ = try parseTimeZone(timeZone)
    }

    struct Output: Encodable {
        var input: String
        var outcome: String
        var caseID: String?
        var error: String?

        enum CodingKeys: String, CodingKey { case input, outcome, caseID = "case_id", error }
    }

    func run() throws {
        let registry = try audit.open()
        let key = try audit.departmentKey()
        let inputs: [AuditInput]
        do { inputs = try AuditInput.list(input) } catch { throw CommandFailure(message: error.description) }
        var parameters = AuditIngest.Parameters()
        parameters.jobs = jobs
        parameters.remeasure = remeasure
        parameters.retryFailed = retryFailed
        parameters.timeZone = try parseTimeZone(timeZone)
        parameters.measurementCache = MeasurementCache(folder: audit.measurementsPath)
        let ingest = AuditIngest(registry: registry, key: key, parameters: parameters, clock: AuditClock.now)
        let summary: AuditIngest.Summary
        do {
            summary = try ingest.run(inputs) { done, total in Terminal.progress("ingest", done: done, of: total) }
        } catch { throw CommandFailure(message: error.description) }
        var rows: [Output] = []
        for (input, outcome) in summary.outcomes {
            switch outcome {
            case .measured(let id): rows.append(Output(input: input, outcome: "measured", caseID: id))
            case .alreadyRegistered(let id, _): rows.append(Output(input: input, outcome: "already_registered", caseID: id))
            case .failed(let error): rows.append(Output(input: input, outcome: "failed", error: error))
            case .failedBefore(let error): rows.append(Output(input: input, outcome: "failed_before", error: error))
            }
        }
        if json { try Terminal.printJSON(rows) }
        Terminal.note("\(registry.path): \(summary.measured) measured, \(summary.alreadyRegistered) already registered, "
                      + "\(summary.failures.count) failed (rate engine \(RateEngine.version))")
        if summary.stale > 0 {
            Terminal.warning("\(summary.stale) series were measured by another engine version; --remeasure measures them again")
        }
        for failure in summary.failures { Terminal.warning("\(failure.input): \(failure.error)") }
        if summary.outcomes.contains(where: { if case .failedBefore = $0.outcome { true } else { false } }) {
            Terminal.note("series that failed before were not tried again; --retry-failed tries them")
        }
        if !summary.failures.isEmpty { throw ExitCode(ExitCode.checkFailed) }
    }
}
