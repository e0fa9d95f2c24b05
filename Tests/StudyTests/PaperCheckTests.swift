import Foundation
import XCTest

@testable import Study

/// Expected values come from SciPy 1.17 and R 4.2.2, computed independently of this package (commands below).
final class PaperCheckTests: XCTestCase {
    private var study: PublishedStudy {
        get throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            return try PublishedStudy.load(root.appendingPathComponent("data/published.json").path)
        }
    }

    func testReportedPValuesBecomeIntervals() {
        XCTAssertEqual(ReportedP("<0.001").map { [$0.low, $0.high] }, [0, 0.001])
        XCTAssertEqual(ReportedP("0.035")!.low, 0.0345, accuracy: 1e-12)
        XCTAssertEqual(ReportedP("0.035")!.high, 0.0355, accuracy: 1e-12)
        XCTAssertEqual(ReportedP(">0.05").map { [$0.low, $0.high] }, [0.05, 1])
        XCTAssertNil(ReportedP("n.s."))
    }

    func testANOVAFromSummaryStatisticsOverTheRoundingBox() throws {
        // scipy: F = (40·Σ(m − m̄)²/2) / mean(s²), P = f.sf(F, 2, 117); the range by a 21³ grid over the means' box
        // with the SDs at their lower and upper bounds (an inner approximation of the exact range).
        let check = PaperCheck(study: try study)
        let age = try XCTUnwrap(check.anovaRange(means: [74.3, 72.8, 73.6], sds: [5.7, 5.0, 4.8], decimals: 1))
        XCTAssertEqual(age.central.p, 0.4345375105, accuracy: 1e-9)
        XCTAssertLessThanOrEqual(age.low, 0.37935035 + 1e-8)
        XCTAssertGreaterThan(age.low, 0.37)
        XCTAssertGreaterThanOrEqual(age.high, 0.49068209 - 1e-8)
        XCTAssertLessThan(age.high, 0.50)
        let height = try XCTUnwrap(check.anovaRange(means: [23.1, 22.2, 21.6], sds: [2.1, 3.1, 1.5], decimals: 1))
        XCTAssertEqual(height.central.p, 0.0172513607, accuracy: 1e-9)
        XCTAssertLessThanOrEqual(height.low, 0.00807354 + 1e-8)
        XCTAssertGreaterThan(height.low, 0.0065, "the printed 0.006 stays outside the range")
        XCTAssertGreaterThanOrEqual(height.high, 0.03361362 - 1e-8)
    }

    func testGRIMMERLatticeOfAttainablePValues() throws {
        // An independent Python enumeration (scipy f.sf) of every group sum S and sum of squares Q with Q ≡ S (mod 2)
        // whose mean and SD print as published with halves rounded up: ODI at 1 year (40 scores in steps of 2,
        // means 17.2/18.3/18.9, SDs 4.6/4.1/4.6) allows 84 distinct P from 0.19986 to 0.25236, so not the printed
        // 0.260; VAS before surgery (7.1/7.3/7.2, 0.8/1.1/1.1) allows 571 (distinct to 11 decimals) from 0.44680 to
        // 0.86568, three of them in the printed 0.653's interval.
        let check = PaperCheck(study: try study)
        let odi = check.latticePValues(means: [17.2, 18.3, 18.9], sds: [4.6, 4.1, 4.6], decimals: 1, step: 2)
        XCTAssertEqual(Set(odi.map { ($0 * 1e11).rounded() }).count, 84)
        XCTAssertEqual(odi.first!, 0.19985518346253214, accuracy: 1e-10)
        XCTAssertEqual(odi.last!, 0.2523640760168314, accuracy: 1e-10)
        let vas = check.latticePValues(means: [7.1, 7.3, 7.2], sds: [0.8, 1.1, 1.1], decimals: 1, step: 1)
        XCTAssertEqual(Set(vas.map { ($0 * 1e11).rounded() }).count, 571)
        XCTAssertEqual(vas.first!, 0.44679532713771875, accuracy: 1e-10)
        XCTAssertEqual(vas.last!, 0.8656814065083357, accuracy: 1e-10)
        XCTAssertEqual(vas.filter { (0.6525...0.6535).contains($0) }.count, 3)
        // GRIM: 40 whole numbers cannot have a mean that prints as 7.31 (a multiple of 0.025 is needed).
        XCTAssertEqual(check.latticePValues(means: [7.31, 7.3, 7.2], sds: [0.8, 1.1, 1.1], decimals: 2, step: 1), [])
    }

    func testCorrelationPFromRAndN() throws {
        // R: f <- function(r) 2 * pt(-abs(r) * sqrt(118 / (1 - r^2)), 118); f(0.2855); f(0.2845)
        let (low, high) = PaperCheck(study: try study).correlationRange(r: 0.285, decimals: 3, n: 120)
        XCTAssertEqual(low, 0.00157326432470376, accuracy: 1e-12)
        XCTAssertEqual(high, 0.00163681402844469, accuracy: 1e-12)
    }

    func testTheAuditFindsThePapersInconsistencies() throws {
        // Independent grounds for each: ANOVA ranges above (age 0.379–0.491 vs 0.155; course 0.363–0.475 vs 0.967;
        // height at 1 year 0.008–0.034 vs 0.006); chisq.test(matrix(c(2, 38, 5, 35, 10, 30), 2)) gives 0.0348,
        // which the abstracts print as <0.001; prop.test(c(2, 5), c(40, 40)) and fisher.test give P > 0.2 for the
        // claimed high-vs-medium difference in secondary fractures; the LSD t for medium vs low height at 1 year is
        // (22.2 − 21.6) / √(mean(2.1², 3.1², 1.5²)·2/40) = 1.15 on 117 df (P ≈ 0.25); the English abstract calls
        // r = 0.345 (the height ratio in Table 4) the height.
        let codebook = try Codebook.load(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("data/codebook.csv").path)
        let findings = PaperCheck(study: try study, codebook: codebook).findings()
        let lattice = findings.filter { !$0.consistent && $0.note?.contains("GRIMMER") == true }.map { "\($0.where) \($0.variable)" }
        XCTAssertEqual(lattice, ["table2 odi_1y"], "the recording grid rules out the printed P of ODI at 1 year only")
        let inconsistent = Set(findings.filter { !$0.consistent }.map { "\($0.where) \($0.variable) \($0.kind.rawValue)" })
        XCTAssertEqual(inconsistent, [
            "table1 age_years p_value", "table1 course_days p_value", "table3 height_1y_mm p_value",
            "abstract_zh height_1y_mm p_value", "abstract_en height_1y_mm p_value",
            "abstract_zh secondary_fracture p_value", "abstract_en secondary_fracture p_value",
            "abstract_en height_ratio_1y label", "results_2.2 secondary_fracture pairwise_claim",
            "results_2.3 height_1y_mm pairwise_claim", "table2 odi_1y p_value",
        ])
        // Every printed row, correlation, abstract value and text claim is checked.
        XCTAssertGreaterThanOrEqual(findings.count, 70)
        for finding in findings where finding.kind == .pValue && finding.where.hasPrefix("table") {
            XCTAssertNotNil(finding.recomputedRange)
        }
    }

    func testMalformedFileIsAnErrorNamingIt() throws {
        let path = NSTemporaryDirectory() + "published-\(UUID().uuidString).json"
        try Data(#"{"design": {"per_group": 40}}"#.utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try PublishedStudy.load(path)) { error in
            XCTAssertTrue("\(error)".contains(path) && "\(error)".contains("missing"), "\(error)")
        }
        // An unknown row kind is an error naming its place, not a row skipped by check-paper and verify.
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let published = try String(contentsOfFile: repository + "/data/published.json", encoding: .utf8)
        let renamed = published.replacingOccurrences(of: "\"kind\": \"count_percent\"", with: "\"kind\": \"median_iqr\"")
        XCTAssertNotEqual(renamed, published)
        try Data(renamed.utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try PublishedStudy.load(path)) { error in
            XCTAssertTrue("\(error)".contains(path) && "\(error)".contains("invalid value at") && "\(error)".contains("kind"),
                          "\(error)")
        }
    }

    /// A row missing a group, or a claim naming a group the design does not have, is an error at load time naming
    /// the place, where check-paper and verify once crashed on a force unwrap or skipped the claim.
    func testAMissingGroupOrUnknownClaimGroupIsAnErrorNamingThePlace() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: repository + "/data/published.json"))) as? [String: Any])
        var table2 = try XCTUnwrap(json["table2"] as? [String: Any])
        var vas = try XCTUnwrap(table2["vas_1d"] as? [String: Any])
        var groups = try XCTUnwrap(vas["groups"] as? [String: Any])
        groups["medium"] = nil
        vas["groups"] = groups
        table2["vas_1d"] = vas
        json["table2"] = table2
        let path = NSTemporaryDirectory() + "published-\(UUID().uuidString).json"
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try PublishedStudy.load(path)) { error in
            XCTAssertEqual("\(error)", "\(path): table2.vas_1d.groups: no group 'medium'")
        }
        var fixed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: repository + "/data/published.json"))) as? [String: Any])
        var claims = try XCTUnwrap(fixed["text_claims"] as? [[String: Any]])
        let index = try XCTUnwrap(claims.firstIndex { $0["kind"] as? String == "pairwise_claim" })
        claims[index]["b"] = "middle"
        fixed["text_claims"] = claims
        try JSONSerialization.data(withJSONObject: fixed).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try PublishedStudy.load(path)) { error in
            XCTAssertTrue("\(error)".contains("text_claims[\(index)]") && "\(error)".contains("no group 'middle'"), "\(error)")
        }
    }
}
