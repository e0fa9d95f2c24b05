import CementCore
import Foundation

/// A range of calendar dates as DICOM matches them (DA range matching, PS3.4 C.2.2.2.5): either end may be open.
public struct DICOMDateRange: Sendable, Equatable, Codable {
    /// First date, YYYYMMDD, or nil for open.
    public var from: String?
    /// Last date, YYYYMMDD, or nil for open.
    public var to: String?

    /// A range from its two ends (YYYYMMDD or YYYY-MM-DD); throws when an end is not a date or they are reversed.
    public init(from: String?, to: String?) throws(PACSError) {
        self.from = try from.map { text throws(PACSError) in try DICOMDateRange.normalise(text) }
        self.to = try to.map { text throws(PACSError) in try DICOMDateRange.normalise(text) }
        if let first = self.from, let last = self.to, first > last {
            throw PACSError(peer: "query", .configuration("the date range \(first)–\(last) ends before it starts"))
        }
    }

    /// The matching value: `FROM-TO`, `FROM-`, `-TO` or `DATE` when both ends are the same.
    public var matchValue: String {
        if let from, let to, from == to { return from }
        return (from ?? "") + "-" + (to ?? "")
    }

    static func normalise(_ text: String) throws(PACSError) -> String {
        switch CalendarDate.parse(text, .isoOrDicom) {
        case let .success(date): return date.dicom
        case let .failure(problem): throw PACSError(peer: "query", .configuration(problem.description))
        }
    }
}
