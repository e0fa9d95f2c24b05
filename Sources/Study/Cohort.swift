import Tabular
/// The study's clinical table (`data/cohort.csv`), every cell checked against the codebook on loading.
public struct Cohort: Sendable {
    public let table: CSVTable
    public let codebook: Codebook

    /// Loads and validates: the contract's columns must all be present (more may follow) and every value must
    /// fit its codebook entry; empty cells are missing values.
    public static func load(_ path: String, codebook: Codebook) throws(StudyError) -> Cohort {
        let table = try CSVTable.read(path)
        for column in CohortGenerator.columns where !table.header.contains(column) {
            throw StudyError(file: path, "missing column '\(column)' (the cohort data contract)")
        }
        for (columnIndex, name) in table.header.enumerated() {
            guard let variable = codebook[name] else { continue }
            for row in table.rows.indices {
                guard let value = table.text(row: row, column: columnIndex) else { continue }
                if let problem = codebook.problem(with: value, in: variable) {
                    throw StudyError(file: path, "row \(row + 1), column '\(name)': \(problem)")
                }
            }
        }
        return Cohort(table: table, codebook: codebook)
    }

    /// A numeric column (nil = missing).
    public func numbers(_ name: String) throws(StudyError) -> [Double?] {
        let column = try table.studyColumn(name)
        var values: [Double?] = []
        for row in table.rows.indices { values.append(try table.studyNumber(row: row, column: column)) }
        return values
    }

    /// A text column (nil = missing).
    public func texts(_ name: String) throws(StudyError) -> [String?] {
        let column = try table.studyColumn(name)
        return table.rows.indices.map { table.text(row: $0, column: column) }
    }
}
