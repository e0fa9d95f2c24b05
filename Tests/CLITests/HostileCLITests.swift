import CLITestSupport
import Foundation
import XCTest

/// Hostile and degenerate input through the `cement` executable: exit codes, messages and JSON.
final class HostileCLITests: XCTestCase {
    private func cement(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let run = try CommandRunner.run(arguments)
        return (run.status, run.stdout, run.stderr)
    }

    private func temporaryFolder(_ name: String = #function) -> String {
        let path = NSTemporaryDirectory() + "cementreport-hostile-cli/\(name.filter(\.isLetter))-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func testDescribeWithAOneMemberGroupGivesNullWithAReason() throws {
        let csv = temporaryFolder() + "/d.csv"
        try "g,v\na,1\na,3\nb,7\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let json = try cement(["stats", "describe", csv, "--value", "v", "--group", "g", "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let groups = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["groups"]
            as? [[String: Any]])
        let b = try XCTUnwrap(groups.first { $0["label"] as? String == "b" })
        XCTAssertEqual(b["mean"] as? Double, 7)
        XCTAssertTrue(b["sd"] is NSNull, "\(b)")
        XCTAssertEqual(b["undefined"] as? String, "one observation: the SD and SE need at least two")
        // Group a: mean 2, SD √2 (closed form).
        let a = try XCTUnwrap(groups.first { $0["label"] as? String == "a" })
        XCTAssertEqual(a["sd"] as? Double ?? 0, 2.0.squareRoot(), accuracy: 1e-12)
        let text = try cement(["stats", "describe", csv, "--value", "v", "--group", "g"])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertFalse(text.stdout.contains("nan"), text.stdout)
        XCTAssertTrue(text.stdout.contains("7 ± undefined (one observation"), text.stdout)
    }

    func testRepeatedMeasuresWithTwoSubjectsExitsTwo() throws {
        let csv = temporaryFolder() + "/rm.csv"
        try "a,b,c\n1,2,4\n2,3,3\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let result = try cement(["stats", "rm-anova", csv, "--columns", "a,b,c"])
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertTrue(result.stderr.contains("needs at least 4 observations, got 2"), result.stderr)
    }

    func testRenderReadsOutsideTheTemplatesFolderOnlyWithAllowPath() throws {
        let root = temporaryFolder()
        try FileManager.default.createDirectory(atPath: root + "/t", withIntermediateDirectories: true)
        try "Shared text.\n".write(toFile: root + "/shared.md", atomically: true, encoding: .utf8)
        try "---\ntitle: T\n---\n```{include ../shared.md}\n```\n".write(toFile: root + "/t/r.md", atomically: true, encoding: .utf8)
        let refused = try cement(["render", root + "/t/r.md", "--out", root + "/out", "--format", "html"])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("r.md:4:1: '../shared.md' lies outside the template's folder"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/out/r.html"))
        let allowed = try cement(["render", root + "/t/r.md", "--out", root + "/out", "--format", "html", "--allow-path", root])
        XCTAssertEqual(allowed.status, 0, allowed.stderr)
        XCTAssertTrue(try String(contentsOfFile: root + "/out/r.html", encoding: .utf8).contains("<p>Shared text.</p>"))
    }

    func testInspectOfADeviceFileExitsTwo() throws {
        let result = try cement(["inspect", "/dev/zero"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("/dev/zero: not a regular file or folder (a character device)"), result.stderr)
    }

    /// A phantom that cannot be written whole leaves nothing behind: slice 5's name is taken by a folder, so the
    /// series fails when it is moved into place, and no slice, truth file or temporary folder remains.
    func testPhantomThatFailsPartWayLeavesNoSlices() throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/IM00005.dcm", withIntermediateDirectories: false)
        let result = try cement(["phantom", folder, "--realism", "classic", "--dr", "15", "--seed", "3", "--matrix", "256",
                                 "--spacing", "0.8", "--slices", "24"])
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertTrue(result.stderr.contains("IM00005.dcm: is a folder"), result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["IM00005.dcm"])
    }
}
