import Figures
import Tabular

/// A printed number set against the published number it stands for.
public struct PublishedComparison: Sendable, Equatable, Encodable {
    public enum Status: String, Sendable, Encodable {
        /// The printed number prints as the published one (at the published precision).
        case match
        /// It does not: the render check fails.
        case mismatch
        /// It does not, and no data could: the published numbers rule the printed value out.
        case unattainable
    }

    public var quantity: PrintedNumber.Quantity
    public var printed: String
    public var published: String
    /// Where the published number stands ("table2", "abstract_en", …).
    public var place: String
    public var tolerance: String
    public var status: Status
    public var reason: String?

    public init(quantity: PrintedNumber.Quantity, printed: String, published: String, place: String, tolerance: String,
                status: Status, reason: String? = nil)
    {
        (self.quantity, self.printed, self.published, self.place) = (quantity, printed, published, place)
        (self.tolerance, self.status, self.reason) = (tolerance, status, reason)
    }
}

/// The published numbers of a report, supplied by a directive module (a study's `published:` file): which
/// printed values stand for one, and whether they print as it.
public protocol PublishedNumbers: Sendable {
    /// The comparisons of each printed value (in order; empty where a value stands for no published number),
    /// given the template's data.
    func compare(_ values: [PrintedValue], data: DataTable?) throws(ReportError) -> [[PublishedComparison]]
}

/// The self-check of a render: every printed value with its source and its comparisons with published numbers.
public struct SelfCheck: Sendable, Equatable, Encodable {
    public struct Entry: Sendable, Equatable, Encodable {
        public var value: PrintedValue
        public var comparisons: [PublishedComparison]
    }

    public var entries: [Entry]

    /// The printed values that do not print as their published number, as positioned errors.
    public var failures: [ReportError] {
        entries.flatMap { entry in
            entry.comparisons.filter { $0.status == .mismatch }.map { comparison in
                ReportError(file: entry.value.file, line: entry.value.line, column: entry.value.column,
                            "{\(entry.value.directive)} printed \(comparison.quantity.rawValue) \(comparison.printed) for "
                            + "\(entry.value.variable)\(entry.value.group.map { " (\($0))" } ?? ""), the paper prints "
                            + "\(comparison.published) (\(comparison.place), tolerance \(comparison.tolerance))"
                            + (comparison.reason.map { ": \($0)" } ?? ""))
            }
        }
    }

    /// Counts of the comparisons by status, and of the values printed.
    public var tally: (values: Int, compared: Int, match: Int, mismatch: Int, unattainable: Int) {
        let all = entries.flatMap(\.comparisons)
        return (entries.count, entries.filter { !$0.comparisons.isEmpty }.count, all.filter { $0.status == .match }.count,
                all.filter { $0.status == .mismatch }.count, all.filter { $0.status == .unattainable }.count)
    }
}
