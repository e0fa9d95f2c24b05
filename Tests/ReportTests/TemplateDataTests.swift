import Foundation
import XCTest

@testable import Report

/// `data:` naming several tables joined on a key: directives see the joined columns, the provenance lists every
/// table, and a broken join is an error at the template's `data:` line that counts the keys.
final class TemplateDataTests: XCTestCase {
    private func folder(_ files: [String: String]) throws -> String {
        let folder = NSTemporaryDirectory() + "cementreport-data-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
        return folder
    }

    private let clinical = "case_id,vas_1y\nP1,2\nP2,4\nP3,6\n"
    private let results = "case_id,distribution_rate_percent,group\nP3,8.5,low\nP1,25.04,high\nP2,14.0,medium\n"

    private func render(_ template: String, _ files: [String: String]) throws -> (html: String, document: Document) {
        let folder = try self.folder(files.merging(["r.md": template]) { $1 })
        let document = try ReportRenderer().document(try Template.load(folder + "/r.md"))
        return (HTMLRenderer.render(document), document)
    }

    func testDirectivesReadTheJoinedColumns() throws {
        let template = """
            ---
            title: T
            data: {clinical: clinical.csv, ct: results.csv, join: case_id}
            ---
            P1: DR `{value distribution_rate_percent case=P1 decimals=1}`, group `{value ct.group case=P1}`, VAS `{value vas_1y case=P1}`.
            VAS in the low group `{mean_sd vas_1y group=low by=group decimals=1}`.
            """
        let (html, document) = try render(template, ["clinical.csv": clinical, "results.csv": results])
        // By hand: P1's results row is the second one (25.04 at one decimal); the only low case is P3 (VAS 6).
        XCTAssertTrue(html.contains("P1: DR 25.0, group high, VAS 2."), html)
        XCTAssertTrue(html.contains("VAS in the low group 6.0±"), html)
        let inputs = document.provenance.inputs.map { ($0.path as NSString).lastPathComponent }
        XCTAssertEqual(Set(inputs), ["r.md", "clinical.csv", "results.csv"])
    }

    func testABrokenJoinIsAnErrorAtTheDataLine() throws {
        let template = "---\ntitle: T\nlanguage: en\ndata:\n  clinical: clinical.csv\n  ct: results.csv\n  join: case_id\n---\nText.\n"
        let missing = "case_id,distribution_rate_percent,group\nP1,25.0,high\n"
        XCTAssertThrowsError(try render(template, ["clinical.csv": clinical, "results.csv": missing])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("r.md:4:1: data: ") && text.contains("2 of 3 rows of clinical (")
                          && text.contains("have no row in ct: P2, P3"), text)
        }
        XCTAssertThrowsError(try render("---\ndata: {clinical: clinical.csv, ct: results.csv}\n---\n", ["clinical.csv": clinical])) {
            XCTAssertTrue("\($0)".contains("r.md:2:1: data: names 2 tables but no key to join them on (add join: case_id)"), "\($0)")
        }
        XCTAssertThrowsError(try render("---\ndata: [a.csv, b.csv]\n---\n", [:])) {
            XCTAssertTrue("\($0)".contains("r.md:2:1: data: must name a CSV file, or tables and a key"), "\($0)")
        }
    }
}
