import ArgumentParser
import Foundation
import Imaging
import RateEngine
import Study
import Tabular

/// `cement rate-batch`: the distribution rate of many series, in parallel, resumable.
struct RateBatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rate-batch",
        abstract: "Measure many CT series in parallel and collect the results in one CSV file.",
        discussion: """
            The input is a folder whose subfolders are series (the subfolder name is the case id), or a CSV \
            manifest with the columns case_id and path (and optionally body_mask, a NIfTI body mask for that \
            series, and label, as for cement rate --body-mask --label). Results go to --out, one row per case, sorted by case id, \
            rewritten atomically after every case; cases already in --out are skipped, so an interrupted run \
            resumes where it stopped. A progress bar is shown on stderr when it is a terminal.

            Example:
              cement rate-batch .cache/ct --jobs 2 --out .cache/ct/results.csv
            """
    )

    @Argument(help: "Folder of series, or a manifest CSV (case_id,path).", completion: .file()) var input: String
    @Option(help: "Series measured at the same time.") var jobs = 2
    @Option(help: "Results CSV.", completion: .file()) var out = "results.csv"
    @Option(help: "Cement threshold in HU.") var cementHu: Double = 1000

    func validate() throws {
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be 1–64") }
    }

    static let header = "case_id,distribution_rate_percent,vertebral_body_ml,cement_in_body_ml,leakage_ml,group,levels,qc,error"

    func run() throws {
        let cases = try listCases()
        var done: [String: String] = [:]
        if let existing = try? String(contentsOfFile: out, encoding: .utf8) {
            for line in existing.split(separator: "\n").dropFirst() {
                if let id = line.split(separator: ",", omittingEmptySubsequences: false).first { done[String(id)] = String(line) }
            }
        }
        let pending = cases.filter { done[$0.id] == nil }
        if pending.count < cases.count { Terminal.note("\(cases.count - pending.count) case(s) already measured in \(out)") }
        let state = BatchState(results: done, total: pending.count, out: out)
        let semaphore = DispatchSemaphore(value: jobs)
        let group = DispatchGroup()
        let threshold = cementHu
        for item in pending {
            semaphore.wait()
            group.enter()
            DispatchQueue.global().async {
                defer {
                    semaphore.signal()
                    group.leave()
                }
                state.record(item.id, Self.measure(item, threshold: threshold))
            }
        }
        group.wait()
        if let error = state.writeError { throw error }
        let results = state.snapshot
        Terminal.note("wrote \(out): \(results.count) case(s)")
    }

    /// One CSV row; errors are recorded in the row rather than stopping the batch.
    static func measure(_ item: BatchCase, threshold: Double) -> String {
        let id = item.id
        func csvField(_ text: String) -> String {
            text.contains(",") || text.contains("\"") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        do {
            let loaded = try SeriesLoader().load(paths: [item.path])
            var engine = RateEngine()
            engine.cementThresholdHU = threshold
            if let mask = item.bodyMask {
                engine.bodyMask = try BodyMask(contentsOf: mask, label: item.label, matching: loaded.volume.geometry)
            }
            let result = engine.measure(loaded.volume)
            guard let level = result.levels.first else { return "\(id),,,,,,0,no_cement," }
            func number(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "" }
            return [id, number(level.distributionRatePercent), number(level.vertebralBodyML), number(level.cementInBodyML),
                    number(level.leakageML), level.group?.rawValue ?? "", String(result.levels.count),
                    csvField(level.qc.map(\.rawValue).joined(separator: ";")), ""].joined(separator: ",")
        } catch {
            return "\(id),,,,,,,,\(csvField("\(error)"))"
        }
    }

    /// One series to measure, with its body mask when the manifest names one.
    struct BatchCase {
        var id: String
        var path: String
        var bodyMask: String?
        var label: Int?
    }

    private func listCases() throws -> [BatchCase] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
            throw CommandFailure(message: "\(input): no such file or folder")
        }
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []
            return names.sorted().compactMap { name in
                var folder: ObjCBool = false
                let path = (input as NSString).appendingPathComponent(name)
                return FileManager.default.fileExists(atPath: path, isDirectory: &folder) && folder.boolValue
                    ? BatchCase(id: name, path: path) : nil
            }
        }
        let table = try CSVTable(path: input)
        let idColumn = try table.column("case_id"), pathColumn = try table.column("path")
        let maskColumn = table.header.firstIndex(of: "body_mask"), labelColumn = table.header.firstIndex(of: "label")
        let folder = (input as NSString).deletingLastPathComponent
        func resolved(_ path: String) -> String { path.hasPrefix("/") ? path : (folder as NSString).appendingPathComponent(path) }
        return try table.rows.indices.map { row in
            guard let id = table.text(row: row, column: idColumn), let path = table.text(row: row, column: pathColumn) else {
                throw CommandFailure(message: "\(input): row \(row + 1): case_id and path are required")
            }
            var item = BatchCase(id: id, path: resolved(path))
            item.bodyMask = maskColumn.flatMap { table.text(row: row, column: $0) }.map(resolved)
            if let labelColumn, let text = table.text(row: row, column: labelColumn) {
                guard let label = Int(text), (1...255).contains(label), item.bodyMask != nil else {
                    throw CommandFailure(message: "\(input): row \(row + 1), column label: '\(text)' is not a label 1–255 "
                                         + "of a body_mask given in the same row")
                }
                item.label = label
            }
            return item
        }
    }
}

/// Results of a batch, shared by the worker threads; every access holds the lock.
private final class BatchState: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [String: String]
    private var finished = 0
    private let total: Int
    private let out: String
    private(set) var writeError: Error?

    init(results: [String: String], total: Int, out: String) {
        self.results = results
        self.total = total
        self.out = out
    }

    var snapshot: [String: String] {
        lock.lock()
        defer { lock.unlock() }
        return results
    }

    /// Stores a row and rewrites the results file (sorted by case id) atomically.
    func record(_ id: String, _ row: String) {
        lock.lock()
        defer { lock.unlock() }
        results[id] = row
        finished += 1
        do {
            let lines = [RateBatchCommand.header] + results.keys.sorted().map { results[$0]! }
            try AtomicFile.write(Data((lines.joined(separator: "\n") + "\n").utf8), to: out)
        } catch {
            writeError = error
        }
        Terminal.progress("rate", done: finished, of: total)
    }
}
