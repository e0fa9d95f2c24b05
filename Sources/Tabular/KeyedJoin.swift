/// Several tables joined one row to one row on a key column (a case id): every key must appear exactly once in
/// every table, so no row is silently dropped or repeated. The joined rows follow the first table's order.
///
/// Columns: the key once, then each table's other columns, named `COLUMN` where no other table has a column of
/// that name and `TABLE.COLUMN` where several do (`columns`); for templates every column is also reachable as
/// `TABLE.COLUMN` (`allNames`).
public struct KeyedJoin: Sendable {
    /// A named table taking part in the join (the name comes from the template: `clinical`, `ct`).
    public struct Part: Sendable {
        public var name: String
        public var table: CSVTable

        public init(name: String, table: CSVTable) {
            (self.name, self.table) = (name, table)
        }
    }

    /// One column of the joined table.
    public struct Column: Sendable {
        /// The table it comes from (nil for the key).
        public var table: String?
        public var name: String
        /// Whether another table has a column of the same name.
        public var shared: Bool
        /// The cells in the joined row order, nil when empty or NA.
        public var cells: [String?]

        /// `COLUMN`, or `TABLE.COLUMN` when the name is shared.
        public var uniqueName: String { shared ? qualifiedName : name }
        /// `TABLE.COLUMN` (the key: its name).
        public var qualifiedName: String { table.map { $0 + "." + name } ?? name }
    }

    public let key: String
    /// The key column first, then every table's other columns in order.
    public let columns: [Column]

    /// The columns by every name they go by: unique names and qualified names.
    public var allNames: [(name: String, cells: [String?])] {
        var list: [(name: String, cells: [String?])] = []
        for column in columns {
            list.append((column.uniqueName, column.cells))
            if column.qualifiedName != column.uniqueName { list.append((column.qualifiedName, column.cells)) }
        }
        return list
    }

    /// How many example keys an error lists.
    static let examples = 5

    public init(_ parts: [Part], on key: String) throws(TableError) {
        precondition(!parts.isEmpty, "a join needs at least one table")
        self.key = key
        var rowOfKey: [[String: Int]] = [], keyColumns: [Int] = []
        for part in parts {
            let column = try part.table.column(key)
            keyColumns.append(column)
            var rows: [String: Int] = [:], repeated: [String: [Int]] = [:], order: [String] = []
            for row in part.table.rows.indices {
                guard let value = part.table.text(row: row, column: column) else {
                    throw TableError(file: part.table.path, "row \(row + 1) (line \(part.table.lines[row])): "
                                     + "the join key '\(key)' is empty")
                }
                if let first = rows[value] {
                    if repeated[value] == nil { order.append(value); repeated[value] = [first] }
                    repeated[value]!.append(row)
                } else {
                    rows[value] = row
                }
            }
            if !order.isEmpty {
                let listed = order.prefix(Self.examples).map { value in
                    "\(value) (rows \(repeated[value]!.map { String($0 + 1) }.joined(separator: ", ")))"
                }
                throw TableError(file: part.table.path, "\(order.count) value\(order.count == 1 ? "" : "s") of the join "
                    + "key '\(key)' appear\(order.count == 1 ? "s" : "") more than once: " + listed.joined(separator: "; ")
                    + (order.count > Self.examples ? "; …" : "") + " — each \(key) must have one row in every table")
            }
            rowOfKey.append(rows)
        }
        let first = parts[0]
        // Every key was checked to be non-empty above.
        let keys = first.table.rows.indices.map { first.table.text(row: $0, column: keyColumns[0]) ?? "" }
        let keySet = Set(keys)
        for (index, part) in parts.enumerated().dropFirst() {
            let missing = keys.filter { rowOfKey[index][$0] == nil }
            let extra = part.table.rows.indices.compactMap { row -> String? in
                let value = part.table.text(row: row, column: keyColumns[index]) ?? ""
                return keySet.contains(value) ? nil : value
            }
            guard missing.isEmpty && extra.isEmpty else {
                var problems: [String] = []
                if !missing.isEmpty {
                    problems.append("\(missing.count) of \(keys.count) rows of \(first.name) (\(first.table.path)) have no row "
                                    + "in \(part.name): " + Self.list(missing))
                }
                if !extra.isEmpty {
                    problems.append("\(extra.count) of \(part.table.rows.count) rows of \(part.name) have no row in "
                                    + "\(first.name): " + Self.list(extra))
                }
                throw TableError(file: part.table.path, "joining on '\(key)': " + problems.joined(separator: "; "))
            }
        }
        var counts: [String: Int] = [:]
        for part in parts { for name in part.table.header where name != key { counts[name, default: 0] += 1 } }
        var columns = [Column(table: nil, name: key, shared: false, cells: keys.map { Optional($0) })]
        for (index, part) in parts.enumerated() {
            let rows = keys.map { rowOfKey[index][$0]! }
            for (column, name) in part.table.header.enumerated() where name != key {
                columns.append(Column(table: part.name, name: name, shared: counts[name, default: 0] > 1,
                                      cells: rows.map { part.table.text(row: $0, column: column) }))
            }
        }
        self.columns = columns
    }

    /// The first few values, comma-separated.
    private static func list(_ values: [String]) -> String {
        values.prefix(examples).joined(separator: ", ") + (values.count > examples ? ", …" : "")
    }
}
