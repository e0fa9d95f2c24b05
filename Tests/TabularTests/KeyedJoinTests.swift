import Foundation
import XCTest

@testable import Tabular

/// The one-to-one join of a clinical table and rate-batch results: columns as documented, rows in the first
/// table's order, and errors that count and name the keys that break the join. Expected values are written out by
/// hand from the small tables below.
final class KeyedJoinTests: XCTestCase {
    private func table(_ text: String, _ path: String) throws -> CSVTable { try CSVTable(data: Data(text.utf8), path: path) }

    private func join(_ clinical: String, _ ct: String) throws -> KeyedJoin {
        try KeyedJoin([KeyedJoin.Part(name: "clinical", table: try table(clinical, "clinical.csv")),
                       KeyedJoin.Part(name: "ct", table: try table(ct, "results.csv"))], on: "case_id")
    }

    private func message(_ clinical: String, _ ct: String) -> String {
        do {
            _ = try join(clinical, ct)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func testRowsFollowTheFirstTableAndSharedNamesAreQualified() throws {
        let joined = try join("case_id,age,level\nP2,70,L1\nP1,80,T12\n",
                              "case_id,distribution_rate_percent,level\nP1,12.5,L2\nP2,,L1\n")
        XCTAssertEqual(joined.columns.map(\.uniqueName),
                       ["case_id", "age", "clinical.level", "distribution_rate_percent", "ct.level"])
        XCTAssertEqual(joined.columns[0].cells, ["P2", "P1"])
        XCTAssertEqual(joined.columns[3].cells, [nil, "12.5"], "P2's empty cell stays missing, P1's value moves to row 2")
        XCTAssertEqual(joined.columns[4].cells, ["L1", "L2"])
        let names = joined.allNames.map(\.name)
        XCTAssertTrue(names.contains("ct.distribution_rate_percent") && names.contains("clinical.age"), "\(names)")
        XCTAssertFalse(names.contains("level"), "a shared name is ambiguous and only reachable qualified")
    }

    func testUnmatchedKeysAreCountedAndListedBothWays() {
        XCTAssertEqual(message("case_id,age\nP1,80\nP2,70\nP3,60\n", "case_id,dr\nP1,5\nP9,7\n"),
                       "results.csv: joining on 'case_id': 2 of 3 rows of clinical (clinical.csv) have no row in ct: P2, P3; "
                       + "1 of 2 rows of ct have no row in clinical: P9")
    }

    func testDuplicatedKeysNameTheirRows() {
        XCTAssertEqual(message("case_id,age\nP1,80\nP2,70\n", "case_id,dr\nP1,5\nP2,6\nP1,7\nP2,8\nP2,9\n"),
                       "results.csv: 2 values of the join key 'case_id' appear more than once: P1 (rows 1, 3); "
                       + "P2 (rows 2, 4, 5) — each case_id must have one row in every table")
    }

    func testAMissingKeyColumnOrAnEmptyKeyIsAnError() {
        XCTAssertEqual(message("case_id,age\nP1,80\n", "case_no,dr\nP1,5\n"),
                       "results.csv: no column 'case_id' (did you mean 'case_no'?); columns: case_no, dr")
        XCTAssertEqual(message("case_id,age\nP1,80\n,70\n", "case_id,dr\nP1,5\n"),
                       "clinical.csv: row 2 (line 3): the join key 'case_id' is empty")
    }
}
