import ArgumentParser
import Foundation
import RateBatch

/// `cement rate-merge`: the shard files of an array job, joined into the results of the whole batch.
struct RateMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rate-merge",
        abstract: "Merge the shard files of cement rate-batch into one CSV or JSON file.",
        discussion: """
            Takes shard files (.json, written by cement rate-batch --shard or in a Slurm or Kubernetes array \
            task), or folders of them, and writes the results of the whole batch to --out: byte-identical to what \
            one cement rate-batch run over the same manifest writes. Refuses, with exit status 2 and nothing \
            written, shards of different manifests, engine versions or parameters, a shard given twice, a \
            missing or incomplete shard and a case in two files. Exit status 1 when the merged results hold a \
            failed case (they are written, with the failures).

            Examples:
              cement rate-merge shards/ --out results.csv
              cement rate-merge shards/shard-0.json shards/shard-1.json --out results.json --json
            """
    )

    @Argument(help: "Shard files, or folders holding them (their .json files).", completion: .file()) var shards: [String]
    @Option(help: "Merged results, .csv or .json.", completion: .file()) var out = "results.csv"
    @Flag(help: "Print a summary as JSON on stdout.") var json = false

    func run() throws {
        do {
            var files: [(path: String, results: BatchResults)] = []
            for path in try shardFiles() {
                guard let results = try ResultsFile.read(path) else { throw BatchError("\(path): no such file") }
                files.append((path, results))
            }
            let merged = try ResultsMerge.merge(files)
            try ResultsFile.write(merged, to: out)
            let failed = merged.failed
            Terminal.note("rate-merge: \(files.count) shard(s), \(merged.cases.count) case(s) → \(out): "
                          + "\(merged.cases.count - failed.count) measured, \(failed.count) failed")
            for item in failed.prefix(20) { Terminal.note("  failed: \(quoted(item.caseID))") }
            if json { try Terminal.printJSON(BatchSummaryJSON(results: merged, out: out, attempted: nil)) }
            if !failed.isEmpty { throw ExitCode(ExitCode.checkFailed) }
        } catch let error as BatchError {
            throw CommandFailure(message: error.description)
        }
    }

    private func shardFiles() throws(BatchError) -> [String] {
        var files: [String] = []
        for path in shards {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw BatchError("\(path): no such file or folder")
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            let found = names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
            guard !found.isEmpty else { throw BatchError("\(path): no .json shard files in the folder") }
            files += found.map { (path as NSString).appendingPathComponent($0) }
        }
        return files
    }
}
