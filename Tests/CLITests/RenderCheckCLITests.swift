import CLITestSupport
import Foundation
import XCTest

/// `cement render --check` and `--figures` as a user runs them, on the bundled synthetic cohort.
final class RenderCheckCLITests: XCTestCase {
    private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    private func cement(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let run = try CommandRunner.run(arguments)
        return (run.status, run.stderr)
    }

    private func template(_ body: String) throws -> (path: String, folder: String) {
        let folder = NSTemporaryDirectory() + "cementreport-checkcli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/abstract.md"
        try """
            ---
            data: \(repository)/data/cohort.csv
            codebook: \(repository)/data/codebook.csv
            published: \(repository)/data/published.json
            ---
            \(body)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, folder)
    }

    func testTheAbstractBugFailsTheRenderAndNothingIsWritten() throws {
        // "VAS 2±1": the one-year VAS printed with the raw values' 0 decimals; the paper prints 1.7±0.7.
        let (path, folder) = try template("VAS `{mean_sd vas_1y group=high by=dr_group decimals=0}`.")
        let result = try cement(["render", path, "--out", folder + "/out", "--check", "--allow-path", repository + "/data"])
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("abstract.md:6:6: {mean_sd} printed mean 2 for vas_1y (high), the paper prints 1.7"),
                      result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/out"), "nothing written")
    }

    func testAReportThatPrintsAsPublishedPassesAndWritesItsRecordAndFigures() throws {
        let (path, folder) = try template("""
            VAS `{mean_sd vas_1y group=high by=dr_group}`.

            ```{figure id=fig-vas caption="VAS at one year"}
            {"kind": "boxplot", "value": "vas_1y", "group": "dr_group", "levels": ["high", "medium", "low"], "x_label": "DR group"}
            ```
            """)
        let result = try cement(["render", path, "--out", folder + "/out", "--check", "--figures", folder + "/figures",
                                 "--allow-path", repository + "/data"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/out/abstract.check.json")))
        let entries = try XCTUnwrap((record as? [String: Any])?["entries"] as? [[String: Any]])
        XCTAssertEqual(entries.count, 1)
        let comparisons = try XCTUnwrap(entries[0]["comparisons"] as? [[String: Any]])
        XCTAssertEqual(comparisons.count, 6, "mean and SD in Table 2 and both abstracts")
        XCTAssertTrue(comparisons.allSatisfy { $0["status"] as? String == "match" })
        // The figure for a journal: PNG with its resolution (pHYs, 11811 px/m = 300 dpi) and a vector PDF.
        let png = try Data(contentsOf: URL(fileURLWithPath: folder + "/figures/fig-vas.png"))
        XCTAssertEqual(Array(png[37..<41]), Array("pHYs".utf8))
        XCTAssertEqual(Array(png[41..<45]), [0, 0, 0x2E, 0x23])
        XCTAssertTrue(try Data(contentsOf: URL(fileURLWithPath: folder + "/figures/fig-vas.pdf")).starts(with: Data("%PDF".utf8)))
    }
}
