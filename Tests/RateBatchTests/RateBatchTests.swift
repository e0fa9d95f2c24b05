import Foundation
import Imaging
import Phantom
@testable import RateBatch
import RateEngine
import XCTest

/// Shard assignment, result files, merges and resumes of batch measurement, on real phantoms measured by the
/// real engine (two 128×128 series, measured under several case IDs each).
final class RateBatchTests: XCTestCase {
    /// Case IDs a CSV writer must quote: comma, double quote, LF, CRLF, leading space, non-ASCII.
    static let hostileIDs = ["plain", "with,comma", "say \"hi\"", "line\nbreak", "crlf\r\nbreak", " leading space", "Wirbel-ü-椎"]

    private static let series: [String] = {
        let root = NSTemporaryDirectory() + "cementreport-batch-series-\(getpid())"
        return [(1, 12.0), (2, 26.0)].map { seed, rate in
            var overrides = PhantomParameters.Overrides()
            overrides.matrix = 128
            overrides.distributionRate = rate
            overrides.leakage = LeakageKind.none
            let folder = root + "/s\(seed)"
            let generator = PhantomGenerator()
            _ = try! generator.write(generator.makeCase(seed: UInt64(seed), overrides: overrides), to: folder)
            return folder
        }
    }()

    private func temporaryFolder(_ name: String = #function) -> String {
        let path = NSTemporaryDirectory() + "cementreport-batch/\(name.filter(\.isLetter))-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func cases(_ ids: [String]) -> [BatchCase] {
        ids.enumerated().map { BatchCase(id: $1, path: Self.series[$0 % 2]) }.sorted { BatchResults.precedes($0.id, $1.id) }
    }

    private func run(_ cases: [BatchCase], shard: Shard? = nil, redo: BatchRun.Redo = .missing, out: String) throws -> BatchRun.Summary {
        try BatchRun(cases: cases, shard: shard, parameters: RateEngine.Parameters(), jobs: 2, redo: redo, out: out).run()
    }

    // MARK: shards

    func testFNV1aMatchesThePublishedTestVectors() {
        // Test vectors of FNV-1a 64 bit from the FNV reference (Noll, draft-eastlake-fnv): "", "a", "foobar".
        XCTAssertEqual(Shard.fnv1a("".utf8), 0xcbf2_9ce4_8422_2325)
        XCTAssertEqual(Shard.fnv1a("a".utf8), 0xaf63_dc4c_8601_ec8c)
        XCTAssertEqual(Shard.fnv1a("foobar".utf8), 0x8594_4171_f739_67e8)
        // fmix64 by the formula of MurmurHash3, evaluated in Python.
        XCTAssertEqual(Shard.mix(1), 0xb456_bcfc_34c2_cb2c)
        // Shards computed by an independent FNV-1a + fmix64 in Python (as in scripts/slurm-test.sh).
        XCTAssertEqual(Shard.index(of: "case-00", count: 8), 6)
        XCTAssertEqual(Shard.index(of: "case-01", count: 8), 0)
        XCTAssertEqual(Shard.index(of: "case 3, \"left\"", count: 8), 6)
        XCTAssertEqual(Shard.index(of: "case\n17", count: 8), 7)
        XCTAssertEqual(Shard.index(of: "case\n17", count: 3), 1)
        XCTAssertEqual(Shard.index(of: "D4", count: 3), 2)
        // Two-character IDs, which plain FNV-1a modulo 2 would put all in shard 1.
        XCTAssertEqual(["A1", "B2", "C3", "D4", "E5", "F6", "G7"].map { Shard.index(of: $0, count: 2) }, [1, 1, 0, 0, 0, 0, 0])
    }

