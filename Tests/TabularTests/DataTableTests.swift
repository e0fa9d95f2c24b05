import Foundation
import XCTest

@testable import Tabular

/// The one data table: missing values, complete rows, grouping, typed columns and exact decimal centring. Every
/// expected value is counted or worked out by hand from the small tables below (closed forms, noted per test).
final class DataTableTests: XCTestCase {
    /// id, group and two numbers; row 2 has an empty x, row 4 no group (NA), row 5 an empty y.
    private let csv = "id,g,x,y\nP1,a,1.5,2\nP2,b,,3\nP3,a,2.5,NA\nP4,NA,4,5\nP5,c,3,\nP6,b,6,7\n"

    private func table(kinds: [String: DataTable.Kind] = [:]) throws -> DataTable {
        try DataTable(CSVTable(data: Data(csv.utf8), path: "t.csv"), kinds: kinds)
    }

    func testMissingCellsAreNilAndCompleteRowsReportTheNUsed() throws {
        let t = try table()
        XCTAssertEqual(t.names, ["id", "g", "x", "y"])
        XCTAssertEqual(t.rowCount, 6)
        XCTAssertEqual(try t.numbers("x"), [1.5, nil, 2.5, 4, 3, 6], "an empty cell is missing")
        XCTAssertEqual(try t.numbers("y"), [2, 3, nil, 5, nil, 7], "NA and an empty last cell are missing")
        // By hand: x is missing in P2; y in P3 and P5; g in P4.
        XCTAssertEqual(try t.complete(columns: ["x"]), DataTable.Complete(rows: [0, 2, 3, 4, 5], dropped: 1))
        let xy = try t.complete(columns: ["x", "y"])
        XCTAssertEqual(xy.rows, [0, 3, 5])
        XCTAssertEqual([xy.used, xy.dropped], [3, 3])
        XCTAssertEqual(try t.complete(columns: ["g", "x", "y"], rows: [0, 1, 3, 5]).rows, [0, 5], "within the rows given")
    }

    func testGroupingFollowsTheLevelsAndCountsTheRowsLeftOut() throws {
        let t = try table()
        let all = try t.grouped(by: "g")
        XCTAssertEqual(all.labels, ["a", "b", "c"], "order of first appearance")
        XCTAssertEqual(all.rows, [[0, 2], [1, 5], [4]])
        XCTAssertEqual([all.missing, all.outside], [1, 0], "P4 has no group")
        let chosen = try t.grouped(by: "g", levels: ["b", "a"])
        XCTAssertEqual(chosen.labels, ["b", "a"])
        XCTAssertEqual(chosen.rows, [[1, 5], [0, 2]])
        XCTAssertEqual([chosen.missing, chosen.outside], [1, 1], "P5 is in c, not asked for")
        let empty = try t.grouped(by: "g", levels: ["z"])
        XCTAssertEqual(empty.rows, [[]], "a level without rows is an empty group, for the caller to name")
    }

    func testCentringKeepsTheDecimalDigitsOfLargeValues() throws {
        // Values near 1e12, where doubles are 1.2e-4 apart: the deviations from the first value are exactly
        // 0, 0.1, 0.2 and 0.5, 0.6, 0.8. By hand, the within-group sum of squares is 0.02 + 0.14/3 = 1/15.
        let texts = ["1000000000000.4", "1000000000000.5", "1000000000000.6", "1000000000000.9", "1000000000001.0",
                     "1000000000001.2"]
        let t = try DataTable(source: "t", columns: [("g", ["a", "a", "a", "b", "b", "b"]), ("v", texts)])
        let groups = try t.centred("v", in: try t.grouped(by: "g").rows)
        XCTAssertEqual(groups.count, 2)
        func withinSS(_ groups: [[Double]]) -> Double {
            groups.reduce(0) { total, values in
                let mean = values.reduce(0, +) / Double(values.count)
                return total + values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            }
        }
        for (value, expected) in zip(groups.joined(), [0, 0.1, 0.2, 0.5, 0.6, 0.8]) { XCTAssertEqual(value, expected, accuracy: 1e-15) }
        XCTAssertEqual(withinSS(groups), 1.0 / 15, accuracy: 1e-15)
        // The reason: the same sums from the values as doubles are off in the fourth digit.
        let raw = try t.numbers("v").map { $0! }
        XCTAssertGreaterThan(abs(withinSS([Array(raw[0..<3]), Array(raw[3...])]) - 1.0 / 15) / (1.0 / 15), 1e-4)
        XCTAssertEqual(try t.centred("v", in: [[0, 2], []]), [[0, 0.2], []], "an empty group stays empty")
    }

    func testCentringSkipsMissingCells() throws {
        let t = try table()
        // x in group a (P1, P3) and b (P2 missing, P6): deviations from 1.5 are 0, 1 and 4.5.
        XCTAssertEqual(try t.centred("x", in: try t.grouped(by: "g", levels: ["a", "b"]).rows), [[0, 1], [4.5]])
    }

    func testTypedColumnsRejectWhatTheyCannotHold() throws {
        XCTAssertThrowsError(try DataTable(source: "d.csv", columns: [("x", ["1", "abc"])], kinds: ["x": .numeric])) { error in
            XCTAssertEqual("\(error)", "d.csv: row 2, column 'x': 'abc' is not a number", "a numeric column is checked up front")
        }
        XCTAssertThrowsError(try DataTable(source: "d.csv", columns: [("x", ["0x1p3"])], kinds: ["x": .numeric])) { error in
            XCTAssertEqual("\(error)", "d.csv: row 1, column 'x': '0x1p3' is not a decimal number")
        }
        let t = try table(kinds: ["g": .categorical, "x": .numeric])
        XCTAssertEqual(t.kind(of: "g"), .categorical)
        XCTAssertNil(t.kind(of: "id"))
        XCTAssertThrowsError(try t.numbers("g")) { error in
            XCTAssertEqual("\(error)", "t.csv: column 'g' holds categories, not numbers")
        }
        XCTAssertThrowsError(try t.numbers("id"), "an undeclared column fails where it is read") { error in
            XCTAssertEqual("\(error)", "t.csv: row 1, column 'id': 'P1' is not a number")
        }
        XCTAssertThrowsError(try t.texts("xx")) { error in
            XCTAssertEqual("\(error)", "t.csv: no column 'xx' (did you mean 'x'?); columns: id, g, x, y")
        }
    }

    func testARepeatedNameKeepsItsFirstColumn() throws {
        let t = try DataTable(source: "t", columns: [("a", ["1"]), ("b", ["2"]), ("a", ["3"])])
        XCTAssertEqual(t.names, ["a", "b"])
        XCTAssertEqual(t["a"], ["1"])
    }
}
