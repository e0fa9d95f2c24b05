import ArgumentParser
import Foundation
import Imaging
import Measurements
import PACS
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

            With --pacs instead of INPUT the source is a PACS query, with the connection settings and filters of \
            `cement pacs pull` (--config or --host/--port/--called-ae/--calling-ae, --retrieve get|move, --from, \
            --to, descriptions, body part…; at least one filter besides the modality). A study whose series the \
            registry already holds (by its pseudonymous series UID) is not pulled again; the others are pulled \
            into --pulled (default: pulled next to the registry), named by pseudonymous UIDs, and ingested as a \
            folder would be; of a study with several matching series the one `cement rate` would pick is \
            measured. Exit 2 when the PACS cannot be reached (the studies pulled before are ingested).

            Examples:
              cement audit ingest .cache/audit-demo/manifest.csv --registry .cache/audit-demo/registry.sqlite
              cement audit ingest .cache/audit-demo/series --registry .cache/audit-demo/registry.sqlite --jobs 2 --json
              cement audit ingest --pacs --config pacs.yaml --from 2026-07-01 --to 2026-09-30 --body-part SPINE --registry registry.sqlite
            """
    )

    @Argument(help: "A folder of series folders, or a CSV manifest (not with --pacs).", completion: .file())
    var input: String?
    @OptionGroup var audit: AuditOptions
    @Flag(help: "Take the series from a PACS query (see PACS source) instead of INPUT.")
    var pacs = false
    @OptionGroup(title: "PACS source (with --pacs)") var connection: PACSConnectionOptions
    @OptionGroup(title: "PACS source (with --pacs)") var retrieval: RetrievalOptions
    @OptionGroup(title: "PACS source (with --pacs)") var filters: PACSQueryOptions
    @Option(help: ArgumentHelp("With --pacs: the pull cache (default: pulled next to the registry).", valueName: "DIR"),
            completion: .directory)
    var pulled: String?
    @Option(help: "Series measured at once.") var jobs = 2
    @Flag(help: "Measure again the series registered by another engine version.") var remeasure = false
    @Flag(help: "Try again the series that failed before.") var retryFailed = false
    @Option(help: "The department's time zone for StudyDate/StudyTime (IANA name; default: the system's).")
    var timeZone: String?
    @Flag(help: "Print the outcome of every input as JSON on stdout.") var json = false

    func validate() throws {
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be 1–64") }
        if pacs {
            guard input == nil else { throw ValidationError("give INPUT or --pacs, not both") }
            guard filters.narrows else {
                throw ValidationError("refusing to ingest every \(filters.modality) series of the PACS: give a date "
                                      + "range, description, body part, patient ID, accession or UID")
            }
        } else {
            guard !filters.narrows, !connection.isGiven, pulled == nil, retrieval.retrieve == .get, retrieval.moveAe == nil else {
                throw ValidationError("the PACS source options need --pacs")
            }
            guard input != nil else { throw ValidationError("give INPUT (a folder or manifest) or --pacs") }
        }
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
        var parameters = AuditIngest.Parameters()
        parameters.jobs = jobs
        parameters.remeasure = remeasure
        parameters.retryFailed = retryFailed
        parameters.timeZone = try parseTimeZone(timeZone)
        parameters.measurementCache = MeasurementCache(folder: audit.measurementsPath)
        var items: [AuditPACSSource.Item]
        var pullFailure: String?
        if pacs {
            var selection = SeriesSelection.Parameters()
            selection.cementThresholdHU = parameters.engine.cementThresholdHU
            let source = AuditPACSSource(client: try connection.client(retrieval: retrieval), registry: registry,
                                         key: key, folder: pulledPath, remeasure: remeasure, retryFailed: retryFailed,
                                         selection: selection)
            let prepared = try source.prepare(try filters.query()) { done, total in
                Terminal.progress("pulling", done: done, of: total)
            }
            Terminal.note("\(source.client.peer.name): \(prepared.studiesFound) stud\(prepared.studiesFound == 1 ? "y" : "ies") "
                          + "found, \(prepared.seriesPulled) series pulled into \(pulledPath)")
            items = prepared.items
            pullFailure = prepared.pullFailure
        } else {
            do { items = try AuditInput.list(input!).map { .ingest($0) } } catch { throw CommandFailure(message: error.description) }
        }
        let inputs = items.compactMap { if case .ingest(let input) = $0 { input } else { nil } }
        let ingest = AuditIngest(registry: registry, key: key, parameters: parameters, clock: AuditClock.now)
        let ingested: AuditIngest.Summary
        do {
            ingested = try ingest.run(inputs) { done, total in Terminal.progress("ingest", done: done, of: total) }
        } catch { throw CommandFailure(message: error.description) }
        // Back in source order: the outcomes decided before ingesting (a PACS study not pulled) between the others.
        var measuredOutcomes = ingested.outcomes.makeIterator()
        let summary = AuditIngest.Summary(outcomes: items.compactMap { item in
            switch item {
            case .ingest: measuredOutcomes.next()
            case .decided(let input, let outcome): (input, outcome)
            }
        })
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
        if let pullFailure { throw CommandFailure(message: pullFailure) }
        if !summary.failures.isEmpty { throw ExitCode(ExitCode.checkFailed) }
    }

    private var pulledPath: String {
        pulled ?? ((audit.registry as NSString).deletingLastPathComponent as NSString).appendingPathComponent("pulled")
    }
}
