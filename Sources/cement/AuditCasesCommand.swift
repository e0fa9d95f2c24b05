import ArgumentParser
import Foundation
import Registry

/// `cement audit cases`: the registry's cases.
struct AuditCasesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cases",
        abstract: "List the registry's cases: case ID, procedure time, levels, DR, QC flags, follow-up.",
        discussion: """
            One line per measured level (a case without levels has one line). --json prints every case with all \
            of its fields; --csv a table with one row per level.

            Examples:
              cement audit cases --registry .cache/audit-demo/registry.sqlite
              cement audit cases --registry .cache/audit-demo/registry.sqlite --json
            """
    )

    @OptionGroup var audit: AuditOptions
    @Flag(help: "Every case as JSON on stdout.") var json = false
    @Flag(help: "One row per level as CSV on stdout.") var csv = false

    func validate() throws {
        if json && csv { throw ValidationError("--json and --csv exclude each other") }
    }

    func run() throws {
        let cases: [RegisteredCase]
        let registry = try audit.open()
        do { cases = try registry.cases() } catch { throw CommandFailure(message: error.description) }
        if json { return try Terminal.printJSON(cases) }
        let rows = CaseListing.rows(cases)
        if csv {
            FileHandle.standardOutput.write(CaseListing.csv(cases))
        } else {
            for row in rows {
                let dr = row[4].isEmpty ? "—" : String(format: "%.1f %%", Double(row[4]) ?? 0)
                print("\(row[0])  \(row[1].isEmpty ? "(no date)" : row[1])  \(row[2])  DR \(dr)  \(row[7])"
                      + (row[8].isEmpty ? "" : "  qc: \(row[8])"))
            }
            Terminal.note("\(cases.count) cases")
        }
    }
}
