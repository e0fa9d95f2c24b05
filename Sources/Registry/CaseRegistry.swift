import Foundation
import GRDB

/// The department's case registry: one SQLite file (GRDB, write-ahead log) holding pseudonymous cases, their
/// measurements per level, their follow-up and the series that failed to ingest. Opening a file migrates it to
/// the current schema (`RegistrySchema`). Every change is one transaction: a process killed at any moment leaves
/// the file with exactly the changes committed before.
public final class CaseRegistry: Sendable {
    /// The registry file.
    public let path: String
    let pool: DatabasePool

    /// Opens (creating when missing) and migrates the registry at `path`.
    public init(path: String) throws(RegistryError) {
        self.path = path
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        // Parallel ingest workers write one after the other; waiting beats failing.
        configuration.busyMode = .timeout(30)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try RegistrySchema.migrator.migrate(pool)
        } catch {
            throw RegistryError(file: path, "cannot open the registry (\(Self.reason(error)))")
        }
    }

    /// The schema migrations applied to the file, oldest first.
    public func appliedMigrations() throws(RegistryError) -> [String] {
        try read { db in try RegistrySchema.migrator.appliedMigrations(db) }
    }

    /// The result of SQLite's `PRAGMA integrity_check` ("ok" when the file is sound).
    public func integrityCheck() throws(RegistryError) -> [String] {
        try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    /// Cases whose stored levels differ in number from the levels recorded with the case (a half-written case;
    /// empty in a sound registry).
    public func incompleteCases() throws(RegistryError) -> [String] {
        try read { db in
            try String.fetchAll(db, sql: """
                SELECT case_id FROM cases
                WHERE level_count != (SELECT COUNT(*) FROM measurements WHERE measurements.case_id = cases.case_id)
                ORDER BY case_id
                """)
        }
    }

    /// The case holding the series of content hash `digest`, with the engine version it was measured with.
    public func caseOfSeries(_ digest: String) throws(RegistryError) -> (caseID: String, engineVersion: String)? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT case_id, engine_version FROM cases WHERE series_sha256 = ?",
                             arguments: [digest]).map { row in (caseID: row["case_id"] as String, engineVersion: row["engine_version"] as String) }
        }
    }

    /// The case whose series has the registry's (pseudonymous, `DepartmentKey.replacementUID`) series UID `uid`,
    /// with the engine version it was measured with: lets a PACS source skip pulling a series already registered.
    public func caseOfSeries(uid: String) throws(RegistryError) -> (caseID: String, engineVersion: String)? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT case_id, engine_version FROM cases WHERE series_uid = ?",
                             arguments: [uid]).map { row in (caseID: row["case_id"] as String, engineVersion: row["engine_version"] as String) }
        }
    }

    /// Records a measured case with its levels in one transaction: the case is inserted or replaced (a re-measured
    /// series keeps its follow-up), its old levels are replaced, and a failure recorded for `input` is cleared.
    public func record(_ item: RegisteredCase, input: String) throws(RegistryError) {
        try write { db in
            try db.execute(sql: """
                INSERT INTO cases (case_id, series_sha256, series_uid, procedure_at, treated_levels, operator_code,
                                   engine_version, level_count)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(case_id) DO UPDATE SET series_sha256 = excluded.series_sha256,
                    series_uid = excluded.series_uid, procedure_at = excluded.procedure_at,
                    treated_levels = excluded.treated_levels, operator_code = excluded.operator_code,
                    engine_version = excluded.engine_version, level_count = excluded.level_count
                """, arguments: [item.caseID, item.seriesSHA256, item.seriesUID, item.procedureAt,
                                 item.treatedLevels.isEmpty ? nil : item.treatedLevels.joined(separator: ";"),
                                 item.operatorCode, item.engineVersion, item.levels.count])
            try db.execute(sql: "DELETE FROM measurements WHERE case_id = ?", arguments: [item.caseID])
            for level in item.levels {
                try db.execute(sql: """
                    INSERT INTO measurements (case_id, level_index, distribution_rate_percent, dr_interval_low,
                        dr_interval_high, dr_group, leakage_ml, qc_flags, needs_review, engine_version, engine_parameters,
                        fields, measured_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [item.caseID, level.levelIndex, level.distributionRatePercent,
                                     level.distributionRateInterval?.first, level.distributionRateInterval?.last,
                                     level.group, level.leakageML, level.qcFlags.joined(separator: ";"),
                                     level.needsReview, level.engineVersion, level.parametersJSON, level.fieldsJSON,
                                     level.measuredAt])
            }
            try db.execute(sql: "DELETE FROM ingest_failures WHERE input = ?", arguments: [input])
        }
    }

    /// Records that `input` failed to ingest, with the error (replacing an earlier failure of it).
    public func recordFailure(input: String, error: String, engineVersion: String, at time: String) throws(RegistryError) {
        try write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO ingest_failures (input, error, engine_version, failed_at) VALUES (?, ?, ?, ?)",
                           arguments: [input, error, engineVersion, time])
        }
    }

    /// Forgets the failure recorded for `input` (its series was found registered when retried).
    public func clearFailure(input: String) throws(RegistryError) {
        try write { db in try db.execute(sql: "DELETE FROM ingest_failures WHERE input = ?", arguments: [input]) }
    }

    /// Inputs that failed, with their errors, by input.
    public func failures() throws(RegistryError) -> [String: String] {
        try read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT input, error FROM ingest_failures")
                .map { ($0["input"] as String, $0["error"] as String) })
        }
    }

    /// Whether a case of this ID is registered.
    public func contains(caseID: String) throws(RegistryError) -> Bool {
        try read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM cases WHERE case_id = ?", arguments: [caseID]) ?? false }
    }

    /// Stores follow-up values (case ID → variable → value) in one transaction, replacing values of the same
    /// variable; every case must be registered.
    public func upsertFollowUp(_ values: [(caseID: String, variable: String, value: String)]) throws(RegistryError) {
        try write { db in
            for entry in values {
                try db.execute(sql: """
                    INSERT INTO followup (case_id, variable, value) VALUES (?, ?, ?)
                    ON CONFLICT(case_id, variable) DO UPDATE SET value = excluded.value
                    """, arguments: [entry.caseID, entry.variable, entry.value])
            }
        }
    }

    /// Every case with its levels and follow-up, by procedure time, then case ID.
    public func cases() throws(RegistryError) -> [RegisteredCase] {
        try read { db in
            var levels: [String: [RegisteredLevel]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM measurements ORDER BY case_id, level_index") {
                let low: Double? = row["dr_interval_low"], high: Double? = row["dr_interval_high"]
                let flags: String = row["qc_flags"]
                let id: String = row["case_id"]
                levels[id, default: []].append(RegisteredLevel(
                    levelIndex: row["level_index"], distributionRatePercent: row["distribution_rate_percent"],
                    distributionRateInterval: low.flatMap { low in high.map { [low, $0] } }, group: row["dr_group"],
                    leakageML: row["leakage_ml"], qcFlags: flags.split(separator: ";").map(String.init),
                    needsReview: row["needs_review"], fieldsJSON: row["fields"], parametersJSON: row["engine_parameters"],
                    engineVersion: row["engine_version"], measuredAt: row["measured_at"]))
            }
            var followUp: [String: [String: String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT case_id, variable, value FROM followup") {
                let id: String = row["case_id"], variable: String = row["variable"], value: String = row["value"]
                followUp[id, default: [:]][variable] = value
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM cases ORDER BY procedure_at IS NULL, procedure_at, case_id").map { row in
                let id: String = row["case_id"]
                let treated: String? = row["treated_levels"]
                return RegisteredCase(caseID: id, seriesSHA256: row["series_sha256"], seriesUID: row["series_uid"],
                                      procedureAt: row["procedure_at"],
                                      treatedLevels: treated?.split(separator: ";").map(String.init) ?? [],
                                      operatorCode: row["operator_code"], engineVersion: row["engine_version"],
                                      levels: levels[id] ?? [], followUp: followUp[id] ?? [:])
            }
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws(RegistryError) -> T {
        do { return try pool.read(body) } catch { throw RegistryError(file: path, Self.reason(error)) }
    }

    private func write<T>(_ body: (Database) throws -> T) throws(RegistryError) -> T {
        do { return try pool.write(body) } catch { throw RegistryError(file: path, Self.reason(error)) }
    }

    static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? error.description }
        return "\(error)"
    }
}
