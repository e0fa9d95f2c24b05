import Foundation
import SwiftCSV

/// A CSV file read into named text columns (SwiftCSV), with errors that name the file, row and column.
public struct CSVTable: Sendable {
    public let path: String
    public let header: [String]
    public let rows: [[String]]

    public init(path: String) throws(StudyError) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StudyError(file: path, "no such file")
        }
        do {
            let csv = try CSV<Enumerated>(url: URL(fileURLWithPath: path), delimiter: .comma, loadColumns: false)
            header = csv.header.map { $0.trimmingCharacters(in: .whitespaces) }
            rows = csv.rows
        } catch {
            throw StudyError(file: path, "not readable CSV (\(error))")
        }
        self.path = path
        for (index, row) in rows.enumerated() where row.count != header.count {
            throw StudyError(file: path, "row \(index + 1) has \(row.count) fields, the header has \(header.count)")
        }
    }

    /// Index of a named column, or an error listing the columns (with the closest name first when one is close).
    public func column(_ name: String) throws(StudyError) -> Int {
        if let index = header.firstIndex(of: name) { return index }
        var message = "no column '\(name)'"
        if let suggestion = closestName(to: name, among: header) { message += " (did you mean '\(suggestion)'?)" }
        throw StudyError(file: path, message + "; columns: " + header.joined(separator: ", "))
    }

    /// The cell as text, nil when empty (a missing value).
    public func text(row: Int, column: Int) -> String? {
        let value = rows[row][column].trimmingCharacters(in: .whitespaces)
        return value.isEmpty || value == "NA" ? nil : value
    }

    /// The cell as a number, nil when empty; a non-number is an error naming row and column.
    public func number(row: Int, column: Int) throws(StudyError) -> Double? {
        guard let text = text(row: row, column: column) else { return nil }
        guard let value = Double(text), value.isFinite else {
            throw StudyError(file: path, "row \(row + 1), column '\(header[column])': '\(text)' is not a number")
        }
        return value
    }
}

/// The known name a mistyped one most likely meant: one that extends it (`cement` → `cement_ml`), else the
/// nearest by edit distance when that is small; nil when nothing is close.
public func closestName(to name: String, among known: some Collection<String>) -> String? {
    let sorted = known.sorted()
    if !name.isEmpty, let extended = sorted.filter({ $0.hasPrefix(name) }).min(by: { $0.count < $1.count }) {
        return extended
    }
    guard let best = sorted.min(by: { editDistance($0, name) < editDistance($1, name) }),
          editDistance(best, name) <= max(2, name.count / 3) else { return nil }
    return best
}

/// Levenshtein distance, for "did you mean" suggestions.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(1, a.count) where !a.isEmpty {
        var current = [i] + [Int](repeating: 0, count: b.count)
        for j in 1...max(1, b.count) where !b.isEmpty {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return a.isEmpty ? b.count : previous[b.count]
}
