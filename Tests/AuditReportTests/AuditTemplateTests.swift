import AuditReport
import Foundation
import Registry
import Report
import XCTest

/// The shipped audit templates rendered from a real registry file holding hand-made cases: the tables carry the
/// counts these cases imply (worked out by hand below), and the output is the same on every render.
final class AuditTemplateTests: XCTestCase {
    private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Six cases: four in 2026-Q3 (Asia/Shanghai), one in Q2, one just after Q3 ends in Shanghai.
    private func registry() throws -> String {
        let folder = NSTemporaryDirectory() + "cementreport-audit-template-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/registry.sqlite"
        let registry = try CaseRegistry(path: path)
        func level(_ dr: Double, _ group: String, flags: [String] = []) -> RegisteredLevel {
            RegisteredLevel(levelIndex: 0, distributionRatePercent: dr, distributionRateInterval: [dr - 1, dr + 1],
                            group: group, leakageML: 0, qcFlags: flags, needsReview: flags.contains("cement_outside_body"),
                            fieldsJSON: "{}", parametersJSON: "{}", engineVersion: "test", measuredAt: "2026-10-01T00:00:00Z")
        }
        let cases: [(String, String, RegisteredLevel, [String: String])] = [
            ("CAAA", "2026-07-02T01:00:00Z", level(8.5, "low"), ["leakage": "1", "secondary_fracture": "1", "adjacent_fracture": "0"]),
            ("CBBB", "2026-08-10T03:00:00Z", level(14.0, "medium"), ["leakage": "0", "secondary_fracture": "0", "adjacent_fracture": "0"]),
            ("CCCC", "2026-09-20T05:00:00Z", level(22.0, "high", flags: ["cement_outside_body"]),
             ["leakage": "1", "secondary_fracture": "0"]),
            // 23:30 on 30 September in Shanghai: still Q3 there.
            ("CDDD", "2026-09-30T15:30:00Z", level(6.0, "low"), ["leakage": "0"]),
            ("CEEE", "2026-05-05T02:00:00Z", level(16.0, "medium"), ["leakage": "0", "secondary_fracture": "0", "adjacent_fracture": "0"]),
            // 00:30 on 1 October in Shanghai: Q4.
            ("CFFF", "2026-09-30T16:30:00Z", level(9.0, "low"), [:]),
        ]
        for (index, item) in cases.enumerated() {
            try registry.record(RegisteredCase(caseID: item.0, seriesSHA256: String(repeating: String(index), count: 64),
                                               seriesUID: "2.25.\(index + 1)", procedureAt: item.1, treatedLevels: ["L1"],
                                               operatorCode: "OP1", engineVersion: "test", levels: [item.2]),
                                input: "series-\(index)")
            try registry.upsertFollowUp(item.3.map { (item.0, $0.key, $0.value) })
        }
        return path
    }

    private func render(_ name: String, registry: String, period: String = "2026-Q3") throws -> (html: String, pdf: Data) {
        var template = try Template.load(repository + "/report/" + name,
                                         overrides: ["period": period, "time_zone": "Asia/Shanghai"])
        template.extensions["registry"] = registry
        let document = try ReportRenderer(registry: DirectiveRegistry.standard.adding(AuditDirectives()),
                                          toolVersion: "test").document(template)
        return (HTMLRenderer.render(document), try PDFTypesetter().render(document, author: "test"))
    }

