import CementCore
import Foundation
import RateBatch
import Tabular

/// One series to ingest: a folder, with what the department's manifest says about it.
public struct AuditInput: Sendable, Equatable {
    /// The series folder (or file).
    public var path: String
    /// Operator code (manifest column `operator`).
    public var operatorCode: String?
    /// Treated levels in the engine's level order (manifest column `levels`, T10–L5 separated by ";").
    public var treatedLevels: [String]
    /// Procedure date (manifest column `procedure_date`, YYYY-MM-DD); replaces the series' StudyDate.
    public var procedureDate: String?

    public init(path: String, operatorCode: String? = nil, treatedLevels: [String] = [], procedureDate: String? = nil) {
        self.path = path
        self.operatorCode = operatorCode
        self.treatedLevels = treatedLevels
        self.procedureDate = procedureDate
    }

    /// Vertebral levels a manifest may name.
    public static let levelNames = ["T10", "T11", "T12", "L1", "L2", "L3", "L4", "L5"]

    /// The series of a folder of series folders, or of a CSV manifest (`rate-batch`'s columns case_id and path,
    /// and optionally operator, levels and procedure_date), in the order `rate-batch` lists them.
    public static func list(_ input: String) throws(RegistryError) -> [AuditInput] {
        let cases: [BatchCase]
        do { cases = try BatchCase.list(input) } catch { throw RegistryError(file: input, error.description) }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isFolder), !isFolder.boolValue else {
            return cases.map { AuditInput(path: $0.path) }
        }
        let table: CSVTable
        do { table = try CSVTable(path: input) } catch { throw RegistryError(file: input, error.message) }
        let idColumn = table.header.firstIndex(of: "case_id")!
        func column(_ name: String) -> Int? { table.header.firstIndex(of: name) }
        var extras: [String: AuditInput] = [:]
        for row in table.rows.indices {
            guard let id = table.text(row: row, column: idColumn) else { continue }
            var item = AuditInput(path: "")
            item.operatorCode = column("operator").flatMap { table.text(row: row, column: $0) }
            if let levels = column("levels").flatMap({ table.text(row: row, column: $0) }) {
                item.treatedLevels = levels.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                for level in item.treatedLevels where !levelNames.contains(level) {
                    throw RegistryError(file: input, "row \(table.lines[row]), column 'levels': '\(level)' is not one of "
                                        + levelNames.joined(separator: ", "))
                }
            }
            if let date = column("procedure_date").flatMap({ table.text(row: row, column: $0) }) {
                if case let .failure(problem) = CalendarDate.parse(date) {
                    throw RegistryError(file: input, "row \(table.lines[row]), column 'procedure_date': \(problem)")
                }
                item.procedureDate = date
            }
            extras[id] = item
        }
        return cases.map { item in
            var input = extras[item.id] ?? AuditInput(path: "")
            input.path = item.path
            return input
        }
    }
}
