import CLITestSupport
import Foundation
import XCTest

/// Every example in every subcommand's `--help` runs as written, in the order of `cement --help`, in a scratch
/// folder holding the files the examples name (made here first, so later examples may also use what earlier ones
/// wrote: rate-merge reads rate-batch's shards):
///   scan/            a small classic phantom (with truth.json), for inspect, convert, rate and figure overlay
///   masks/           its engine masks (`cement rate scan/ --export-masks masks`); segmentations/vertebrae_L1.nii.gz
///                    a copy of masks/level-1-body.nii.gz
///   .cache/audit-demo  written by the first `cement audit` example (`cement audit demo`), read by the others
///   ct/A, ct/B       two small phantoms, and manifest.csv listing them, for rate-batch and slurm-script
///   cohort.csv       the bundled synthetic cohort (`cement cohort --out cohort.csv`); my-audit.csv a copy;
///                    audit.csv its first three patients, for study-ct
///   box.json         a boxplot spec; report/ and data/ copies of the repository's, for render
///   clinical.csv     clinical rows for the cases A and B, joined with results.csv by `cement join`
/// An example passes when it exits 0, or 1 where that is its documented verdict (a check that found something:
/// `verify --strict` on the synthetic cohort, whose unattainable numbers fail it); usage and input errors (2) and
/// crashes fail. The `cement pacs` and `cement audit ingest --pacs` examples are listed but not run: they address
/// the user's PACS by name (pacs.example.org, pacs.yaml); PACSRoundTripTests and AuditPACSIngestTests run the same
/// commands against a real Orthanc.
final class HelpExampleTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    private var binFolder: URL { CommandRunner.products }

    private func shell(_ command: String, in folder: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-o", "pipefail", "-c", command]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = binFolder.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The examples of every command in the tree of `--experimental-dump-help`, in order; continued lines joined.
    static func examples(inHelpDump data: Data) throws -> [(command: String, example: String)] {
        var found: [(String, String)] = []
        func walk(_ node: [String: Any], path: String) {
            let name = node["commandName"] as? String ?? ""
            let full = path.isEmpty ? name : path + " " + name
            var lines = (node["discussion"] as? String ?? "").components(separatedBy: "\n")[...]
            while let start = lines.firstIndex(where: { ["Example:", "Examples:"].contains($0.trimmingCharacters(in: .whitespaces)) }) {
                lines = lines[(start + 1)...]
                var pending = ""
                while let line = lines.first, !line.trimmingCharacters(in: .whitespaces).isEmpty {
                    lines = lines.dropFirst()
                    let text = line.trimmingCharacters(in: .whitespaces)
                    if text.hasSuffix("\\") { pending += String(text.dropLast()); continue }
                    found.append((full, pending + text))
                    pending = ""
                }
            }
            for child in node["subcommands"] as? [[String: Any]] ?? [] { walk(child, path: full) }
        }
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        walk(try XCTUnwrap(json["command"] as? [String: Any]), path: "")
        return found
    }

    func testEveryHelpExampleRunsAsWritten() throws {
        let folder = NSTemporaryDirectory() + "cementreport-help-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let dump = try shell("cement --experimental-dump-help", in: folder)
        XCTAssertEqual(dump.status, 0, dump.output)
        let examples = try Self.examples(inHelpDump: Data(dump.output.utf8))
        // Every subcommand documents at least one example (the `figure` group's are its subcommands').
        let commands = Set(examples.map { $0.command })
        for name in ["inspect", "convert", "phantom", "phantom-suite", "stats", "figure chart", "figure overlay",
                     "check-paper", "verify", "cohort", "rate", "rate-batch", "rate-merge", "slurm-script", "study-ct",
                     "render", "init", "join", "audit", "audit ingest", "audit report", "pacs", "pacs find"] {
            XCTAssertTrue(commands.contains("cement " + name), "cement \(name) --help has no example")
        }
        for example in examples {
            XCTAssertTrue(example.example.hasPrefix("cement ") || example.example.contains(" cement "), example.example)
        }

        let repository = root.path
        let setup = """
            set -e
            cement phantom scan --dr 20 --seed 3 --realism classic --matrix 128 --spacing 0.9 --thickness 2 --leakage none
            cement rate scan/ --export-masks masks >/dev/null
            mkdir -p segmentations && cp masks/level-1-body.nii.gz segmentations/vertebrae_L1.nii.gz
            cement phantom ct/A --case-id A --dr 8 --seed 11 --realism classic --matrix 128 --thickness 2 --leakage none
            cement phantom ct/B --case-id B --dr 24 --seed 12 --realism classic --matrix 128 --thickness 2 --leakage none
            printf 'case_id,path\\nA,ct/A\\nB,ct/B\\n' > manifest.csv
            printf 'case_id,age_years\\nA,70\\nB,75\\n' > clinical.csv
            cement cohort --out cohort.csv
            cp cohort.csv my-audit.csv && head -n 4 cohort.csv > audit.csv
            printf '%s' '{"kind": "boxplot", "value": "cement_ml", "group": "dr_group", "levels": ["low", "medium", "high"]}' > box.json
            cp -R '\(repository)/report' '\(repository)/data' .
            rm -rf report/out
            """
        let prepared = try shell(setup, in: folder)
        XCTAssertEqual(prepared.status, 0, prepared.output)
        guard prepared.status == 0 else { return }
        // The PACS examples (`cement pacs …`, `cement audit ingest --pacs …`) address the user's PACS.
        for example in examples where !example.command.hasPrefix("cement pacs") && !example.example.contains(" --pacs ") {
            let result = try shell(example.example, in: folder)
            XCTAssertTrue([0, 1].contains(result.status),
                          "`\(example.example)` (from cement \(example.command) --help) exited \(result.status):\n\(result.output)")
            if result.status == 1 {
                XCTAssertTrue(example.example.contains("--strict"),
                              "`\(example.example)` exited 1 (a failed check) where it should succeed:\n\(result.output)")
            }
        }
    }
}
