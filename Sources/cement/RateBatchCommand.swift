import ArgumentParser
import Foundation
import Measurements
import RateBatch
import RateEngine
import Study
import Tabular

/// `cement rate-batch`: the distribution rate of many series, in parallel, resumable, on one machine or as one
/// shard of a scheduler's array job.
struct RateBatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rate-batch",
        abstract: "Measure many CT series in parallel, on one machine or as one shard of a Slurm or Kubernetes array job.",
        discussion: """
            The input is a folder whose subfolders are series (the subfolder name is the case id), or a CSV \
            manifest with the columns case_id and path (and optionally body_mask, a NIfTI body mask for that \
            series, and label, as for cement rate --body-mask --label). Results go to --out (.csv or .json): one \
            row per level with every field cement rate reports, the series UID, the engine version and its \
            parameters; a case that could not be measured gets status failed and its error. The file is rewritten \
            atomically as cases finish (less often when the file is large) and at the end; cases already measured in it are \
            skipped, so an interrupted run resumes. Failed cases stay failed until --retry-failed; --force \
            measures every case again.

            Sharding: with --shard I/N (I from 0) or, when no flag is given, SLURM_ARRAY_TASK_ID (with \
            SLURM_ARRAY_TASK_COUNT or --shard-count) or Kubernetes' JOB_COMPLETION_INDEX (with --shard-count), \
            only the cases whose case id hashes to shard I are measured, into a .json shard file; cement \
            rate-merge joins the shard files. The assignment depends on the case id only, so adding cases never \
            moves existing ones. cement slurm-script writes a ready submission script.

            Exit status: 0 when every case was measured, 1 when any case failed (a summary on stderr names them), \
            2 on a bad manifest or a results file of another engine version.

            Examples:
              cement rate-batch ct --jobs 2 --out results.csv
              cement rate-batch manifest.csv --shard 0/2 --out shards/shard-0.json
              SLURM_ARRAY_TASK_ID=1 cement rate-batch manifest.csv --shard-count 2 --out shards/shard-1.json
              cement rate-batch manifest.csv --out results.csv --retry-failed
            """
    )

    @Argument(help: "Folder of series, or a manifest CSV (case_id,path[,body_mask,label]).", completion: .file()) var input: String
    @Option(help: "Series measured at the same time.") var jobs = 2
    @Option(help: "Results file, .csv or .json (default results.csv; shard-I.json for a shard).", completion: .file())
    var out: String?
    @Option(help: "Cement threshold in HU.") var cementHu: Double = 1000
    @Option(help: "Measure only shard I of N (I = 0…N-1).") var shard: String?
    @Option(help: "The number of shards when the index comes from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX.")
    var shardCount: Int?
    @Flag(help: "Measure again the cases that failed before.") var retryFailed = false
    @Flag(help: "Measure every case again, whatever the results file holds.") var force = false
    @Option(help: ArgumentHelp(
        "Also store each measurement with its masks in the measurement cache DIR (keyed by the series' content, the "
        + "engine version and the parameters), for `cement render`'s CT figures.", valueName: "DIR"), completion: .directory)
    var measurements: String?
    @Flag(help: "Print a summary as JSON on stdout.") var json = false

    func validate() throws {
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be 1–64") }
        if let shardCount, shardCount < 1 { throw ValidationError("--shard-count must be at least 1") }
        if shard != nil, shardCount != nil { throw ValidationError("give --shard I/N or --shard-count, not both") }
    }

    func run() throws {
        do {
            try measure()
        } catch let error as BatchError {
            throw CommandFailure(message: error.description)
        }
    }

    private func measure() throws {
        let shard = try self.shard.map { try Shard(parsing: $0) }
            ?? Shard.fromEnvironment(ProcessInfo.processInfo.environment, count: shardCount)
        if shard == nil, shardCount != nil {
            throw CommandFailure(message: "--shard-count needs SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX in the environment")
        }
        let out = self.out ?? shard.map { "shard-\($0.index).json" } ?? "results.csv"
        let cases = try BatchCase.list(input)
        var parameters = RateEngine.Parameters()
        parameters.cementThresholdHU = cementHu
        var run = BatchRun(cases: cases, shard: shard, parameters: parameters, jobs: jobs,
                           redo: force ? .all : (retryFailed ? .failed : .missing), out: out)
        run.measurementCache = measurements.map(MeasurementCache.init(folder:))
        let summary = try run.run { done, total in Terminal.progress("rate", done: done, of: total) }
        let scope = shard.map { "shard \($0): " } ?? ""
        if summary.alreadyMeasured > 0 { Terminal.note("\(summary.alreadyMeasured) case(s) already measured in \(out)") }
        if summary.dropped > 0 { Terminal.note("left out \(summary.dropped) case(s) of \(out) that are not in this batch") }
        let failures = summary.failures
        Terminal.note("rate-batch: \(scope)\(summary.results.cases.count) case(s) in \(out): "
                      + "\(summary.results.cases.count - failures.count) measured, \(failures.count) failed "
                      + "(this run measured \(summary.attempted), \(summary.newFailures.count) of them failed)")
        for item in failures.prefix(20) {
            let reason = (item.error ?? "").split(separator: "\n").first.map(String.init) ?? ""
            Terminal.note("  failed: \(quoted(item.caseID)): \(reason)")
        }
        if failures.count > 20 { Terminal.note("  … and \(failures.count - 20) more; the status and error columns list all") }
        if !summary.earlierFailures.isEmpty {
            Terminal.note("\(summary.earlierFailures.count) case(s) failed in an earlier run and were not measured again; "
                          + "--retry-failed measures them again")
        }
        if json {
            try Terminal.printJSON(BatchSummaryJSON(results: summary.results, out: out, attempted: summary.attempted))
        }
        if !failures.isEmpty { throw ExitCode(ExitCode.checkFailed) }
    }
}

/// `rate-batch --json` and `rate-merge --json`: counts and the failed cases.
struct BatchSummaryJSON: Encodable {
    var out: String
    var engineVersion: String
    var shard: Shard?
    var cases: Int
    var measured: Int
    var failed: [String]
    var attempted: Int?

    init(results: BatchResults, out: String, attempted: Int?) {
        self.out = out
        engineVersion = results.engineVersion
        shard = results.shard
        cases = results.cases.count
        failed = results.failed.map(\.caseID)
        measured = cases - failed.count
        self.attempted = attempted
    }

    enum CodingKeys: String, CodingKey {
        case out, engineVersion = "engine_version", shard, cases, measured, failed, attempted
    }
}
