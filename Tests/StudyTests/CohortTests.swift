import Foundation
import XCTest

@testable import Study

/// The synthetic cohort against the published numbers, with statistics computed here by plain arithmetic
/// (not by the generator's own code).
final class CohortTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    private func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    private func meanSD(_ x: [Double]) -> (Double, Double) {
        let mean = x.reduce(0, +) / Double(x.count)
        let ss = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (mean, (ss / Double(x.count - 1)).squareRoot())
    }

    private func pearson(_ x: [Double], _ y: [Double]) -> Double {
        let (mx, sx) = meanSD(x), (my, sy) = meanSD(y)
        let s = zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        return s / Double(x.count - 1) / (sx * sy)
    }

    func testBundledCohortReproducesEveryPublishedGroupStatisticAndCorrelation() throws {
        let published = try PublishedStudy.load(path("data/published.json"))
        let cohort = try Cohort.load(path("data/cohort.csv"), codebook: try Codebook.load(path("data/codebook.csv")))
        let groups = try cohort.texts("dr_group").map { $0! }
        XCTAssertEqual(groups.count, 120)
        var checked = 0
        for (table, variable, row) in published.rows {
            let values = try cohort.texts(variable).map { $0! }
            for group in ["high", "medium", "low"] {
                let cells = zip(groups, values).filter { $0.0 == group }.map(\.1)
                XCTAssertEqual(cells.count, 40)
                let printed = row.groups[group]!
                switch row.kind {
                case .meanSD:
                    let (mean, sd) = meanSD(cells.map { Double($0)! })
                    XCTAssertEqual(mean, printed[0], accuracy: 0.05, "\(table) \(variable) \(group) mean")
                    XCTAssertEqual(sd, printed[1], accuracy: 0.05, "\(table) \(variable) \(group) SD")
                case .counts:
                    let first = row.levels![0]
                    XCTAssertEqual(cells.filter { $0 == first }.count, Int(printed[0]), "\(table) \(variable) \(group)")
                case .countPercent:
                    XCTAssertEqual(cells.filter { $0 == "1" }.count, Int(printed[0]), "\(table) \(variable) \(group)")
                }
                checked += 1
            }
        }
        XCTAssertEqual(checked, 96)
        let dr = try cohort.numbers("dr_recorded_percent").map { $0! }
        for (variable, correlation) in published.table4 {
            let r = pearson(dr, try cohort.numbers(variable).map { $0! })
            XCTAssertEqual(r, correlation.r, accuracy: 0.0005, variable)
        }
        // Group limits exactly as the paper defines them: low ≤ 10 < medium < 20 ≤ high.
        for (group, value) in zip(groups, dr) {
            switch group {
            case "low": XCTAssertLessThanOrEqual(value, 10)
            case "medium": XCTAssertTrue(value > 10 && value < 20)
            default: XCTAssertGreaterThanOrEqual(value, 20)
            }
        }
    }

    func testGeneratorIsDeterministicAndProducesTheBundledFile() throws {
        let generator = CohortGenerator(published: try PublishedStudy.load(path("data/published.json")),
                                        codebook: try Codebook.load(path("data/codebook.csv")))
        let first = try generator.csv()
        XCTAssertEqual(first, try generator.csv())
        XCTAssertEqual(first, try String(contentsOfFile: path("data/cohort.csv"), encoding: .utf8))
    }

    func testBundledPhantomPlanMatchesTheCohort() throws {
        // data/ct-phantoms.csv must describe the bundled cohort: same cases in the same order, each with the
        // patient's recorded DR and level, leakage only for patients who had it.
        let plan = try PhantomPlan.load(path("data/ct-phantoms.csv"))
        let cohort = try Cohort.load(path("data/cohort.csv"), codebook: try Codebook.load(path("data/codebook.csv")))
        let ids = try cohort.texts("case_id"), rates = try cohort.numbers("dr_recorded_percent")
        let levels = try cohort.texts("level"), leaks = try cohort.texts("leakage")
        XCTAssertEqual(plan.entries.map(\.caseID), ids.map { $0! })
        for (index, entry) in plan.entries.enumerated() {
            XCTAssertEqual(entry.distributionRatePercent, rates[index]!, entry.caseID)
            XCTAssertEqual(entry.level, levels[index]!, entry.caseID)
            XCTAssertEqual(entry.leakage != "none", leaks[index] == "1", entry.caseID)
        }
        XCTAssertEqual(Set(plan.entries.map(\.seed)).count, plan.entries.count, "one seed per patient")
    }

    func testInvalidValuesAreErrorsNamingRowAndColumn() throws {
        let codebook = try Codebook.load(path("data/codebook.csv"))
        var lines = try String(contentsOfFile: path("data/cohort.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        var cells = lines[3].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let column = CohortGenerator.columns.firstIndex(of: "vas_1y")!
        cells[column] = "11"
        lines[3] = cells.joined(separator: ",")
        let bad = NSTemporaryDirectory() + "cohort-\(UUID().uuidString).csv"
        try (lines.joined(separator: "\n") + "\n").write(toFile: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Cohort.load(bad, codebook: codebook)) { error in
            XCTAssertTrue("\(error)".contains("row 3, column 'vas_1y'"), "\(error)")
        }
    }
}
