import ArgumentParser
import CementCore
import Foundation
import Tabular

/// `cement join`: tables joined one row to one row on a key column, as one CSV.
struct JoinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Join CSV tables (a clinical table and rate-batch results, say) on a key column into one CSV.",
        discussion: """
            The same join a template's `data: {clinical: clinical.csv, ct: results.csv, join: case_id}` makes: \
            every key must appear exactly once in every table (the error counts and lists the keys that do not); \
            rows follow the first table. A column name that several tables use is written as TABLE.COLUMN, the \
            table named by its file name without extension (results.csv → results.group). The joined table \
            serves `cement stats` and `cement figure`, which read one CSV.

            Example:
              cement join clinical.csv results.csv --on case_id --out study.csv
            """
    )

    @Argument(help: "Tables to join (CSV); the first gives the row order.", completion: .file()) var tables: [String]
    @Option(help: "The key column every table has.") var on = "case_id"
    @Option(help: "Joined CSV to write.", completion: .file()) var out: String

    func validate() throws {
        guard tables.count >= 2 else { throw ValidationError("give at least two tables to join") }
        let names = tables.map(Self.name(of:))
        guard Set(names).count == names.count else {
            throw ValidationError("the tables' file names must differ (they name the tables: \(names.joined(separator: ", ")))")
        }
    }

    static func name(of path: String) -> String {
        ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    func run() throws {
        let parts = try tables.map { path throws in KeyedJoin.Part(name: Self.name(of: path), table: try CSVTable(path: path)) }
        let joined = try KeyedJoin(parts, on: on)
        let data = CSVText.document(header: joined.columns.map(\.uniqueName),
                                    rows: (0..<(joined.columns.first?.cells.count ?? 0)).map { row in
                                        joined.columns.map { $0.cells[row] ?? "" }
                                    })
        try AtomicFile.write(data, to: out)
        Terminal.note("wrote \(out): \(joined.columns.first?.cells.count ?? 0) rows, \(joined.columns.count) columns")
    }
}