    func testTheEnglishTemplateCountsThePeriodsCases() throws {
        let path = try registry()
        let (html, pdf) = try render("audit.en.md", registry: path)
        XCTAssertTrue(pdf.starts(with: Data("%PDF".utf8)))
        // Q3: CAAA, CBBB, CCCC, CDDD; cumulative up to the end of Q3 adds CEEE.
        XCTAssertTrue(html.contains("Period 2026-Q3"), html)
        XCTAssertTrue(html.contains("<th scope=\"row\">Cases</th><td>4</td><td>5</td>"), html)
        // Percent signs are bound to their numbers with a no-break space (UnitBinding).
        // Leakage recorded for all four: 2 of 4; secondary fracture recorded for three: 1 of 3.
        XCTAssertTrue(html.contains("2/4 (50.0\u{00A0}%)"))
        XCTAssertTrue(html.contains("1/3 (33.3\u{00A0}%)"))
        // The benchmark (8 of 120) and its source are cited.
        XCTAssertTrue(html.contains("8/120 (6.7\u{00A0}%)"))
        XCTAssertTrue(html.contains("Li H, Wang YQ"))
        // Low-DR list: CAAA and CDDD, not CFFF (Q4 in Shanghai); follow-up due three months after the local date.
        XCTAssertTrue(html.contains("CAAA") && html.contains("CDDD"))
        XCTAssertTrue(html.contains("<td>2026-09-30</td><td>2026-12-30</td>"), html)
        XCTAssertFalse(html.contains("CFFF"))
        // QC list: CCCC's flag is explained.
        XCTAssertTrue(html.contains("cement_outside_body: more than a tenth of the cement lies outside the body"))
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 2, "two control charts")
        // 95 % Wilson score intervals, closed form (p + z²/2n ± z√(p(1−p)/n + z²/4n²)) / (1 + z²/n) with
        // z = 1.959963984540054, evaluated in Python 3: 2/4 → 0.1500–0.8500, 1/3 → 0.0615–0.7923, 8/120 → 0.0342–0.1261.
        XCTAssertTrue(html.contains("<th scope=\"row\">Cement leakage</th><td>2/4 (50.0\u{00A0}%)</td><td>15.0–85.0\u{00A0}%</td>"
                                    + "<td>8/120 (6.7\u{00A0}%)</td><td>3.4–12.6\u{00A0}%</td>"), html)
        XCTAssertTrue(html.contains("<td>1/3 (33.3\u{00A0}%)</td><td>6.1–79.2\u{00A0}%</td>"), html)
        // DR groups of Q3's four levels: low CAAA 8.5 and CDDD 6.0, medium CBBB 14.0, high CCCC 22.0.
        XCTAssertTrue(html.contains("<th scope=\"row\">low DR</th><td>2/4 (50.0\u{00A0}%)</td>"), html)
        XCTAssertTrue(html.contains("<th scope=\"row\">medium DR</th><td>1/4 (25.0\u{00A0}%)</td><td>14.0</td>"), html)
        XCTAssertTrue(html.contains("<th scope=\"row\">high DR</th><td>1/4 (25.0\u{00A0}%)</td><td>22.0</td>"), html)
        // Completeness: leakage recorded for all four, secondary fracture lacks CDDD, adjacent fracture CCCC and
        // CDDD, and no case has VAS at one year.
        XCTAssertTrue(html.contains("<th scope=\"row\">leakage</th><td>4/4 (100.0\u{00A0}%)</td><td>—</td>"), html)
        XCTAssertTrue(html.contains("<th scope=\"row\">secondary_fracture</th><td>3/4 (75.0\u{00A0}%)</td><td>CDDD</td>"), html)
        XCTAssertTrue(html.contains("<th scope=\"row\">adjacent_fracture</th><td>2/4 (50.0\u{00A0}%)</td><td>CCCC, CDDD</td>"), html)
        XCTAssertTrue(html.contains("<th scope=\"row\">vas_1y</th><td>0/4 (0.0\u{00A0}%)</td><td>CAAA, CBBB, CCCC, CDDD</td>"), html)
    }

    func testTheChineseTemplateRendersAndRenderingIsDeterministic() throws {
        let path = try registry()
        let first = try render("audit.zh.md", registry: path)
        XCTAssertTrue(first.html.contains("本期 2026-Q3"))
        XCTAssertTrue(first.html.contains("骨水泥渗漏"))
        let second = try render("audit.zh.md", registry: path)
        XCTAssertEqual(first.html, second.html)
        XCTAssertEqual(first.pdf, second.pdf)
    }

    func testABadPeriodIsAnErrorAtTheFrontMatter() throws {
        let path = try registry()
        XCTAssertThrowsError(try render("audit.en.md", registry: path, period: "2026-Q5")) { error in
            XCTAssertTrue("\(error)".contains("period '2026-Q5'"), "\(error)")
        }
    }
}