    func testShardAssignmentIsCompleteAndStableWhenCasesAreAdded() throws {
        let ids = (0..<1000).map { "P\($0)" }
        let shards = try (0..<8).map { try Shard(index: $0, count: 8) }
        var before: [String: Int] = [:]
        for id in ids {
            let holders = shards.filter { $0.holds(id) }
            XCTAssertEqual(holders.count, 1, "\(id) held by \(holders.count) shards")
            before[id] = holders.first?.index
        }
        // Binomial(1000, 1/8): mean 125, SD 10.5; 85–165 is beyond ±3.8 SD.
        for shard in shards {
            XCTAssertTrue((85...165).contains(ids.filter(shard.holds).count), "shard \(shard) unbalanced")
        }
        let grown = ids + (0..<500).map { "Q\($0)" }
        for id in grown where before[id] != nil {
            XCTAssertEqual(Shard.index(of: id, count: 8), before[id], "\(id) moved when cases were added")
        }
    }

    func testShardFromFlagAndSchedulerEnvironment() throws {
        XCTAssertEqual(try Shard(parsing: "3/8"), try Shard(index: 3, count: 8))
        XCTAssertThrowsError(try Shard(parsing: "8/8")) { XCTAssertTrue("\($0)".contains("0…7"), "\($0)") }
        XCTAssertThrowsError(try Shard(parsing: "3-8"))
        XCTAssertNil(try Shard.fromEnvironment([:], count: nil))
        XCTAssertEqual(try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4"], count: nil),
                       try Shard(index: 2, count: 4))
        // A rerun of one task (sbatch --array=2) sees a task count of 1: the explicit count wins.
        XCTAssertEqual(try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "1"], count: 4),
                       try Shard(index: 2, count: 4))
        XCTAssertEqual(try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "5"], count: 6), try Shard(index: 5, count: 6))
        XCTAssertThrowsError(try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "5"], count: nil)) {
            XCTAssertTrue("\($0)".contains("--shard-count"), "\($0)")
        }
        XCTAssertThrowsError(try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "x"], count: 2))
    }

    // MARK: files

    func testHostileCaseIDsRoundTripThroughCSVAndJSON() throws {
        let folder = temporaryFolder()
        var results = BatchResults(engineVersion: "9.9", parameters: ["cement_threshold_hu": .text("1000")])
        for (n, id) in Self.hostileIDs.enumerated() {
            results.record(CaseResult(caseID: id, status: n == 2 ? .failed : .measured, error: n == 2 ? "bad, \"x\"\nline 2" : nil,
                                      seriesUID: "2.25.\(n)", levels: n == 2 ? [] : [["distribution_rate_percent": .text("\(n).5"), "qc": .text("a;b")]]))
        }
        for name in ["r.csv", "r.json"] {
            let path = folder + "/" + name
            try ResultsFile.write(results, to: path)
            XCTAssertEqual(try ResultsFile.read(path), results, name)
        }
        // RFC 4180: fields holding commas, quotes or line breaks are quoted, quotes doubled; written by hand.
        let text = try String(contentsOfFile: folder + "/r.csv", encoding: .utf8)
        XCTAssertTrue(text.contains("\n\"with,comma\",1.5,"), text)
        XCTAssertTrue(text.contains("\n\"say \"\"hi\"\"\",,,,,,0,,failed,\"bad, \"\"x\"\"\nline 2\",2.25.2,9.9,1000\n"), text)
        XCTAssertTrue(text.contains("\n\"line\nbreak\",3.5,"), text)
        XCTAssertTrue(text.contains("\n\"crlf\r\nbreak\",4.5,"), text)
    }

    func testMergedShardsAreByteIdenticalToOneRun() throws {
        let folder = temporaryFolder()
        let ids = Self.hostileIDs + ["A1", "B2", "C3", "D4", "E5"]
        let all = cases(ids)
        let single = try run(all, out: folder + "/single.csv")
        XCTAssertTrue(single.failures.isEmpty, "\(single.failures)")
        _ = try run(all, out: folder + "/single.json")
        let levels = single.results.cases.map(\.levels.count)
        XCTAssertEqual(levels, Array(repeating: 1, count: ids.count), "each phantom has one cemented level")
        var files: [(path: String, results: BatchResults)] = []
        for index in 0..<3 {
            let path = folder + "/shards/shard-\(index).json"
            let summary = try run(all, shard: try Shard(index: index, count: 3), out: path)
            XCTAssertEqual(summary.results.cases.count, ids.filter { Shard.index(of: $0, count: 3) == index }.count)
            files.append((path, try XCTUnwrap(ResultsFile.read(path))))
        }
        XCTAssertGreaterThan(files.filter { !$0.results.cases.isEmpty }.count, 1, "the test needs two non-empty shards")
        let merged = try ResultsMerge.merge(files.reversed())
        let singleCSV = try Data(contentsOf: URL(fileURLWithPath: folder + "/single.csv"))
        let singleJSON = try Data(contentsOf: URL(fileURLWithPath: folder + "/single.json"))
        XCTAssertEqual(try ResultsFile.encode(merged, as: .csv), singleCSV)
        XCTAssertEqual(try ResultsFile.encode(merged, as: .json), singleJSON)
        // Every level field of the engine is a column, with the series UID, engine version and parameters.
        let header = String(decoding: singleCSV, as: UTF8.self).prefix { $0 != "\n" }.split(separator: ",").map(String.init)
        for key in ["distribution_rate_percent", "distribution_rate_slice_range_percent", "leakage_sites_ml.disc",
                    "cement_centroid_mm", "level_index", "series_uid", "engine_version", "parameters.cement_threshold_hu",
                    "parameters.groups.low_maximum_percent", "status", "error"] {
            XCTAssertTrue(header.contains(key), "no column \(key)")
        }
        XCTAssertTrue(String(decoding: singleCSV, as: UTF8.self).contains(",\(RateEngine.version),1000"))
        // In JSON the values keep their types: numbers, lists.
        let document = try JSONSerialization.jsonObject(with: singleJSON) as! [String: Any]
        let level = ((document["cases"] as! [[String: Any]])[0]["levels"] as! [[String: Any]])[0]
        XCTAssertNotNil(level["distribution_rate_percent"] as? Double)
        XCTAssertEqual((level["cement_centroid_mm"] as? [Double])?.count, 3)
        XCTAssertEqual((document["parameters"] as! [String: Any])["cement_threshold_hu"] as? Double, 1000)
    }

    func testMergeRefusesDuplicateMissingIncompleteAndMixedShards() throws {
        let folder = temporaryFolder()
        let all = cases(["A1", "B2", "C3", "D4", "E5", "F6"])
        var files: [(path: String, results: BatchResults)] = []
        for index in 0..<2 {
            let path = folder + "/shard-\(index).json"
            _ = try run(all, shard: try Shard(index: index, count: 2), out: path)
            files.append((path, try XCTUnwrap(ResultsFile.read(path))))
        }
        XCTAssertNoThrow(try ResultsMerge.merge(files))
        func refusal(_ files: [(path: String, results: BatchResults)]) -> String {
            do {
                _ = try ResultsMerge.merge(files)
                return "merged"
            } catch {
                return error.description
            }
        }
        XCTAssertTrue(refusal(files + [files[0]]).hasPrefix("duplicate shard: \(files[0].path) and \(files[0].path)"))
        XCTAssertEqual(refusal([files[1]]), "missing shard(s) 0/2 (1 of 2 shard files given)")
        var other = files[1]
        other.results.engineVersion = "1.0.0"
        XCTAssertTrue(refusal([files[0], other]).hasPrefix("mixed engine versions: \(other.path) was measured with engine 1.0.0"))
        other = files[1]
        other.results.parameters["cement_threshold_hu"] = .number(1100)
        XCTAssertTrue(refusal([files[0], other]).hasPrefix("mixed engine parameters"))
        // Shard 1 of a manifest with one more case: another batch.
        let grown = all + [BatchCase(id: "G7", path: Self.series[0])]
        _ = try run(grown, shard: try Shard(index: 1, count: 2), out: folder + "/grown-1.json")
        let foreign = (folder + "/grown-1.json", try XCTUnwrap(ResultsFile.read(folder + "/grown-1.json")))
        XCTAssertTrue(refusal([files[0], foreign]).contains("not the same batch"))
        // An interrupted shard: assigned cases without results.
        var interrupted = BatchResults(engineVersion: files[0].results.engineVersion, parameters: files[0].results.parameters,
                                       cases: Array(files[0].results.cases.dropFirst()))
        interrupted.assign(try Shard(index: 0, count: 2), manifestIDs: all.map(\.id))
        XCTAssertTrue(refusal([(folder + "/cut.json", interrupted), files[1]])
            .hasPrefix("\(folder)/cut.json: shard 0/2 is incomplete: 1 of its \(files[0].results.cases.count) case(s)"))
        // A case written into the other shard's file.
        var moved = files[1].results
        moved.record(files[0].results.cases[0])
        XCTAssertTrue(refusal([files[0], (files[1].path, moved)]).contains("does not belong to shard 1/2"))
        XCTAssertTrue(refusal([(folder + "/whole.json", files[0].results.whole)]).contains("not a shard's results"))
    }

    // MARK: failures and resumes

    func testFailedCasesStayFailedUntilRetriedAndResumeAddsNoRows() throws {
        let folder = temporaryFolder()
        let missing = folder + "/later"
        let all = cases(["A1", "B2"]) + [BatchCase(id: "Z9", path: missing)]
        let out = folder + "/results.csv"
        let first = try run(all, out: out)
        XCTAssertEqual(first.failures.map(\.caseID), ["Z9"])
        XCTAssertTrue(first.failures[0].error?.contains(missing) == true, first.failures[0].error ?? "")
        let written = try Data(contentsOf: URL(fileURLWithPath: out))

        let resumed = try run(all, out: out)
        XCTAssertEqual(resumed.attempted, 0)
        XCTAssertEqual(resumed.alreadyMeasured, 2)
        XCTAssertEqual(resumed.earlierFailures.map(\.caseID), ["Z9"], "a failed case is not 'already measured'")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), written, "a resume rewrites the same bytes")

        try FileManager.default.copyItem(atPath: Self.series[0], toPath: missing)
        XCTAssertEqual(try run(all, out: out).failures.map(\.caseID), ["Z9"], "without --retry-failed the failure stays")
        let retried = try run(all, redo: .failed, out: out)
        XCTAssertEqual(retried.attempted, 1)
        XCTAssertTrue(retried.failures.isEmpty)
        let rows = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.count, 4, "a header and one row per case")
        XCTAssertEqual(try run(all, redo: .all, out: out).attempted, 3)
    }

    func testResumeRefusesResultsOfAnotherEngineVersion() throws {
        let folder = temporaryFolder()
        let out = folder + "/results.csv"
        let parameters = try FlatFields.of(RateEngine.Parameters())
        try ResultsFile.write(BatchResults(engineVersion: "0.9.0", parameters: parameters,
                                           cases: [CaseResult(caseID: "A1", status: .measured)]), to: out)
        XCTAssertThrowsError(try run(cases(["A1"]), out: out)) {
            XCTAssertTrue("\($0)".contains("engine 0.9.0") && "\($0)".contains("--force"), "\($0)")
        }
        XCTAssertEqual(try run(cases(["A1"]), redo: .all, out: out).results.engineVersion, RateEngine.version)
    }

    func testManifestWithHostileIDsAndItsErrors() throws {
        let folder = temporaryFolder()
        let manifest = folder + "/manifest.csv"
        // Quoted as RFC 4180 prescribes, written by hand.
        try "case_id,path\n\"a,1\",ct/a\n\"b \"\"2\"\"\",/abs/b\n\"c\nd\",ct/c\n".write(toFile: manifest, atomically: true, encoding: .utf8)
        XCTAssertEqual(try BatchCase.list(manifest), [BatchCase(id: "a,1", path: folder + "/ct/a"), BatchCase(id: "b \"2\"", path: "/abs/b"),
                                                      BatchCase(id: "c\nd", path: folder + "/ct/c")])
        try "case_id,path\nx,ct/a\ny,ct/b\nx,ct/c\n".write(toFile: manifest, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try BatchCase.list(manifest)) {
            XCTAssertEqual("\($0)", "\(manifest): row 4, column case_id: \"x\" already appears in row 2")
        }
        try "id,path\nx,ct/a\n".write(toFile: manifest, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try BatchCase.list(manifest)) { XCTAssertTrue("\($0)".contains("row 1"), "\($0)") }
    }
}
