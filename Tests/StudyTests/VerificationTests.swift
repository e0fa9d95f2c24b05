import Foundation
import Tabular
import XCTest

@testable import Study

/// `cement verify` on the bundled cohort and on a tampered copy. Expectations are independent of the verifier:
/// the item count from the structure of data/published.json (a Python count: 3 group sizes and the total, 7 per
/// mean ± SD row, 3 × levels + 1 per count row, 2 per correlation, one per within-group P, the abstracts likewise
/// and one per text claim = 370); the unattainable values are those `PaperCheckTests` derives by hand, from R and
/// from a Python enumeration of the GRIMMER lattice (ODI at 1 year).
final class VerificationTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    private func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    private func verification(_ edit: ((inout [String: [String?]]) -> Void)? = nil) throws -> [VerificationItem] {
        let codebook = try Codebook.load(path("data/codebook.csv"))
        let cohort = try Cohort.load(path("data/cohort.csv"), codebook: codebook)
        var columns: [String: [String?]] = [:]
        for name in cohort.data.names { columns[name] = try cohort.texts(name) }
        edit?(&columns)
        let names = cohort.data.names + columns.keys.filter { !cohort.data.names.contains($0) }.sorted()
        let data = try DataTable(source: "cohort", columns: names.compactMap { name in columns[name].map { (name, $0) } })
        return try StudyVerification(study: try PublishedStudy.load(path("data/published.json")), data: data,
                                     codebook: codebook).items()
    }

    func testBundledCohortReproducesEveryAttainablePublishedNumber() throws {
        let items = try verification()
        XCTAssertEqual(items.count, 370)
        let key = { (item: VerificationItem) in "\(item.where) \(item.variable) \(item.quantity)" }
        XCTAssertEqual(Set(items.filter { $0.status == .unattainable }.map(key)), [
            "table1 age_years p", "table1 course_days p", "table3 height_1y_mm p",
            "abstract_zh height_1y_mm p", "abstract_en height_1y_mm p",
            "abstract_zh secondary_fracture p", "abstract_en secondary_fracture p",
            "results_2.2 secondary_fracture claim", "results_2.3 height_1y_mm claim", "table2 odi_1y p",
        ])
        XCTAssertEqual(items.filter { $0.status == .mismatch }.map(key), [])
        XCTAssertEqual(items.tally.match, 360)
        // Every group of Tables 1-3 has the published size and every count matches exactly.
        for item in items where item.quantity == "n" || item.quantity == "count" {
            XCTAssertEqual(item.status, .match, "\(key(item)) \(item.group ?? "")")
        }
    }

    func testReproducedValuesAreThePlainStatistics() throws {
        let items = try verification()
        // Mean and SD of the high group's age, by plain arithmetic on the CSV.
        let cohort = try Cohort.load(path("data/cohort.csv"), codebook: try Codebook.load(path("data/codebook.csv")))
        let ages = zip(try cohort.texts("dr_group"), try cohort.numbers("age_years")).filter { $0.0 == "high" }.map { $0.1! }
        let mean = ages.reduce(0, +) / Double(ages.count)
        let sd = (ages.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(ages.count - 1)).squareRoot()
        let meanItem = try XCTUnwrap(items.first { $0.where == "table1" && $0.variable == "age_years" && $0.group == "high" && $0.quantity == "mean" })
        let sdItem = try XCTUnwrap(items.first { $0.where == "table1" && $0.variable == "age_years" && $0.group == "high" && $0.quantity == "sd" })
        XCTAssertEqual(Double(meanItem.reproduced)!, mean, accuracy: 5e-4)
        XCTAssertEqual(Double(sdItem.reproduced)!, sd, accuracy: 5e-4)
        // Secondary fractures: chisq.test(matrix(c(2, 38, 5, 35, 10, 30), 2)) in R gives P = 0.03480.
        let p = try XCTUnwrap(items.first { $0.where == "table2" && $0.variable == "secondary_fracture" && $0.quantity == "p" })
        XCTAssertTrue(p.reproduced.hasPrefix("0.0348"), p.reproduced)
        XCTAssertEqual(p.status, .match)
    }

    func testATamperedValueIsAMismatchWhereverItIsPrinted() throws {
        // One high-DR patient's cement volume raised by 10 ml moves the group mean by 0.25 ml.
        let items = try verification { columns in
            let groups = columns["dr_group"]!
            let row = groups.firstIndex(of: "high")!
            columns["cement_ml"]![row] = String(Double(columns["cement_ml"]![row]!)! + 10)
        }
        let flagged = Set(items.filter { $0.status == .mismatch && $0.variable == "cement_ml" }
            .map { "\($0.where) \($0.group ?? "") \($0.quantity)" })
        XCTAssertTrue(flagged.isSuperset(of: ["table1 high mean", "abstract_zh high mean", "abstract_en high mean"]), "\(flagged)")
        XCTAssertFalse(flagged.contains("table1 low mean"))
    }

    func testMissingColumnIsAnErrorNamingIt() throws {
        XCTAssertThrowsError(try verification { $0["vas_1y"] = nil }) { error in
            XCTAssertTrue("\(error)".contains("no column 'vas_1y'"), "\(error)")
        }
    }
}
