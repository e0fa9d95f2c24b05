import ArgumentParser
import Foundation
import Tabular

/// What every `cement stats` subcommand reads and how it prints: the CSV file and `--json`, defined once.
struct StatsInput: ParsableArguments {
    @Argument(help: "CSV file with a header row.", completion: .file()) var csv: String
    @Flag(help: "Print JSON on stdout.") var json = false

    /// Reads the table, runs `analysis` on it and prints its output (JSON on stdout with `--json`), warnings on stderr.
    func run(_ test: String, _ analysis: (StatsAnalysis) throws -> StatsOutput) throws {
        var output = try analysis(StatsAnalysis(table: try DataTable(CSVTable(path: csv)), path: csv))
        output.test = test
        if json {
            try Terminal.printJSON(output)
        } else {
            print(output.humanReadable)
        }
        for warning in output.warnings ?? [] { Terminal.warning(warning) }
    }
}

/// The columns of a group comparison: a numeric value split by a grouping column.
struct GroupColumns: ParsableArguments {
    @Option(help: "Numeric column compared across groups.") var value: String
    @Option(help: "Grouping column (default: one group of all rows).") var group: String?
    @Option(help: "Group levels and their order, comma-separated (default: order of first appearance).")
    var levels: String?

    /// `--levels` split at commas, nil when not given.
    var levelList: [String]? {
        levels?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
    }
}

/// The two variables of a contingency table.
struct CountColumns: ParsableArguments {
    @Option(help: "Row variable of the contingency table.") var row: String
    @Option(help: "Column variable of the contingency table.") var col: String
    @Option(help: "Order of the column variable's levels, comma-separated (default: order of first appearance).")
    var levels: String?
}

/// The two numeric variables of an association.
struct AssociationColumns: ParsableArguments {
    @Option(help: "First variable (x).") var x: String
    @Option(help: "Second variable (y).") var y: String
}

/// The columns of paired or repeated measures, one per occasion.
struct RepeatedColumns: ParsableArguments {
    @Option(help: "Comma-separated columns, one per occasion.") var columns: String

    var names: [String] { columns.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
}
