import ArgumentParser
import Foundation
import Registry
import Tabular

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
        let header = ["case_id", "procedure_at", "level", "operator", "distribution_rate_percent", "dr_interval_low",
                      "dr_interval_high", "dr_group", "qc_flags", "needs_review", "engine_version", "follow_up_values"]
        var rows: [[String]] = []
        for item in cases {
            let levels: [RegisteredLevel?] = item.levels.isEmpty ? [nil] : item.levels
            for level in levels {
                rows.append([item.caseID, item.procedureAt ?? "", level.map { item.levelName($0.levelIndex) } ?? "",
                             item.operatorCode ?? "", level?.distributionRatePercent.map { String($0) } ?? "",
                             level?.distributionRateInterval.map { String($0[0]) } ?? "",
                             level?.distributionRateInterval.map { String($0[1]) } ?? "", level?.group ?? "",
                             level?.qcFlags.joined(separator: ";") ?? "", level.map { $0.needsReview ? "1" : "0" } ?? "",
                             item.engineVersion, String(item.followUp.count)])
            }
        }
        if csv {
            let lines = ([header] + rows).map { $0.map(csvField).joined(separator: ",") }
            FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        } else {
            for row in rows {
                let dr = row[4].isEmpty ? "—" : String(format: "%.1f %%", Double(row[4]) ?? 0)
                print("\(row[0])  \(row[1].isEmpty ? "(no date)" : row[1])  \(row[2])  DR \(dr)  \(row[7])"
                      + (row[8].isEmpty ? "" : "  qc: \(row[8])"))
            }
            Terminal.note("\(cases.count) cases")
        }
    }

    private func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
