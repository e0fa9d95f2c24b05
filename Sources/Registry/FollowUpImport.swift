import CementCore
import Foundation
import Study
import Tabular

/// Clinical follow-up from a department's CSV into the registry, checked against the study's codebook.
///
/// Columns: `case_id` (the registry's case ID), or `patient_id` and `study_uid` (hashed with the department key on
/// reading and never stored); then any codebook variables (VAS/ODI by time point, secondary_fracture,
/// adjacent_fracture, leakage, level, …), and `VARIABLE_date` (YYYY-MM-DD) for a binary variable's date (a
/// fracture's, say). Empty cells are left as they are. Every cell is checked first; any problem is an error naming
/// row and column and nothing is stored. Then all rows are upserted by case ID in one transaction.
public struct FollowUpImport: Sendable {
    public var codebook: Codebook
    public var key: DepartmentKey

    public init(codebook: Codebook, key: DepartmentKey) {
        self.codebook = codebook
        self.key = key
    }

    /// Variables that are not follow-up: the case ID and what the registry derives itself.
    static let reserved: Set<String> = ["case_id", "dr_group", "dr_recorded_percent"]

    /// The values of `path`, checked, as (case ID, variable, value); case IDs must be in `registry`.
    public func read(_ path: String, registry: CaseRegistry) throws(RegistryError) -> [(caseID: String, variable: String, value: String)] {
        let table: CSVTable
        do { table = try CSVTable(path: path) } catch { throw RegistryError(file: path, error.message) }
        let idColumn = table.header.firstIndex(of: "case_id")
        let patientColumn = table.header.firstIndex(of: "patient_id"), studyColumn = table.header.firstIndex(of: "study_uid")
        guard idColumn != nil || (patientColumn != nil && studyColumn != nil) else {
            throw RegistryError(file: path, "row 0 (header): needs the column case_id, or patient_id and study_uid")
        }
        var variables: [(column: Int, variable: Codebook.Variable?, isDate: Bool)] = []
        for (column, name) in table.header.enumerated() where ![idColumn, patientColumn, studyColumn].contains(column) {
            if let variable = codebook[name], !Self.reserved.contains(name) {
                variables.append((column, variable, false))
            } else if name.hasSuffix("_date"), let variable = codebook[String(name.dropLast(5))], variable.type == "binary" {
                variables.append((column, nil, true))
            } else {
                var message = "column '\(name)': not a follow-up variable of the codebook"
                let known = codebook.variables.map(\.name).filter { !Self.reserved.contains($0) }
                if let close = closestName(to: name, among: known) { message += " (did you mean '\(close)'?)" }
                throw RegistryError(file: path, "row 0 (header), " + message)
            }
        }
        var values: [(caseID: String, variable: String, value: String)] = []
        var rowOfCase: [String: Int] = [:]
        for row in table.rows.indices {
            let number = row + 1
            let caseID: String
            if let idColumn {
                guard let id = table.text(row: row, column: idColumn) else {
                    throw RegistryError(file: path, "row \(number), column 'case_id': empty")
                }
                caseID = id
            } else {
                guard let patient = table.text(row: row, column: patientColumn!) else {
                    throw RegistryError(file: path, "row \(number), column 'patient_id': empty")
                }
                guard let study = table.text(row: row, column: studyColumn!) else {
                    throw RegistryError(file: path, "row \(number), column 'study_uid': empty")
                }
                caseID = key.caseID(patientID: patient, studyInstanceUID: study)
            }
            let idName = idColumn == nil ? "patient_id" : "case_id"
            if let first = rowOfCase[caseID] {
                throw RegistryError(file: path, "row \(number), column '\(idName)': the same case as row \(first)")
            }
            rowOfCase[caseID] = number
            guard try registry.contains(caseID: caseID) else {
                throw RegistryError(file: path, "row \(number), column '\(idName)': no such case in the registry "
                                    + "(ingest its series first)" + (idColumn == nil ? "" : ": \(caseID)"))
            }
            for entry in variables {
                guard let value = table.text(row: row, column: entry.column) else { continue }
                let isDate = entry.isDate || entry.variable?.type == "date"
                if let problem = entry.variable.flatMap({ codebook.problem(with: value, in: $0) }) ?? Self.dateProblem(value, isDate) {
                    throw RegistryError(file: path, "row \(number), column '\(table.header[entry.column])': \(problem)")
                }
                values.append((caseID, table.header[entry.column], value))
            }
        }
        return values
    }

    /// A date must be a real calendar date in ISO form.
    private static func dateProblem(_ value: String, _ isDate: Bool) -> String? {
        guard isDate else { return nil }
        guard case let .failure(problem) = CalendarDate.parse(value) else { return nil }
        return problem.description
    }
}
