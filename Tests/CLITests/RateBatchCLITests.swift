import CLITestSupport
import Foundation
import XCTest

/// `cement rate-batch`, `rate-merge` and `slurm-script` run as a user would: exit codes, messages, files.
final class RateBatchCLITests: XCTestCase {
    private typealias Run = CommandRun

    private func cement(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        return try CommandRunner.run(arguments, environment: ProcessInfo.processInfo.environment
            .filter { !$0.key.hasPrefix("SLURM_") }.merging(environment) { $1 })
    }

    private func temporaryFolder(_ name: String = #function) -> String {
        let path = NSTemporaryDirectory() + "cementreport-batch-cli/\(name.filter(\.isLetter))-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func testAFailedCaseExitsOneUntilRetriedAndShardsMergeExactly() throws {
        let root = temporaryFolder()
        let made = try cement(["phantom", root + "/ct/a", "--dr", "15", "--seed", "3", "--matrix", "128", "--leakage", "none"])
        XCTAssertEqual(made.status, 0, made.stderr)
        // Case IDs quoted as RFC 4180 prescribes; "later, fixed" points at a series that does not exist yet.
        let manifest = root + "/manifest.csv"
        try "case_id,path\n\"a, \"\"one\"\"\",ct/a\nsecond,ct/a\n\"later, fixed\",ct/later\n"
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        let out = root + "/results.csv"
        let failing = try cement(["rate-batch", manifest, "--out", out, "--json"])
        XCTAssertEqual(failing.status, 1, failing.stderr)
        XCTAssertTrue(failing.stderr.contains("3 case(s) in \(out): 2 measured, 1 failed"), failing.stderr)
        XCTAssertTrue(failing.stderr.contains("failed: \"later, fixed\": \(root)/ct/later"), failing.stderr)
        let summary = try JSONSerialization.jsonObject(with: Data(failing.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(summary["failed"] as? [String], ["later, fixed"])
        XCTAssertEqual(summary["measured"] as? Int, 2)

        let again = try cement(["rate-batch", manifest, "--out", out])
        XCTAssertEqual(again.status, 1, "an earlier failure is still a failure")
        XCTAssertTrue(again.stderr.contains("2 case(s) already measured"), again.stderr)
        XCTAssertTrue(again.stderr.contains("--retry-failed"), again.stderr)

        try FileManager.default.copyItem(atPath: root + "/ct/a", toPath: root + "/ct/later")
        let retried = try cement(["rate-batch", manifest, "--out", out, "--retry-failed"])
        XCTAssertEqual(retried.status, 0, retried.stderr)
        XCTAssertTrue(retried.stderr.contains("3 measured, 0 failed (this run measured 1"), retried.stderr)

        // Two shards, one from the flag and one from a Slurm array task's environment, merge to the same bytes.
        let first = try cement(["rate-batch", manifest, "--shard", "0/2", "--out", root + "/shards/s0.json"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let missing = try cement(["rate-merge", root + "/shards", "--out", root + "/merged.csv"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("missing shard(s) 1/2"), missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/merged.csv"), "a refused merge writes nothing")
        let second = try cement(["rate-batch", manifest, "--shard-count", "2", "--out", root + "/shards/s1.json"],
                                environment: ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "1"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("shard 1/2"), second.stderr)
        let merged = try cement(["rate-merge", root + "/shards", "--out", root + "/merged.csv"])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: root + "/merged.csv")),
                       try Data(contentsOf: URL(fileURLWithPath: out)))
    }

    func testMeasurementsStoredByRateBatchDrawTheCTFigures() throws {
        // rate-batch --measurements stores what `render` reads: a ct-figure renders from it without the engine; the
        // same series measured with another cement threshold is named stale ("other engine parameters").
        let root = temporaryFolder()
        let made = try cement(["phantom", root + "/ct/a", "--realism", "classic", "--dr", "15", "--seed", "3",
                               "--matrix", "128", "--leakage", "none"])
        XCTAssertEqual(made.status, 0, made.stderr)
        try "case_id,path\na,\(root)/ct/a\n".write(toFile: root + "/manifest.csv", atomically: true, encoding: .utf8)
        let template = root + "/ct.md"
        func render(_ cache: String) throws -> CommandRun {
            try "---\ntitle: T\nmeasurements: \(cache)\n---\n```{ct-figure id=fig-a caption=\"A\" series=ct/a}\n```\n"
                .write(toFile: template, atomically: true, encoding: .utf8)
            return try CommandRunner.run(["render", template, "--out", root + "/out-" + cache, "--format", "html"])
        }
        let stored = try cement(["rate-batch", root + "/manifest.csv", "--out", root + "/results.csv",
                                 "--measurements", root + "/m"])
        XCTAssertEqual(stored.status, 0, stored.stderr)
        let drawn = try render("m")
        XCTAssertEqual(drawn.status, 0, drawn.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/out-m/ct.html"))
        let other = try cement(["rate-batch", root + "/manifest.csv", "--out", root + "/results-900.csv",
                                "--cement-hu", "900", "--measurements", root + "/m900"])
        XCTAssertEqual(other.status, 0, other.stderr)
        let stale = try render("m900")
        XCTAssertEqual(stale.status, 2)
        XCTAssertTrue(stale.stderr.contains("series ct/a: the stored measurement is stale: it was made with other engine parameters"),
                      stale.stderr)
    }

    func testSlurmScriptIsValidBashWithAnArrayAndAnAfterokMerge() throws {
        let root = temporaryFolder()
        try "case_id,path\nx,ct/x\n".write(toFile: root + "/manifest.csv", atomically: true, encoding: .utf8)
        let script = root + "/submit.sh"
        let made = try cement(["slurm-script", root + "/manifest.csv", "--shards", "4", "--partition", "short", "--time", "00:10:00",
                               "--mem", "2G", "--work", root + "/work", "--out", script, "--cement", "/opt/cement"])
        XCTAssertEqual(made.status, 0, made.stderr)
        let text = try String(contentsOfFile: script, encoding: .utf8)
        for line in ["tasks=0-3", "#SBATCH --partition=short", "#SBATCH --time=00:10:00", "#SBATCH --mem=2G",
                     "--dependency=afterok:\"$array\"", "${CEMENT_RETRY_FAILED:+--retry-failed}", "exec '/opt/cement' rate-batch '\(root)/manifest.csv' --shard-count 4",
                     "exec '/opt/cement' rate-merge '\(root)/work/shards' --out '\(root)/work/results.csv'"] {
            XCTAssertTrue(text.contains(line), "missing \(line) in\n\(text)")
        }
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: script))
        let syntax = Process()
        syntax.executableURL = URL(fileURLWithPath: "/bin/bash")
        syntax.arguments = ["-n", script]
        try syntax.run()
        syntax.waitUntilExit()
        XCTAssertEqual(syntax.terminationStatus, 0, "bash -n rejects the script")

        let bad = try cement(["slurm-script", root + "/manifest.csv", "--shards", "4", "--time", "1 hour", "--out", script])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("--time '1 hour'"), bad.stderr)
    }

    func testHelpHasExamples() throws {
        for command in ["rate-batch", "rate-merge", "slurm-script"] {
            let help = try cement([command, "--help"])
            XCTAssertEqual(help.status, 0)
            XCTAssertTrue(help.stdout.contains("cement \(command) "), "\(command) --help has no example")
        }
    }
}
