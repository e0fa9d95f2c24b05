import CementCore
import Foundation
import SwiftCSV

/// A comma-separated file (SwiftCSV) read into text cells, with every structural problem an error naming the file
/// and the row: text that is not UTF-8, a quote left open, a row with too few or too many fields. Rows are counted
/// from 1 after the header; `lines` gives the line each row starts on.
public struct CSVTable: Sendable {
    public let path: String
    public let header: [String]
    public let rows: [[String]]
    /// The file line each row starts on (1 is the header's).
    public let lines: [Int]

    public init(path: String) throws(TableError) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw TableError(file: path, "no such file")
        }
        guard !isFolder.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw TableError(file: path, "cannot read the file")
        }
        try self.init(data: data, path: path)
    }

    /// Parses CSV bytes; `path` names them in errors.
    public init(data: Data, path: String) throws(TableError) {
        guard var text = String(data: data, encoding: .utf8) else {
            throw TableError(file: path, Self.encodingProblem(data))
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var records: [[String]] = []
        do {
            try CSV<Enumerated>(string: text, delimiter: .comma, loadColumns: false, rowLimit: 0)
                .enumerateAsArray(startAt: 0, rowLimit: nil) { records.append($0) }
        } catch {
            // The parser stops inside the record after the last complete one.
            let row = records.count
            throw TableError(file: path, row == 0 ? "the header is not valid CSV (a quote inside an unquoted field)"
                             : "row \(row): not valid CSV (a quote inside an unquoted field; write it as \"\")")
        }
        // Quotes come in pairs in valid CSV (an escaped quote is doubled): an odd count leaves the last record's
        // quote open, and that record swallowed the rest of the file.
        if text.utf8.lazy.filter({ $0 == UInt8(ascii: "\"") }).count % 2 == 1 {
            let row = max(records.count - 1, 0)
            throw TableError(file: path, row == 0 ? "the header opens a quote that is never closed"
                             : "row \(row) opens a quote that is never closed (the rest of the file would be one field)")
        }
        var line = 1
        var startLines: [Int] = []
        for record in records {
            startLines.append(line)
            line += 1 + record.reduce(0) { $0 + $1.filter(\.isNewline).count }
        }
        // Blank lines are no rows.
        let kept = records.indices.filter { records[$0] != [""] }
        guard let first = kept.first else { throw TableError(file: path, "the file is empty (no header)") }
        let names = records[first].map { $0.trimmingCharacters(in: .whitespaces) }
        if names.count == 1, let delimiter = [";", "\t"].first(where: { names[0].contains($0) }) {
            throw TableError(file: path, "the header has one column, '\(names[0])': the file seems to be separated by "
                             + "'\(delimiter == "\t" ? "\\t" : delimiter)' — save it as comma-separated values")
        }
        let body = kept.dropFirst().map { records[$0] }, bodyLines = kept.dropFirst().map { startLines[$0] }
        for (index, row) in body.enumerated() where row.count != names.count {
            // A semicolon file whose header happens to hold a comma reads as a few odd columns.
            let hint = names.contains(where: { $0.contains(";") })
                ? " — the header holds ';': the file seems to be separated by ';'; save it as comma-separated values" : ""
            throw TableError(file: path, "row \(index + 1) (line \(bodyLines[index])) has \(row.count) "
                             + "field\(row.count == 1 ? "" : "s"), the header \(names.count)" + hint)
        }
        (self.path, header, rows, lines) = (path, names, body, bodyLines)
    }

    /// What keeps `data` from being UTF-8: the line of the first invalid byte and a hint at the usual cause.
    static func encodingProblem(_ data: Data) -> String {
        let bytes = [UInt8](data)
        var line = 1, index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length = byte < 0x80 ? 1 : byte >> 5 == 0b110 ? 2 : byte >> 4 == 0b1110 ? 3 : byte >> 3 == 0b11110 ? 4 : 0
            let valid = length > 0 && index + length <= bytes.count
                && bytes[(index + 1)..<(index + length)].allSatisfy { $0 >> 6 == 0b10 }
            guard valid else {
                return "not UTF-8 text (line \(line): byte 0x\(String(byte, radix: 16, uppercase: true))); "
                    + "a Latin-1 or Windows-1252 export must be converted to UTF-8 (iconv -f latin1 -t utf-8)"
            }
            if byte == UInt8(ascii: "\n") { line += 1 }
            index += length
        }
        return "not UTF-8 text"
    }

    /// Index of a named column, or an error listing the columns (with the closest name first when one is close).
    public func column(_ name: String) throws(TableError) -> Int {
        if let index = header.firstIndex(of: name) { return index }
        var message = "no column '\(name)'"
        if let suggestion = closestName(to: name, among: header) { message += " (did you mean '\(suggestion)'?)" }
        throw TableError(file: path, message + "; columns: " + header.joined(separator: ", "))
    }

    /// The cell as text, nil when empty (a missing value).
    public func text(row: Int, column: Int) -> String? {
        let value = rows[row][column].trimmingCharacters(in: .whitespaces)
        return value.isEmpty || value == "NA" ? nil : value
    }

    /// The cell as a number (`DecimalNumber`), nil when empty; anything else is an error naming row and column.
    public func number(row: Int, column: Int) throws(TableError) -> Double? {
        guard let text = text(row: row, column: column) else { return nil }
        switch DecimalNumber.parse(text) {
        case let .success(value): return value
        case let .failure(problem): throw TableError(file: path, "row \(row + 1), column '\(header[column])': \(problem)")
        }
    }
}
