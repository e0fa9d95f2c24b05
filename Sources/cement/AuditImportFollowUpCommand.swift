import ArgumentParser
import Foundation
import Registry
import Study

/// `cement audit import-followup`: clinical follow-up into the registry.
struct AuditImportFollowUpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-followup",
        abstract: "Import clinical follow-up (VAS, ODI, fractures, leakage …) from a CSV, checked against the codebook.",
        discussion: """
            Columns: case_id (as `cement audit cases` lists it), or patient_id and study_uid (hashed with the \
            department key while reading, never stored); then codebook variables (data/codebook.csv: vas_1y, \
            odi_1y, secondary_fracture, adjacent_fracture, leakage, level, …) and VARIABLE_date for the date of a \
            binary one (secondary_fracture_date). Empty cells change nothing. Any problem is an error naming row \
            and column, and nothing is stored; otherwise every row is upserted by case ID in one transaction.

            Example:
              cement audit import-followup .cache/audit-demo/followup.csv --registry .cache/audit-demo/registry.sqlite
            """
    )

    @Argument(help: "The follow-up CSV.", completion: .file()) var csv: String
    @OptionGroup var audit: AuditOptions
    @Option(help: "The codebook the values are checked against.", completion: .file())
    var codebook = "data/codebook.csv"

    func run() throws {
        let registry = try audit.open()
        let key = try audit.departmentKey()
        let book = try Codebook.load(codebook)
        do {
            let values = try FollowUpImport(codebook: book, key: key).read(csv, registry: registry)
            try registry.upsertFollowUp(values)
            Terminal.note("\(registry.path): \(values.count) follow-up values of \(Set(values.map(\.caseID)).count) cases imported")
        } catch { throw CommandFailure(message: error.description) }
    }
}
