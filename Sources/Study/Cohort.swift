import Tabular

/// The study's clinical table (`data/cohort.csv`), every cell checked against the codebook on loading.
public struct Cohort: Sendable {
    /// The table, its columns typed by the codebook (`Codebook.kinds`).
    public let data: DataTable
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
        do { return Cohort(data: try DataTable(table, kinds: codebook.kinds), codebook: codebook) } catch {
            throw StudyError(error)
        }
    }

    /// A numeric column (nil = missing).
    public func numbers(_ name: String) throws(StudyError) -> [Double?] {
        do { return try data.numbers(name) } catch { throw StudyError(error) }
    }

    /// A text column (nil = missing).
    public func texts(_ name: String) throws(StudyError) -> [String?] {
        do { return try data.texts(name) } catch { throw StudyError(error) }
    }
}
