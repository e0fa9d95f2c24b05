import CementCore

/// The one table every analysis reads (`stats`, `render`, `verify`, `check-paper`, `figure`): named columns of
/// cells in file order, each cell text or missing (an empty cell or `NA`, as `CSVTable.text` reads it).
///
/// A column may be declared numeric or categorical (`Kind`, from the study's codebook): a numeric column's every
/// cell is checked to be a decimal number when the table is made, and a categorical one is never read as numbers.
/// Undeclared columns are read as whatever the analysis asks for, a non-number failing where it is read. Every
/// analysis drops the rows missing one of its own columns the same way (`complete(columns:)`, which reports the n
/// used and the n dropped), groups the same way (`grouped(by:levels:)`) and centres numbers for sums of squares in
/// exact decimal arithmetic (`centred(_:in:)`, `DecimalCentring`).
public struct DataTable: Sendable {
    /// What a column holds.
    public enum Kind: Sendable, Equatable {
        /// Decimal numbers (`DecimalNumber`).
        case numeric
        /// Labels (a group, a category, an id, a date): never numbers.
        case categorical
    }

    /// Rows left for an analysis once the rows missing any of its columns are dropped.
    public struct Complete: Sendable, Equatable {
        /// Row indices (0-based) with every column present, in table order.
        public var rows: [Int]
        /// Rows dropped for a missing value.
        public var dropped: Int
        /// The n used.
        public var used: Int { rows.count }
    }

    /// Rows split by the labels of a grouping column.
    public struct Grouping: Sendable, Equatable {
        /// The group labels: the levels asked for, or the labels in order of first appearance.
        public var labels: [String]
        /// The rows of each group (0-based, table order), parallel to `labels`.
        public var rows: [[Int]]
        /// Rows without a group label (missing).
        public var missing: Int
        /// Rows whose label is not one of the levels asked for.
        public var outside: Int

        public init(labels: [String], rows: [[Int]], missing: Int, outside: Int) {
            (self.labels, self.rows, self.missing, self.outside) = (labels, rows, missing, outside)
        }
    }

    /// Names the data in messages (a file, or "data").
    public let source: String
    /// Column names in order.
    public let names: [String]
    public let rowCount: Int
    private let cells: [String: [String?]]
    private let kinds: [String: Kind]

    /// A table of `columns` (all of one length; a repeated name keeps its first column). `kinds` declares columns;
    /// a numeric column holding a non-number is an error naming the row and the column.
    public init(source: String, columns: [(name: String, cells: [String?])], kinds: [String: Kind] = [:])
        throws(TableError)
    {
        var cells: [String: [String?]] = [:], names: [String] = []
        for column in columns where cells[column.name] == nil {
            precondition(column.cells.count == columns[0].cells.count, "the columns of a table have one length")
            cells[column.name] = column.cells
            names.append(column.name)
        }
        (self.source, self.names, self.cells, self.kinds) = (source, names, cells, kinds)
        rowCount = columns.first?.cells.count ?? 0
        for name in names where kinds[name] == .numeric { _ = try numbers(name) }
    }

    /// The table of a CSV file, its columns declared by `kinds`.
    public init(_ table: CSVTable, kinds: [String: Kind] = [:]) throws(TableError) {
        let columns = table.header.indices.map { column in
            (name: table.header[column], cells: table.rows.indices.map { table.text(row: $0, column: column) })
        }
        try self.init(source: table.path, columns: columns, kinds: kinds)
    }

    /// The same cells with `kinds` declared (a codebook known only later: a report's directive module's); a numeric
    /// column holding a non-number is an error naming the row and the column.
    public func typed(by kinds: [String: Kind]) throws(TableError) -> DataTable {
        try DataTable(source: source, columns: names.map { ($0, cells[$0]!) }, kinds: self.kinds.merging(kinds) { $1 })
    }

    /// The cells of a column (nil = missing), nil when there is no such column.
    public subscript(name: String) -> [String?]? { cells[name] }

    /// How the column is declared, nil when it is not.
    public func kind(of name: String) -> Kind? { kinds[name] }

    /// The cells of a column, or an error listing the columns (the closest name first when one is close).
    public func texts(_ name: String) throws(TableError) -> [String?] {
        if let column = cells[name] { return column }
        var message = "no column '\(name)'"
        if let near = closestName(to: name, among: names) { message += " (did you mean '\(near)'?)" }
        throw TableError(file: source, message + "; columns: " + names.joined(separator: ", "))
    }

    /// A column as numbers (nil = missing); a cell that is not a decimal number, or a categorical column, is an
    /// error naming the column (and the row).
    public func numbers(_ name: String) throws(TableError) -> [Double?] {
        let column = try texts(name)
        if kinds[name] == .categorical { throw TableError(file: source, "column '\(name)' holds categories, not numbers") }
        var values: [Double?] = []
        values.reserveCapacity(column.count)
        for (row, text) in column.enumerated() {
            guard let text else {
                values.append(nil)
                continue
            }
            switch DecimalNumber.parse(text) {
            case let .success(value): values.append(value)
            case let .failure(problem): throw TableError(file: source, "row \(row + 1), column '\(name)': \(problem)")
            }
        }
        return values
    }

    /// The rows (of `rows`, default all) with every one of `columns` present, and how many were dropped.
    public func complete(columns: [String], rows: [Int]? = nil) throws(TableError) -> Complete {
        var present: [[String?]] = []
        for name in columns { present.append(try texts(name)) }
        let candidates = rows ?? Array(0..<rowCount)
        let kept = candidates.filter { row in present.allSatisfy { $0[row] != nil } }
        return Complete(rows: kept, dropped: candidates.count - kept.count)
    }

    /// The rows (of `rows`, default all) split by the labels of column `by`: in `levels` order when given (rows of
    /// other labels are `outside`), else in order of first appearance. Rows without a label are `missing`.
    public func grouped(by name: String, levels: [String]? = nil, rows: [Int]? = nil) throws(TableError) -> Grouping {
        let labels = try texts(name)
        var order = levels ?? [], members: [String: [Int]] = [:], missing = 0, outside = 0
        for row in rows ?? Array(0..<rowCount) {
            guard let label = labels[row] else {
                missing += 1
                continue
            }
            if levels == nil, members[label] == nil { order.append(label) }
            guard levels == nil || order.contains(label) else {
                outside += 1
                continue
            }
            members[label, default: []].append(row)
        }
        return Grouping(labels: order, rows: order.map { members[$0] ?? [] }, missing: missing, outside: outside)
    }

    /// The values of a numeric column in each group of rows, missing cells skipped, centred on one common offset in
    /// exact decimal arithmetic (`DecimalCentring`): for the location-invariant statistics (variances, ANOVA, t,
    /// correlation), whose sums of squares the binary rounding of large values would otherwise destroy.
    public func centred(_ name: String, in groups: [[Int]]) throws(TableError) -> [[Double]] {
        _ = try numbers(name)
        let column = try texts(name)
        let texts = groups.map { rows in rows.compactMap { column[$0] } }
        // Every cell was checked to be a decimal number above, which `Decimal` reads exactly.
        guard let centred = DecimalCentring.groups(texts) else {
            throw TableError(file: source, "column '\(name)' holds a value that is not a decimal number")
        }
        return centred
    }
}
