import Foundation
import XCTest

@testable import Tabular

/// Small generated files for every structural problem of issue 23: each must be an error naming the file and the
/// row (never "row 1" for all), and a good file must read as written.
final class CSVTableTests: XCTestCase {
    private func table(_ text: String) throws -> CSVTable { try CSVTable(data: Data(text.utf8), path: "t.csv") }

    private func message(_ text: String) -> String {
        message(Data(text.utf8))
    }

    private func message(_ data: Data) -> String {
        do {
            _ = try CSVTable(data: data, path: "t.csv")
            return "no error"
        } catch {
            return error.description
        }
    }

    func testAGoodFileReadsAsWritten() throws {
        let t = try table("id,note,value\nP1,\"a, \"\"quoted\"\" note\",1.5\n\nP2,\"two\nlines\",NA\nP3,,7\n")
        XCTAssertEqual(t.header, ["id", "note", "value"])
        XCTAssertEqual(t.rows.count, 3, "the blank line is no row")
        XCTAssertEqual(t.text(row: 0, column: 1), "a, \"quoted\" note")
        XCTAssertEqual(t.text(row: 1, column: 1), "two\nlines")
        XCTAssertNil(t.text(row: 1, column: 2), "NA is missing")
        XCTAssertNil(t.text(row: 2, column: 1), "an empty cell is missing")
        XCTAssertEqual(try t.number(row: 0, column: 2), 1.5)
        // Line 1 header, 2 P1, 3 blank, 4–5 P2 (a quoted newline), 6 P3.
        XCTAssertEqual(t.lines, [2, 4, 6])
    }

    func testASemicolonFileWithACommaInItsHeaderIsNamedAsSuch() {
        // Excel in a German or French locale: ';' separates, ',' is the decimal mark.
        XCTAssertEqual(message("case_id;bmi (kg/m2, measured);age\nP1;28,6;80\nP2;30;71\n"),
                       "t.csv: row 2 (line 3) has 1 field, the header 2 — the header holds ';': the file seems to be "
                       + "separated by ';'; save it as comma-separated values")
    }

    func testUnterminatedQuoteNamesItsRow() {
        XCTAssertEqual(message("a,b\n1,2\n3,\"x\n4,5\n6,7\n"),
                       "t.csv: row 2 opens a quote that is never closed (the rest of the file would be one field)")
    }

    func testFieldCountsNameRowLineAndCount() {
        XCTAssertEqual(message("a,b\n1,2\n3,4,5\n"), "t.csv: row 2 (line 3) has 3 fields, the header 2")
        XCTAssertEqual(message("a,b\n1,2\n6,7\n3\n"), "t.csv: row 3 (line 4) has 1 field, the header 2")
        XCTAssertEqual(message("a,b\n\"x\ny\",1\n2,3,4\n"), "t.csv: row 2 (line 4) has 3 fields, the header 2")
    }

    func testNumbersAreDecimalFiniteAndInRange() throws {
        let t = try table("id,x\nA,0x1p3\nB,NaN\nC,inf\nD,1e400\nE,1e300\nF,-2.5e-3\nG,abc\n")
        func problem(_ row: Int) -> String {
            do { _ = try t.number(row: row, column: 1); return "no error" } catch { return error.description }
        }
        XCTAssertEqual(problem(0), "t.csv: row 1, column 'x': '0x1p3' is not a decimal number")
        XCTAssertEqual(problem(1), "t.csv: row 2, column 'x': 'NaN' is not a decimal number")
        XCTAssertEqual(problem(2), "t.csv: row 3, column 'x': 'inf' is not a decimal number")
        XCTAssertEqual(problem(3), "t.csv: row 4, column 'x': '1e400' is out of range (at most 1e100 in magnitude)")
        XCTAssertEqual(problem(4), "t.csv: row 5, column 'x': '1e300' is out of range (at most 1e100 in magnitude)")
        XCTAssertEqual(try t.number(row: 5, column: 1), -0.0025)
        XCTAssertEqual(problem(6), "t.csv: row 7, column 'x': 'abc' is not a number")
        for text in ["12", "-0.5", "+3.1E-4", ".5", "5."] { XCTAssertNoThrow(try DecimalNumber.parse(text).get(), text) }
        for text in ["", "e5", "1e", "1.2.3", "1,5", " 1", "0x10", "Infinity"] {
            XCTAssertThrowsError(try DecimalNumber.parse(text).get(), text)
        }
    }

    /// "café" in Latin-1: é is the single byte 0xE9, not valid UTF-8.
    func testLatin1FileIsNamedAsNotUTF8() {
        var data = Data("a,b\n1,caf".utf8)
        data.append(0xE9)
        data.append(contentsOf: Array("\n".utf8))
        XCTAssertEqual(message(data), "t.csv: not UTF-8 text (line 2: byte 0xE9); a Latin-1 or Windows-1252 export must "
                       + "be converted to UTF-8 (iconv -f latin1 -t utf-8)")
    }

    func testSemicolonFileGetsAHint() {
        XCTAssertEqual(message("a;b\n1;2\n"), "t.csv: the header has one column, 'a;b': the file seems to be separated by "
                       + "';' — save it as comma-separated values")
    }

    func testMissingFileAndFolder() {
        XCTAssertThrowsError(try CSVTable(path: "/nonexistent/x.csv")) { XCTAssertEqual("\($0)", "/nonexistent/x.csv: no such file") }
        XCTAssertThrowsError(try CSVTable(path: "/tmp")) { XCTAssertEqual("\($0)", "/tmp: cannot read the file") }
    }
}
