import Foundation

/// CSV output (RFC 4180): the one writer of the CSV files CementReport writes, so every file quotes alike.
/// A field is quoted when it holds a comma, a double quote, CR or LF, or begins or ends with white space (which
/// the reader, SwiftCSV, drops before an unquoted field), with inner quotes doubled; records end in LF.
public enum CSVText {
    /// One field, quoted when it needs to be.
    public static func field(_ value: String) -> String {
        // Scalars, not Characters: "\r\n" is one Character equal to neither "\r" nor "\n".
        let scalars = value.unicodeScalars
        let needsQuotes = scalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
            || [scalars.first, scalars.last].contains { $0?.properties.isWhitespace == true }
        return needsQuotes ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
    }

    /// One record: its fields, quoted where needed, joined by commas (no line end).
    public static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",")
    }

    /// A header and its rows as a CSV document, each record ended by LF.
    public static func document(header: [String], rows: [[String]]) -> Data {
        var text = record(header) + "\n"
        for row in rows { text += record(row) + "\n" }
        return Data(text.utf8)
    }
}
