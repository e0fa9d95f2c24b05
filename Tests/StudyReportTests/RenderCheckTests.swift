import Foundation
import Report
import StudyReport
import XCTest

/// `cement render --check`: the values directives print, set against the paper's printed numbers
/// (data/published.json) on the bundled synthetic cohort.
final class RenderCheckTests: XCTestCase {
    private let registry = DirectiveRegistry.standard.adding(StudyDirectives())
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    private func document(_ body: String) throws -> Document {
        let folder = NSTemporaryDirectory() + "cementreport-check-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/t.md"
        try """
            ---
            data: \(root.path)/data/cohort.csv
            codebook: \(root.path)/data/codebook.csv
            published: \(root.path)/data/published.json
            ---
            \(body)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return try ReportRenderer(registry: registry).document(try Template.load(path))
    }

    func testTheAbstractsWholePointVASFailsTheCheckAtItsPosition() throws {
        // The bug of issue 18: the one-year VAS of the high-DR group printed with the raw values' 0 decimals
        // ("2±1") where the paper's abstract and Table 2 print 1.7±0.7.
        let checked = try document("VAS `{mean_sd vas_1y group=high by=dr_group decimals=0}` at one year.")
        let failures = checked.selfCheck.failures
        XCTAssertFalse(failures.isEmpty)
        // Front matter is lines 1–5, the sentence line 6; the directive's "{" is at column 6.
        XCTAssertTrue(failures.allSatisfy { $0.line == 6 && $0.column == 6 }, "\(failures)")
        XCTAssertTrue(failures.contains { $0.message.contains("printed mean 2 for vas_1y (high), the paper prints 1.7 (abstract_en") },
                      "\(failures)")
        XCTAssertTrue(failures.contains { $0.message.contains("table2") })
    }

    func testTheSummaryPrecisionPrintsAsThePaper() throws {
        // 1.7±0.7, 2.2±0.8, 2.3±0.5 and 7.5±1.1 are the paper's abstract (data/published.json); the summary of a
        // whole-number variable gets one decimal more than its values, a measured volume its own one.
        let checked = try document("""
            VAS `{mean_sd vas_1y group=high by=dr_group}` vs `{mean_sd vas_1y group=medium by=dr_group}` vs \
            `{mean_sd vas_1y group=low by=dr_group}`, `{p anova vas_1y by=dr_group}`; cement \
            `{mean_sd cement_ml group=high by=dr_group}` ml; fractures `{count secondary_fracture value=1 group=high by=dr_group}`.
            """)
        let html = HTMLRenderer.render(checked)
        XCTAssertTrue(html.contains("VAS 1.7±0.7 vs 2.2±0.8 vs 2.3±0.5, P\u{00A0}&lt;\u{00A0}0.001; cement 7.5±1.1\u{00A0}ml; fractures 2 (5.0)"), html)
        XCTAssertEqual(checked.selfCheck.failures, [])
        let tally = checked.selfCheck.tally
        XCTAssertEqual(tally.values, 6)
        // Each group's mean and SD stand in Table 2 and both abstracts (3 × 2 × 3), the P in the same three
        // places, the cement volume in Table 1 and both abstracts, the fracture count and percent in Table 2 and
        // both abstracts.
        XCTAssertEqual(tally.match, 18 + 3 + 6 + 6)
    }

    func testATableCellThatDoesNotPrintAsPublishedFailsAtItsLine() throws {
        // Grouped by sex, the summary table's cells stand for no published number (not compared); grouped by the
        // DR group they do, and they print as published (Table 1: age 74.3±5.7 in the high group, sex F 29).
        let checked = try document("""
            ```{summary id=tbl-1 caption="T" by=dr_group levels=high,medium,low}
            age_years
            sex F
            vas_1y
            ```

            ```{summary id=tbl-2 caption="S" by=sex levels=F,M}
            vas_1y
            ```
            """)
        XCTAssertEqual(checked.selfCheck.failures, [])
        let bySex = checked.selfCheck.entries.filter { $0.value.groupColumn == "sex" }
        XCTAssertEqual(bySex.count, 3)
        XCTAssertTrue(bySex.allSatisfy { $0.comparisons.isEmpty })
        let age = checked.selfCheck.entries.filter { $0.value.variable == "age_years" && $0.value.group == "high" }
        XCTAssertEqual(age.first?.value.line, 7)
        XCTAssertEqual(age.first?.comparisons.map(\.status), [.match, .match])
    }
}
