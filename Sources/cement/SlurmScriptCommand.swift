import ArgumentParser
import Foundation
import Imaging
import RateBatch

/// `cement slurm-script`: a ready `sbatch --array` submission for a manifest, with a dependent merge job.
struct SlurmScriptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm-script",
        abstract: "Write a Slurm submission script: an array job measuring a manifest in shards, and a merge job.",
        discussion: """
            The script submits an array job of --shards tasks (indices 0…N-1), each running cement rate-batch on \
            its shard into WORK/shards/shard-I.json, and a merge job depending on it (afterok) that runs cement \
            rate-merge into --results. Run it on a login node: ./submit.sh. A task that failed or was killed is \
            submitted again with ./submit.sh I (it resumes from its shard file), with a new merge job; \
            CEMENT_RETRY_FAILED=1 ./submit.sh I also measures its failed cases again. Paths in \
            the script are absolute; the cement executable must be reachable at the same path on the nodes.

            Examples:
              cement slurm-script manifest.csv --shards 8 --out submit.sh
              cement slurm-script manifest.csv --shards 64 --partition short --time 00:30:00 --mem 4G --jobs 2 \\
                --work /scratch/pvp --results /scratch/pvp/results.csv
            """
    )

    @Argument(help: "Manifest CSV (case_id,path[,body_mask,label]) or folder of series.", completion: .file()) var manifest: String
    @Option(help: "Number of array tasks (shards).") var shards: Int
    @Option(help: "Slurm partition.") var partition: String?
    @Option(help: "Time limit per task, as sbatch --time takes it (e.g. 01:00:00).") var time: String?
    @Option(help: "Memory per task, as sbatch --mem takes it (e.g. 4G).") var mem: String?
    @Option(help: "Series measured at the same time in each task (its --cpus-per-task).") var jobs = 1
    @Option(help: "Cement threshold in HU.") var cementHu: Double?
    @Option(help: "Folder for shard files and logs (default: slurm-batch in the current folder).", completion: .directory)
    var work: String = "slurm-batch"
    @Option(help: "Merged results, .csv or .json (default: WORK/results.csv).", completion: .file()) var results: String?
    @Option(help: "The cement executable the nodes run (default: this one).", completion: .file()) var cement: String?
    @Option(help: "The script to write.", completion: .file()) var out = "submit.sh"

    func validate() throws {
        guard (1...100_000).contains(shards) else { throw ValidationError("--shards must be 1–100000") }
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be 1–64") }
    }

    func run() throws {
        do {
            let cases = try BatchCase.list(manifest)
            let workFolder = absolute(work)
            let merged = absolute(results ?? work + "/results.csv")
            _ = try ResultsFile.Format(path: merged)
            var script = SlurmScript(cement: absolute(cement ?? executablePath()), manifest: absolute(manifest), shards: shards,
                                     workDirectory: workFolder, results: merged)
            script.jobsPerTask = jobs
            script.partition = partition
            script.time = time
            script.memory = mem
            script.cementThresholdHU = cementHu
            try script.validate()
            let data = Data(script.text.utf8), out = self.out
            try AtomicFile.write(to: out) { (temporary: String) throws(ImagingError) in
                guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o755]) else {
                    throw ImagingError(file: out, "cannot write the file")
                }
            }
            let used = Set(cases.map { Shard.index(of: $0.id, count: shards) })
            let empty = shards - used.count
            Terminal.note("wrote \(out): \(cases.count) case(s) in \(shards) array task(s); run it on a login node: ./\((out as NSString).lastPathComponent)")
            if empty > 0 { Terminal.warning("\(empty) shard(s) hold no case; their tasks write empty shard files") }
        } catch let error as BatchError {
            throw CommandFailure(message: error.description)
        }
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
    }

    private func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
