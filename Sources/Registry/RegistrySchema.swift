import GRDB

/// The registry's schema as numbered migrations. A migration, once released, is never edited: a change is a new
/// migration, so that every older registry file opens and is brought up to date.
enum RegistrySchema {
    /// Migration identifiers, oldest first.
    static let versions = ["v1", "v2"]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        // v1: cases, their measurements per level, and series that failed to ingest.
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE cases (
                    case_id TEXT PRIMARY KEY NOT NULL,
                    series_sha256 TEXT NOT NULL UNIQUE,
                    series_uid TEXT NOT NULL,
                    procedure_at TEXT,
                    treated_levels TEXT,
                    operator_code TEXT,
                    engine_version TEXT NOT NULL,
                    level_count INTEGER NOT NULL
                );
                CREATE TABLE measurements (
                    case_id TEXT NOT NULL REFERENCES cases(case_id) ON DELETE CASCADE,
                    level_index INTEGER NOT NULL,
                    distribution_rate_percent REAL,
                    dr_interval_low REAL,
                    dr_interval_high REAL,
                    dr_group TEXT,
                    leakage_ml REAL,
                    qc_flags TEXT NOT NULL,
                    needs_review INTEGER NOT NULL,
                    engine_version TEXT NOT NULL,
                    engine_parameters TEXT NOT NULL,
                    fields TEXT NOT NULL,
                    measured_at TEXT NOT NULL,
                    PRIMARY KEY (case_id, level_index)
                );
                CREATE TABLE ingest_failures (
                    input TEXT PRIMARY KEY NOT NULL,
                    error TEXT NOT NULL,
                    engine_version TEXT NOT NULL,
                    failed_at TEXT NOT NULL
                );
                """)
        }
        // v2: clinical follow-up, one row per case and codebook variable.
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                CREATE TABLE followup (
                    case_id TEXT NOT NULL REFERENCES cases(case_id) ON DELETE CASCADE,
                    variable TEXT NOT NULL,
                    value TEXT NOT NULL,
                    PRIMARY KEY (case_id, variable)
                );
                CREATE INDEX cases_procedure_at ON cases(procedure_at);
                """)
        }
        return migrator
    }
}
