import Dispatch
import Foundation
import Measurements
import RateEngine

/// Measures the cases of a batch (or of one shard) into a results file, resuming from what the file holds.
///
/// The file is rewritten atomically when the run starts (so that an interrupted shard's file lists what it still
/// lacks), after a case unless the last rewrite was less than ten of its own durations ago (so that rewriting a
/// large file takes at most about a tenth of the time; a small one is rewritten after every case), and at the end. A case counts as done only when it
/// was measured; a failed case stays failed, and is reported as such, until `--retry-failed` or `--force`.
public struct BatchRun: Sendable {
    /// Which earlier results are measured again.
    public enum Redo: Sendable {
        /// Cases not yet in the file (resume).
        case missing
        /// Those, and the cases that failed.
        case failed
        /// Every case.
        case all
    }

    /// What a run did.
    public struct Summary: Sendable {
        /// Cases this run measured, failed ones included.
        public var attempted: Int
        /// Cases that failed in this run.
        public var newFailures: [CaseResult]
        /// Cases already measured before this run.
        public var alreadyMeasured: Int
        /// Earlier failures not retried (without `--retry-failed`).
        public var earlierFailures: [CaseResult]
        /// Results in the file for cases no longer in the manifest or shard, left out.
        public var dropped: Int
        public var results: BatchResults

        /// Every failed case in the file.
        public var failures: [CaseResult] { results.failed }
    }

    public var cases: [BatchCase]
    public var shard: Shard?
    public var parameters: RateEngine.Parameters
    public var jobs: Int
    public var redo: Redo
    public var out: String
    /// Where each measurement is also stored with its masks (`cement rate-batch --measurements`), nil for none.
    public var measurementCache: MeasurementCache?

    public init(cases: [BatchCase], shard: Shard?, parameters: RateEngine.Parameters, jobs: Int, redo: Redo, out: String) {
        self.cases = cases
        self.shard = shard
        self.parameters = parameters
        self.jobs = jobs
        self.redo = redo
        self.out = out
    }

    /// Runs the batch; `progress` is called with (cases finished, cases to measure) after each case.
    public func run(progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) throws(BatchError) -> Summary {
        if shard != nil, (try ResultsFile.Format(path: out)) != .json {
            throw BatchError("\(out): a shard's results file must be .json (cement rate-merge writes the CSV)")
        }
        let parameterFields: [String: FlatValue]
        do {
            parameterFields = try FlatFields.of(parameters)
        } catch {
            throw BatchError("cannot record the engine parameters (\(error))")
        }
        let assigned = shard.map { shard in cases.filter { shard.holds($0.id) } } ?? cases
        var results = BatchResults(engineVersion: RateEngine.version, parameters: parameterFields)
        var dropped = 0
        if redo != .all, let previous = try ResultsFile.read(out), !previous.cases.isEmpty {
            guard previous.engineVersion == results.engineVersion, previous.parameters.texts == parameterFields.texts else {
                throw BatchError("\(out) holds results of engine \(previous.engineVersion) with other parameters or another "
                                 + "version than this run's (engine \(RateEngine.version)); --force measures every case again, "
                                 + "or write to another file")
            }
            guard previous.shard == shard else {
                throw BatchError("\(out) holds " + (previous.shard.map { "shard \($0)" } ?? "a whole batch")
                                 + ", not " + (shard.map { "shard \($0)" } ?? "a whole batch") + "; write to another file")
            }
            let ids = Set(assigned.map(\.id))
            for item in previous.cases {
                if ids.contains(item.caseID) { results.record(item) } else { dropped += 1 }
            }
        }
        if let shard { results.assign(shard, manifestIDs: cases.map(\.id)) }
        let pending = assigned.filter { item in
            guard let earlier = results.result(of: item.id) else { return true }
            return redo == .failed && earlier.status == .failed
        }
        let pendingIDs = Set(pending.map(\.id))
        let earlier = results.cases.filter { !pendingIDs.contains($0.caseID) }
        let state = RunState(results: results, out: out, total: pending.count, progress: progress)
        try state.write()
        let parameters = parameters, cache = measurementCache
        let queue = WorkQueue(pending)
        // Threads of their own rather than Dispatch's pool, which caps at the core count: series on a network file
        // system can keep more workers than cores busy.
        let workers = DispatchGroup()
        for _ in 0..<max(1, min(jobs, pending.count)) {
            workers.enter()
            let thread = Thread {
                while let item = queue.next() {
                    state.record(CaseMeasurement.measure(item, parameters: parameters, cache: cache))
                }
                workers.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        workers.wait()
        try state.finish()
        let final = state.results
        return Summary(attempted: pending.count,
                       newFailures: final.failed.filter { pendingIDs.contains($0.caseID) },
                       alreadyMeasured: earlier.filter { $0.status == .measured }.count,
                       earlierFailures: earlier.filter { $0.status == .failed },
                       dropped: dropped, results: final)
    }
}

/// Hands out the pending cases to the workers, one at a time.
private final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var items: ArraySlice<BatchCase>

    init(_ items: [BatchCase]) {
        self.items = items[...]
    }

    func next() -> BatchCase? {
        lock.lock()
        defer { lock.unlock() }
        return items.popFirst()
    }
}

/// The results as the workers fill them in; every access holds the lock.
private final class RunState: @unchecked Sendable {
    private let lock = NSLock()
    private var current: BatchResults
    private let out: String
    private let total: Int
    private let progress: @Sendable (Int, Int) -> Void
    private var finished = 0
    private var lastWrite = DispatchTime(uptimeNanoseconds: 0)
    private var lastWriteSeconds = 0.0
    private var writeError: BatchError?

    init(results: BatchResults, out: String, total: Int, progress: @escaping @Sendable (Int, Int) -> Void) {
        current = results
        self.out = out
        self.total = total
        self.progress = progress
    }

    var results: BatchResults {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    func record(_ result: CaseResult) {
        lock.lock()
        defer { lock.unlock() }
        current.record(result)
        finished += 1
        let now = DispatchTime.now()
        if writeError == nil, Double(now.uptimeNanoseconds - lastWrite.uptimeNanoseconds) / 1e9 >= 10 * lastWriteSeconds {
            do throws(BatchError) {
                try writeLocked()
            } catch {
                writeError = error
            }
        }
        progress(finished, total)
    }

    func write() throws(BatchError) {
        lock.lock()
        defer { lock.unlock() }
        try writeLocked()
    }

    func finish() throws(BatchError) {
        lock.lock()
        defer { lock.unlock() }
        if let writeError { throw writeError }
        try writeLocked()
    }

    private func writeLocked() throws(BatchError) {
        let start = DispatchTime.now()
        try ResultsFile.write(current, to: out)
        lastWrite = DispatchTime.now()
        lastWriteSeconds = Double(lastWrite.uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
