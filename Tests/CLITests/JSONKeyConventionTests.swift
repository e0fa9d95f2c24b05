import CLITestSupport
import Foundation
import XCTest

/// One key convention across the CLI's `--json` output: snake_case. `CommandRunner` checks every `cement … --json`
/// the CLI tests run (rate, inspect, phantom, verify, rate-batch, audit ingest and cases, pacs, some stats); this
/// test runs what they do not (every `stats` family, `check-paper`) and checks the checker itself.
final class JSONKeyConventionTests: XCTestCase {
    func testTheCheckerFindsEveryOtherConvention() {
        let json: [String: Any] = ["series_uid": "1", "seriesUID": "2", "ci_low": [["pValue": 1, "p": 2]], "Mixed_case": 0,
                                   "a__b": 0, "trailing_": 0, "_leading": 0, "level2_ml": ["x-y": 0]]
        XCTAssertEqual(JSONKeyConvention.violations(in: json),
                       ["Mixed_case", "_leading", "a__b", "ci_low[0].pValue", "level2_ml.x-y", "seriesUID", "trailing_"])
        XCTAssertEqual(JSONKeyConvention.violations(in: ["groups": ["Low": ["n": 1]]], dataKeyed: ["groups"]), [],
                       "a map keyed by data (group labels) is checked only inside")
        XCTAssertEqual(JSONKeyConvention.violations(in: ["groups": ["Low": ["nValue": 1]]], dataKeyed: ["groups"]),
                       ["groups[\"Low\"].nValue"])
        XCTAssertEqual(JSONKeyConvention.violations(inOutput: Data("{\"a\":1}\n{\"bC\":2}\n".utf8)), ["line 2.bC"],
                       "JSON lines are checked line by line")
    }

    func testEveryStatsFamilyAndCheckPaperAnswerInSnakeCase() throws {
        let folder = NSTemporaryDirectory() + "cementreport-json-keys-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let csv = folder + "/data.csv"
        var rows = ["g,v,x,y,s,t0,t1,t2"]
        for i in 0..<18 {
            let g = ["a", "b", "c"][i % 3]
            rows.append("\(g),\(Double(i % 7) + Double(i % 3) * 1.5),\(i),\(Double(i * i % 11) + 0.5),\(i % 2 == 0 ? "F" : "M"),"
                        + "\(10 + i % 4),\(12 + i % 5),\(15 + i % 3)")
        }
        try (rows.joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let group = ["--value", "v", "--group", "g"], pair = ["--value", "v", "--group", "g", "--levels", "a,b"]
        let runs: [[String]] = ["describe", "anova", "welch", "lsd", "bonferroni", "tukey", "levene", "shapiro", "kruskal"]
            .map { ["stats", $0, csv] + group }
            + ["ttest", "mannwhitney"].map { ["stats", $0, csv] + pair }
            + ["chisq", "fisher"].map { ["stats", $0, csv, "--row", "s", "--col", "g"] }
            + ["pearson", "spearman", "regression"].map { ["stats", $0, csv, "--x", "x", "--y", "y"] }
            + [["stats", "paired-t", csv, "--columns", "t0,t1"], ["stats", "rm-anova", csv, "--columns", "t0,t1,t2"],
               ["check-paper"]]
        for arguments in runs {
            let run = try CommandRunner.run(arguments + ["--json"])
            XCTAssertEqual(run.status, 0, "\(arguments): \(run.stderr)")
            let json = try JSONSerialization.jsonObject(with: run.stdoutData)
            XCTAssertEqual(JSONKeyConvention.violations(in: json), [], "\(arguments)")
            XCTAssertFalse((json as? [String: Any] ?? [:]).isEmpty, "\(arguments) printed a JSON object")
        }
    }
}
