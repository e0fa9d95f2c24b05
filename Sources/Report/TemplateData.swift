import Figures
import Foundation
import Tabular
import Yams

/// What a template's `data:` front matter names: one CSV (`data: cohort.csv`), or several CSVs joined one row to
/// one row on a key column (`data: {clinical: clinical.csv, ct: results.csv, join: case_id}`; `KeyedJoin`), the
/// first table giving the row order. Paths are relative to the template (or `--data DIR`).
public enum TemplateData: Sendable, Equatable {
    case table(String)
    case joined([NamedFile], key: String)

    /// A table of a join: its name in the template and its file.
    public struct NamedFile: Sendable, Equatable {
        public var name: String
        public var path: String
    }

    /// The key naming the join column in a `data:` mapping.
    public static let joinKey = "join"

    /// Parses the `data:` node of the front matter; `line` is the front-matter line it is on, for errors.
    static func parse(_ node: Node, file: String, line: Int) throws(ReportError) -> TemplateData {
        if let path = node.string { return .table(path) }
        guard let mapping = node.mapping else {
            throw ReportError(file: file, line: line, column: 1,
                              "data: must name a CSV file, or tables and a key: {clinical: clinical.csv, ct: results.csv, join: case_id}")
        }
        var files: [NamedFile] = [], key: String?
        for (name, value) in mapping {
            guard let name = name.string, let text = value.string, !text.isEmpty else {
                throw ReportError(file: file, line: line, column: 1, "data: every entry must be NAME: FILE.csv (or join: COLUMN)")
            }
            if name == joinKey { key = text } else { files.append(NamedFile(name: name, path: text)) }
        }
        guard let key else {
            throw ReportError(file: file, line: line, column: 1,
                              "data: names \(files.count) tables but no key to join them on (add join: case_id)")
        }
        guard !files.isEmpty else { throw ReportError(file: file, line: line, column: 1, "data: join: needs at least one table") }
        return .joined(files, key: key)
    }

    /// Reads the table (or joins the tables), recording each file as an input. Errors name the template's
    /// `data:` line and the file, row and key.
    func load(for template: Template, inputs: InputRecord) throws(ReportError) -> DataTable {
        let position = SourcePosition(line: template.dataLine, column: 1)
        func read(_ relative: String) throws(ReportError) -> CSVTable {
            let path = try template.resolveData(relative, at: position)
            do {
                let table = try CSVTable(path: path)
                inputs.add(path: path, contents: FileManager.default.contents(atPath: path) ?? Data())
                return table
            } catch {
                throw ReportError(file: template.path, line: position.line, column: 1, "data: \(error)")
            }
        }
        switch self {
        case let .table(relative):
            let table = try read(relative)
            do { return try DataTable(table) } catch {
                throw ReportError(file: template.path, line: position.line, column: 1, "data: \(error)")
            }
        case let .joined(files, key):
            var parts: [KeyedJoin.Part] = []
            for file in files { parts.append(KeyedJoin.Part(name: file.name, table: try read(file.path))) }
            do {
                let joined = try KeyedJoin(parts, on: key)
                return try DataTable(source: "data", columns: joined.allNames)
            } catch {
                throw ReportError(file: template.path, line: position.line, column: 1, "data: \(error)")
            }
        }
    }
}
