import Foundation
import Tabular
import XCTest

/// The quoting rules are RFC 4180's (section 2, rules 6 and 7); each expected text is written out by hand from them.
final class CSVTextTests: XCTestCase {
    func testPlainFieldsAreWrittenAsIs() {
        XCTAssertEqual(CSVText.record(["a", "1.5", "", "x y"]), "a,1.5,,x y")
    }

    func testFieldsWithDelimiterQuoteOrLineBreakAreQuoted() {
        XCTAssertEqual(CSVText.field("a,b"), "\"a,b\"")
        XCTAssertEqual(CSVText.field("say \"hi\""), "\"say \"\"hi\"\"\"")
        XCTAssertEqual(CSVText.field("two\nlines"), "\"two\nlines\"")
        XCTAssertEqual(CSVText.field("cr\rhere"), "\"cr\rhere\"")
        // "\r\n" is a single Character in Swift; it still needs quoting.
        XCTAssertEqual(CSVText.field("crlf\r\nhere"), "\"crlf\r\nhere\"")
    }

    func testFieldsWithEdgeSpaceAreQuotedAndReadBackWhole() throws {
        // RFC 4180 (section 2, rule 4): spaces are part of a field; quoted, no reader can take them for padding.
        XCTAssertEqual(CSVText.field(" leading"), "\" leading\"")
        XCTAssertEqual(CSVText.field("trailing\t"), "\"trailing\t\"")
        XCTAssertEqual(CSVText.field("inner space"), "inner space")
        let table = try CSVTable(data: CSVText.document(header: ["id"], rows: [[" leading"], ["trailing "]]), path: "t.csv")
        XCTAssertEqual(table.rows, [[" leading"], ["trailing "]])
    }

    func testDocumentEndsEveryRecordWithLineFeedAndReadsBack() throws {
        let data = CSVText.document(header: ["id", "note"], rows: [["1", "a, b"], ["2", "q\"t"]])
        XCTAssertEqual(String(decoding: data, as: UTF8.self), "id,note\n1,\"a, b\"\n2,\"q\"\"t\"\n")
        let path = NSTemporaryDirectory() + "csvtext-\(UUID().uuidString).csv"
        try data.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let table = try CSVTable(path: path)
        XCTAssertEqual(table.header, ["id", "note"])
        XCTAssertEqual(table.text(row: 0, column: 1), "a, b")
        XCTAssertEqual(table.text(row: 1, column: 1), "q\"t")
    }
}
