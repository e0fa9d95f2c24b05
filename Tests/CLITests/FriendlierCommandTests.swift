import CLITestSupport
import Foundation
import XCTest

/// What issue 19 asked of the commands' wording: `rate` says which level, series, threshold and where masks went;
/// `figure overlay` measures by itself and spells the window options unambiguously; `join` counts what does not
/// match; `stats ttest` gives the mean difference with its CI (values against R in MeanDifferenceTests).
final class FriendlierCommandTests: XCTestCase {
    private func cement(_ arguments: [String], in folder: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let run = try CommandRunner.run(arguments, in: folder)
        return (run.status, run.stdout, run.stderr)
    }

    private func folder() throws -> String {
        let path = NSTemporaryDirectory() + "cementreport-friendly-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func testRateAndOverlayWording() throws {
        let work = try folder()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let phantom = try cement(["phantom", "scan", "--dr", "18", "--seed", "5", "--realism", "classic", "--matrix", "128",
                                  "--thickness", "2", "--leakage", "none", "--level", "L2"], in: work)
        XCTAssertEqual(phantom.status, 0, phantom.stderr)
        let rate = try cement(["rate", "scan", "--cement-hu", "950", "--export-masks", "masks"], in: work)
        XCTAssertEqual(rate.status, 0, rate.stderr)
        for expected in ["(scan, ", "cement at or above 950 HU", "level 1 of 1 (cement centre L ", "vertebra L2 (phantom truth)",
                         "masks of every level written to masks: ct.nii.gz, level-N-body.nii.gz, level-N-cement.nii.gz, fraction maps and masks.json"] {
            XCTAssertTrue(rate.stdout.contains(expected), "missing '\(expected)' in:\n\(rate.stdout)")
        }
        // No masks: the engine segments the series; the old --level spelling still works, with a warning.
        let overlay = try cement(["figure", "overlay", "scan", "--level", "300", "--out", "a.svg"], in: work)
        XCTAssertEqual(overlay.status, 0, overlay.stderr)
        XCTAssertTrue(overlay.stderr.contains("--level is deprecated here; use --window-level")
                      && overlay.stderr.contains("engine DR "), overlay.stderr)
        let both = try cement(["figure", "overlay", "scan", "--level", "300", "--window-level", "300", "--out", "b.svg"], in: work)
        XCTAssertEqual(both.status, 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/b.svg"))
    }

    func testJoinCountsUnmatchedCasesAndTTestGivesTheDifference() throws {
        let work = try folder()
        defer { try? FileManager.default.removeItem(atPath: work) }
        try "case_id,x\nA,1\nB,2\nC,3\n".write(toFile: work + "/clinical.csv", atomically: true, encoding: .utf8)
        try "case_id,y,group\nA,5,g\nB,7,h\nD,9,h\n".write(toFile: work + "/results.csv", atomically: true, encoding: .utf8)
        let bad = try cement(["join", "clinical.csv", "results.csv", "--out", "j.csv"], in: work)
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("1 of 3 rows of clinical (clinical.csv) have no row in results: C; "
                                          + "1 of 3 rows of results have no row in clinical: D"), bad.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/j.csv"))

        // Two groups of three, means 2 and 5: the difference is −3 by hand; the CI is checked against R elsewhere.
        try "v,g\n1,a\n2,a\n3,a\n4,b\n5,b\n6,b\n".write(toFile: work + "/t.csv", atomically: true, encoding: .utf8)
        let ttest = try cement(["stats", "ttest", "t.csv", "--value", "v", "--group", "g", "--json"], in: work)
        XCTAssertEqual(ttest.status, 0, ttest.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(ttest.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["mean_difference"] as? Double ?? .nan, -3, accuracy: 1e-12)
        XCTAssertEqual(json["difference_of"] as? String, "a − b")
        XCTAssertLessThan(json["ci_low"] as? Double ?? .nan, -3)
        XCTAssertGreaterThan(json["ci_high"] as? Double ?? .nan, -3)
    }
}
