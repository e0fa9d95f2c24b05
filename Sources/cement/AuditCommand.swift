import ArgumentParser
import Foundation
import Registry

/// `cement audit`: a department's case registry and its periodic audit reports.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Keep a department's case registry and write periodic audit reports on new cases.",
        discussion: """
            The registry is one SQLite file (default registry.sqlite in the working folder) holding pseudonymous \
            cases: the case ID is a keyed hash (HMAC-SHA256) of PatientID and StudyInstanceUID with the department \
            key (default: department.key next to the registry, created on first use with permissions 0600). No \
            patient identifier is stored or printed; see README, "Audit your department".

            The examples use the synthetic demo department that the first one writes.

            Examples:
              cement audit demo .cache/audit-demo
              cement audit ingest .cache/audit-demo/manifest.csv --registry .cache/audit-demo/registry.sqlite
              cement audit import-followup .cache/audit-demo/followup.csv --registry .cache/audit-demo/registry.sqlite
              cement audit cases --registry .cache/audit-demo/registry.sqlite --csv
              cement audit report --period 2026-Q4 --registry .cache/audit-demo/registry.sqlite --out .cache/audit-demo/out
            """,
        subcommands: [AuditIngestCommand.self, AuditImportFollowUpCommand.self, AuditCasesCommand.self,
                      AuditReportCommand.self, AuditDemoCommand.self]
    )
}

/// The registry and key every `audit` subcommand works on.
struct AuditOptions: ParsableArguments {
    @Option(help: "The registry (SQLite; created when missing).", completion: .file())
    var registry = "registry.sqlite"
    @Option(help: ArgumentHelp("The department key file (default: department.key next to the registry; created with "
                               + "permissions 0600 on first use). Keep it out of backups that leave the department.",
                               valueName: "FILE"), completion: .file())
    var key: String?
    @Option(help: ArgumentHelp("The measurement cache: ingest stores each measurement with its masks there, the "
                               + "report draws its QC thumbnails from it (default: measurements next to the registry).",
                               valueName: "DIR"), completion: .directory)
    var measurements: String?

    var measurementsPath: String {
        measurements ?? ((registry as NSString).deletingLastPathComponent as NSString).appendingPathComponent("measurements")
    }

    var keyPath: String {
        key ?? ((registry as NSString).deletingLastPathComponent as NSString).appendingPathComponent("department.key")
    }

    func open() throws -> CaseRegistry {
        do { return try CaseRegistry(path: registry) } catch { throw CommandFailure(message: error.description) }
    }

    func departmentKey() throws -> DepartmentKey {
        do { return try DepartmentKey.loadOrCreate(keyPath) } catch { throw CommandFailure(message: error.description) }
    }
}

/// The time recorded as measured-at: SOURCE_DATE_EPOCH when set (reproducible builds' convention), else now.
enum AuditClock {
    static func now() -> Date {
        if let text = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let seconds = TimeInterval(text) {
            return Date(timeIntervalSince1970: seconds)
        }
        return Date()
    }
}

/// A time-zone option: an IANA name.
func parseTimeZone(_ name: String?) throws -> TimeZone {
    guard let name else { return TimeZone.current }
    guard let zone = TimeZone(identifier: name) else {
        throw ValidationError("--time-zone '\(name)' is not a known time zone (an IANA name such as Asia/Shanghai)")
    }
    return zone
}
