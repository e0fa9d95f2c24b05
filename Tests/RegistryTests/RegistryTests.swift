import Foundation
import GRDB
import Imaging
import Phantom
import RateEngine
import Study
@testable import Registry
import XCTest

/// The registry on real SQLite files: migrations, transactions, pseudonymous case IDs, ingest of real phantom
/// series and follow-up import errors.
final class RegistryTests: XCTestCase {
    private func temporaryFolder(_ name: String = #function) -> String {
        let path = NSTemporaryDirectory() + "cementreport-registry/\(name.filter(\.isLetter))-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    func testAVersion1RegistryIsMigratedWithItsCasesKept() throws {
        let path = temporaryFolder() + "/registry.sqlite"
        // A registry as the first release wrote it: schema v1 only, one case with one level.
        let queue = try DatabaseQueue(path: path)
        try RegistrySchema.migrator.migrate(queue, upTo: "v1")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO cases VALUES ('C1', 'abc', '2.25.1', '2026-07-01T00:00:00Z', 'L1', 'OP1', '1.0.0', 1);
                INSERT INTO measurements VALUES ('C1', 0, 12.5, 11.0, 14.0, 'medium', 0.0, '', 0, '1.0.0', '{}', '{}',
                                                 '2026-07-02T00:00:00Z');
                """)
        }
        try queue.close()
        let registry = try CaseRegistry(path: path)
        XCTAssertEqual(try registry.appliedMigrations(), RegistrySchema.versions)
        try registry.upsertFollowUp([("C1", "vas_1y", "2")])
        let cases = try registry.cases()
        XCTAssertEqual(cases.map(\.caseID), ["C1"])
        XCTAssertEqual(cases[0].levels.first?.distributionRateInterval, [11.0, 14.0])
        XCTAssertEqual(cases[0].followUp, ["vas_1y": "2"])
        XCTAssertEqual(try registry.integrityCheck(), ["ok"])
        // The file is in write-ahead-log mode.
        let mode = try DatabaseQueue(path: path).read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        XCTAssertEqual(mode, "wal")
    }

    func testCaseIDIsTheKeyedHashOfPatientAndStudy() throws {
        let folder = temporaryFolder()
        let keyPath = folder + "/department.key"
        // Key bytes 0, 1, …, 31; reference HMAC-SHA256 from Python 3's hmac module:
        // hmac.new(bytes(range(32)), b'PAT-1\x00' + b'1.2.3.4', hashlib.sha256).hexdigest()
        let hex = (0..<32).map { String(format: "%02x", $0) }.joined()
        XCTAssertTrue(FileManager.default.createFile(atPath: keyPath, contents: Data((hex + "\n").utf8),
                                                     attributes: [.posixPermissions: 0o600]))
        let key = try DepartmentKey.loadOrCreate(keyPath)
        XCTAssertEqual(key.caseID(patientID: "PAT-1", studyInstanceUID: "1.2.3.4"), "C" + "d513857b0b7a53c6a115")
        XCTAssertNotEqual(key.caseID(patientID: "PAT-1", studyInstanceUID: "1.2.3.5"), key.caseID(patientID: "PAT-1", studyInstanceUID: "1.2.3.4"))
    }

    func testTheKeyIsCreatedPrivateAndAnOpenKeyIsRefused() throws {
        let keyPath = temporaryFolder() + "/department.key"
        let first = try DepartmentKey.loadOrCreate(keyPath)
        let mode = try FileManager.default.attributesOfItem(atPath: keyPath)[.posixPermissions] as! Int
        XCTAssertEqual(mode & 0o777, 0o600)
        XCTAssertEqual(try DepartmentKey.loadOrCreate(keyPath).caseID(patientID: "A", studyInstanceUID: "1"),
                       first.caseID(patientID: "A", studyInstanceUID: "1"))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: keyPath)
        XCTAssertThrowsError(try DepartmentKey.loadOrCreate(keyPath)) { error in
            XCTAssertTrue("\(error)".contains("readable by others"), "\(error)")
        }
    }

    /// Two small phantoms (128², classic) ingested twice: the second run measures nothing and changes nothing.
    func testReingestMeasuresOnlyNewSeries() throws {
        let folder = temporaryFolder()
        let generator = PhantomGenerator()
        for index in 0..<2 {
            var overrides = PhantomParameters.Overrides()
            overrides.matrix = 128
            overrides.realism = .classic
            overrides.caseID = "REG-PATIENT-\(index)"
            try generator.write(generator.makeCase(seed: 500 + UInt64(index), overrides: overrides),
                                to: folder + "/series/s\(index)")
        }
        let registry = try CaseRegistry(path: folder + "/registry.sqlite")
        let key = try DepartmentKey.loadOrCreate(folder + "/department.key")
        var parameters = AuditIngest.Parameters()
        parameters.jobs = 2
        let ingest = AuditIngest(registry: registry, key: key, parameters: parameters,
                                 clock: { Date(timeIntervalSince1970: 1_790_000_000) })
        let inputs = try AuditInput.list(folder + "/series")
        let first = try ingest.run(inputs)
        XCTAssertEqual(first.measured, 2, "\(first.failures)")
        let cases = try registry.cases()
        XCTAssertEqual(cases.count, 2)
        XCTAssertTrue(cases.allSatisfy { !$0.levels.isEmpty && $0.levels[0].measuredAt == "2026-09-21T14:13:20Z" })
        let second = try ingest.run(inputs)
        XCTAssertEqual(second.measured, 0)
        XCTAssertEqual(second.alreadyRegistered, 2)
        XCTAssertEqual(try registry.cases(), cases)
        // Every field of the engine's level is kept.
        let fields = try JSONSerialization.jsonObject(with: Data(cases[0].levels[0].fieldsJSON.utf8)) as! [String: Any]
        XCTAssertNotNil(fields["vertebral_body_ml"])
        XCTAssertNotNil(fields["cement_in_body_ml"])
    }

    /// A case measured by another engine version (its version rewritten in the file, and its DR with it) is
    /// reported stale and left alone by a plain ingest; `remeasure` measures it again with this engine, giving the
    /// first measurement's numbers back, and keeps its follow-up.
    func testRemeasureReplacesOnlyCasesOfAnotherEngineVersionAndKeepsFollowUp() throws {
        let folder = temporaryFolder()
        var overrides = PhantomParameters.Overrides()
        overrides.matrix = 128
        overrides.realism = .classic
        let generator = PhantomGenerator()
        _ = try generator.write(generator.makeCase(seed: 500, overrides: overrides), to: folder + "/series/s0")
        let registry = try CaseRegistry(path: folder + "/registry.sqlite")
        let key = try DepartmentKey.loadOrCreate(folder + "/department.key")
        var parameters = AuditIngest.Parameters()
        func ingest() throws -> AuditIngest.Summary {
            try AuditIngest(registry: registry, key: key, parameters: parameters,
                            clock: { Date(timeIntervalSince1970: 1_790_000_000) }).run(try AuditInput.list(folder + "/series"))
        }
        XCTAssertEqual(try ingest().measured, 1)
        let measured = try registry.cases()
        let caseID = measured[0].caseID
        try registry.upsertFollowUp([(caseID, "vas_1y", "2")])
        let file = try DatabaseQueue(path: folder + "/registry.sqlite")
        try file.write { db in
            try db.execute(sql: "UPDATE cases SET engine_version = '0.0.1-old'")
            try db.execute(sql: "UPDATE measurements SET engine_version = '0.0.1-old', distribution_rate_percent = 99")
        }
        try file.close()

        let plain = try ingest()
        XCTAssertEqual(plain.outcomes.first?.outcome, .alreadyRegistered(caseID: caseID, engineVersion: "0.0.1-old"))
        XCTAssertEqual(plain.stale, 1)
        XCTAssertEqual(try registry.cases()[0].levels[0].distributionRatePercent, 99, "left alone")

        parameters.remeasure = true
        XCTAssertEqual(try ingest().outcomes.first?.outcome, .measured(caseID: caseID))
        let again = try registry.cases()
        XCTAssertEqual(again.map(\.engineVersion), [RateEngine.version])
        XCTAssertEqual(again[0].levels, measured[0].levels, "the same engine on the same series gives the same levels")
        XCTAssertEqual(again[0].followUp, ["vas_1y": "2"])
        // Measured by this version now: remeasure has nothing more to do.
        XCTAssertEqual(try ingest().outcomes.first?.outcome, .alreadyRegistered(caseID: caseID, engineVersion: RateEngine.version))
    }

    func testAFailedSeriesIsRecordedAndRetriedOnlyOnRequest() throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/series/broken", withIntermediateDirectories: true)
        try Data("not DICOM".utf8).write(to: URL(fileURLWithPath: folder + "/series/broken/IM00001.dcm"))
        let registry = try CaseRegistry(path: folder + "/registry.sqlite")
        let key = try DepartmentKey.loadOrCreate(folder + "/department.key")
        let inputs = try AuditInput.list(folder + "/series")
        var parameters = AuditIngest.Parameters()
        let ingest = AuditIngest(registry: registry, key: key, parameters: parameters, clock: { Date(timeIntervalSince1970: 0) })
        let first = try ingest.run(inputs)
        XCTAssertEqual(first.failures.count, 1)
        XCTAssertEqual(try registry.failures().count, 1)
        guard case .failedBefore? = try ingest.run(inputs).outcomes.first?.outcome else { return XCTFail("retried unasked") }
        parameters.retryFailed = true
        guard case .failed? = try AuditIngest(registry: registry, key: key, parameters: parameters,
                                              clock: { Date(timeIntervalSince1970: 0) }).run(inputs).outcomes.first?.outcome
        else { return XCTFail("not retried") }
    }

    /// A series that failed (its folder held no DICOM yet, as when a transfer is incomplete) and then succeeds on
    /// `--retry-failed` is no longer a failure: its row leaves `ingest_failures` in the transaction that records the
    /// measurement, and later runs report it registered. The same when the retried folder turns out to hold a series
    /// registered from another folder. Checked on the SQLite file itself, read back with a fresh connection.
    func testAFailureFollowedByASuccessfulRetryLeavesNoFailure() throws {
        let folder = temporaryFolder()
        let (first, second) = (folder + "/series/s0", folder + "/series/s1")
        for path in [first, second] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try Data("not DICOM".utf8).write(to: URL(fileURLWithPath: path + "/IM00001.dcm"))
        }
        let registry = try CaseRegistry(path: folder + "/registry.sqlite")
        let key = try DepartmentKey.loadOrCreate(folder + "/department.key")
        var parameters = AuditIngest.Parameters()
        func ingest(retry: Bool) throws -> AuditIngest.Summary {
            parameters.retryFailed = retry
            return try AuditIngest(registry: registry, key: key, parameters: parameters,
                                   clock: { Date(timeIntervalSince1970: 1_790_000_000) }).run(try AuditInput.list(folder + "/series"))
        }
        XCTAssertEqual(try ingest(retry: false).failures.map(\.input), [first, second])
        XCTAssertEqual(Set(try registry.failures().keys), [first, second])

        // The transfer completes: s0 now holds a phantom series, s1 a copy of the same files.
        try FileManager.default.removeItem(atPath: first + "/IM00001.dcm")
        try FileManager.default.removeItem(atPath: second + "/IM00001.dcm")
        var overrides = PhantomParameters.Overrides()
        overrides.matrix = 128
        overrides.realism = .classic
        let generator = PhantomGenerator()
        _ = try generator.write(generator.makeCase(seed: 500, overrides: overrides), to: first)
        for file in try FileManager.default.contentsOfDirectory(atPath: first) {
            try FileManager.default.copyItem(atPath: first + "/" + file, toPath: second + "/" + file)
        }
        // Not asked to retry: both are still failures from before, and nothing is measured.
        let unasked = try ingest(retry: false)
        XCTAssertEqual(unasked.measured, 0)
        XCTAssertEqual(unasked.failures.map(\.input), [first, second])

        // jobs 1: s0 is measured before s1 is looked at, so s1 finds its series registered.
        parameters.jobs = 1
        let retried = try ingest(retry: true)
        guard case .measured(let caseID)? = retried.outcomes.first?.outcome else {
            return XCTFail("s0 not measured: \(retried.outcomes)")
        }
        XCTAssertEqual(retried.outcomes.last?.outcome, .alreadyRegistered(caseID: caseID, engineVersion: RateEngine.version))
        XCTAssertTrue(retried.failures.isEmpty, "\(retried.failures)")
        XCTAssertEqual(try registry.failures(), [:])
        let later = try ingest(retry: false)
        XCTAssertTrue(later.failures.isEmpty, "\(later.failures)")
        XCTAssertEqual(later.alreadyRegistered, 2)

        let file = try DatabaseQueue(path: folder + "/registry.sqlite")
        let (failures, cases, levels) = try file.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ingest_failures")!,
             try String.fetchAll(db, sql: "SELECT case_id FROM cases"),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM measurements WHERE case_id = ? AND distribution_rate_percent IS NOT NULL",
                              arguments: [caseID])!)
        }
        XCTAssertEqual(failures, 0)
        XCTAssertEqual(cases, [caseID])
        XCTAssertGreaterThan(levels, 0, "the measurement is recorded")
        XCTAssertEqual(try registry.integrityCheck(), ["ok"])
    }

    /// A folder holding only a scout (ImageType LOCALIZER, full of 3000 HU "cement") is never measured: ingest
    /// records `cement rate`'s reason and registers no case.
    func testAScoutAloneIsRecordedAsAFailureAndNeverMeasured() throws {
        let folder = temporaryFolder()
        let geometry = VolumeGeometry(size: [32, 32, 1], spacing: [1, 1, 1], origin: [-16, 0, 16],
                                      rowDirection: [1, 0, 0], columnDirection: [0, 0, -1], sliceDirection: [0, 1, 0])
        var writer = CTSeriesWriter(identity: CTSeriesWriter.Identity(patientName: "SCOUT^ONLY", patientID: "SCOUTPID",
                                                                      uidSeed: "registry/scout"))
        writer.imageType = ["ORIGINAL", "PRIMARY", "LOCALIZER"]
        try FileManager.default.createDirectory(atPath: folder + "/series/scout", withIntermediateDirectories: true)
        try writer.write(HUVolume(geometry: geometry, repeating: 3000), to: folder + "/series/scout")
        let registry = try CaseRegistry(path: folder + "/registry.sqlite")
        let summary = try AuditIngest(registry: registry, key: try DepartmentKey.loadOrCreate(folder + "/department.key"),
                                      parameters: AuditIngest.Parameters(), clock: { Date(timeIntervalSince1970: 0) })
            .run(try AuditInput.list(folder + "/series"))
        XCTAssertEqual(summary.measured, 0)
        XCTAssertEqual(summary.failures.count, 1)
        XCTAssertTrue(summary.failures.first?.error.contains("localizer: ImageType ORIGINAL\\PRIMARY\\LOCALIZER") ?? false,
                      "\(summary.failures)")
        XCTAssertEqual(try registry.cases(), [])
        XCTAssertFalse(try registry.failures().values.contains { $0.contains("SCOUTPID") || $0.contains("SCOUT^ONLY") }, "no patient identifier recorded")
    }

    func testFollowUpErrorsNameRowAndColumnAndStoreNothing() throws {
        let folder = temporaryFolder()
        let registry = try CaseRegistry(path: folder + "/registry.sqlite")
        let key = try DepartmentKey.loadOrCreate(folder + "/department.key")
        try registry.record(RegisteredCase(caseID: "C1", seriesSHA256: "a", seriesUID: "2.25.1", procedureAt: nil,
                                           treatedLevels: [], operatorCode: nil, engineVersion: "t", levels: []), input: "x")
        let codebook = try Codebook.load(repository + "/data/codebook.csv")
        let importer = FollowUpImport(codebook: codebook, key: key)
        func attempt(_ csv: String) -> String {
            let path = folder + "/followup-\(UUID().uuidString).csv"
            try! Data(csv.utf8).write(to: URL(fileURLWithPath: path))
            do {
                try registry.upsertFollowUp(try importer.read(path, registry: registry))
                return "stored"
            } catch { return "\(error)" }
        }
        XCTAssertTrue(attempt("case_id,vas_1y\nC1,3\nC1,4\n").contains("row 2, column 'case_id': the same case as row 1"))
        XCTAssertTrue(attempt("case_id,vas_1y\nC1,11\n").contains("row 1, column 'vas_1y': 11 is above 10"))
        XCTAssertTrue(attempt("case_id,leakage\nC1,yes\n").contains("row 1, column 'leakage'"))
        XCTAssertTrue(attempt("case_id,vas_1yr\nC1,2\n").contains("column 'vas_1yr': not a follow-up variable of the codebook (did you mean 'vas_1y'?)"))
        XCTAssertTrue(attempt("case_id,secondary_fracture_date\nC1,2026-02-30\n").contains("row 1, column 'secondary_fracture_date': '2026-02-30' is not a date"))
        XCTAssertTrue(attempt("case_id,vas_1y\nC9,2\n").contains("row 1, column 'case_id': no such case in the registry"))
        XCTAssertEqual(try registry.cases()[0].followUp, [:], "nothing stored by a failed import")
        XCTAssertEqual(attempt("case_id,vas_1y,secondary_fracture,secondary_fracture_date\nC1,2,1,2026-10-03\n"), "stored")
        XCTAssertEqual(attempt("case_id,vas_1y\nC1,3\n"), "stored")
        XCTAssertEqual(try registry.cases()[0].followUp,
                       ["vas_1y": "3", "secondary_fracture": "1", "secondary_fracture_date": "2026-10-03"])
    }
}
