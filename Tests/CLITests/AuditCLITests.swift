import CLITestSupport
import Foundation
import Imaging
import Measurements
import Registry
import XCTest

/// `cement audit` end to end on the synthetic demo department, run as a user would: a kill -9 in the middle of an
/// ingest, and the demo's DICOM identifiers searched for in every byte the audit writes.
final class AuditCLITests: XCTestCase {
    private struct Result {
        var status: Int32
        var stdout: Data
        var stderr: Data
        var text: String { String(decoding: stderr, as: UTF8.self) }
    }

    private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    private func cement(_ arguments: [String]) throws -> Result {
        var environment = ProcessInfo.processInfo.environment
        environment["SOURCE_DATE_EPOCH"] = "1790000000"
        let run = try CommandRunner.run(CommandRunner.cement, arguments, in: repository, environment: environment)
        return Result(status: run.status, stdout: run.stdoutData, stderr: run.stderrData)
    }

    /// The demo department (two cases per quarter), written once for the class.
    private static let demo: String = {
        let path = NSTemporaryDirectory() + "cementreport-audit-cli-demo-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()
    nonisolated(unsafe) private static var demoWritten = false

    private func demoDepartment() throws -> String {
        if !Self.demoWritten {
            let result = try cement(["audit", "demo", Self.demo, "--per-quarter", "2"])
            XCTAssertEqual(result.status, 0, result.text)
            Self.demoWritten = true
        }
        return Self.demo
    }

    private func temporaryFolder(_ name: String = #function) -> String {
        let path = NSTemporaryDirectory() + "cementreport-audit-cli/\(name.filter(\.isLetter))-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs SQL on the registry with the sqlite3 shell, read-only (an independent reader that never writes or
    /// migrates the file, so it cannot disturb the ingest it watches); nil when the query fails (no file or schema yet,
    /// or a lock held). Rows one per line, columns separated by "|".
    private func readOnly(_ path: String, _ sql: String) -> String? {
        guard FileManager.default.fileExists(atPath: path),
              let result = try? CommandRunner.run(URL(fileURLWithPath: "/usr/bin/sqlite3"),
                                                  ["-readonly", "-cmd", ".timeout 2000", path, sql]),
              result.status == 0 else { return nil }
        return result.stdout
    }

    /// Every committed case and level, as the sqlite3 shell reads them.
    private func committed(_ path: String) -> String? {
        readOnly(path, """
            SELECT case_id, series_sha256, series_uid, level_count FROM cases ORDER BY case_id;
            SELECT case_id, level_index, distribution_rate_percent, qc_flags, fields FROM measurements
            ORDER BY case_id, level_index;
            """)
    }

    /// A kill -9 in the middle of an ingest, made deterministic: the registry is polled read-only until it holds a
    /// committed case, the ingest is frozen (SIGSTOP) so nothing more can commit, its committed content is read,
    /// and it is killed (SIGKILL) while frozen — mid-measurement or mid-transaction, wherever it stood. The file
    /// must then pass `PRAGMA integrity_check`, hold exactly the content read while frozen (every committed case
    /// with all its levels, nothing of the interrupted one), and a resumed ingest must measure exactly the rest.
    func testKillNineMidIngestLosesNothingCommittedAndCorruptsNothing() throws {
        let demo = try demoDepartment()
        let registryPath = temporaryFolder() + "/registry.sqlite"
        let total = 8  // the demo department's 2 cases per quarter
        let process = Process()
        process.executableURL = CommandRunner.cement
        process.arguments = ["audit", "ingest", demo + "/manifest.csv", "--registry", registryPath, "--jobs", "1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var frozen: String?
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, process.isRunning, frozen == nil {
            guard let count = readOnly(registryPath, "SELECT COUNT(*) FROM cases").flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }),
                  count >= 1 else {
                usleep(10_000)
                continue
            }
            kill(process.processIdentifier, SIGSTOP)
            // A reader needs no lock the frozen writer holds, except in the instant of a checkpoint: then let it
            // run a moment and freeze it again.
            for _ in 0..<20 {
                if let content = committed(registryPath) { frozen = content; break }
                kill(process.processIdentifier, SIGCONT)
                usleep(20_000)
                kill(process.processIdentifier, SIGSTOP)
            }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, "the ingest ended before it was killed")
        let before = try XCTUnwrap(frozen, "no committed case could be read before the kill")

        XCTAssertEqual(readOnly(registryPath, "PRAGMA integrity_check")?.trimmingCharacters(in: .whitespacesAndNewlines),
                       "ok", "sqlite3 after the kill")
        XCTAssertEqual(committed(registryPath), before, "exactly the content committed before the kill")
        let registry = try CaseRegistry(path: registryPath)
        XCTAssertEqual(try registry.integrityCheck(), ["ok"])
        XCTAssertEqual(try registry.incompleteCases(), [], "every case holds exactly its levels")
        let survived = try registry.cases()
        let survivedCount = before.split(separator: "\n").filter { $0.split(separator: "|").count == 4 }.count
        XCTAssertEqual(survived.count, survivedCount)
        XCTAssertLessThan(survived.count, total, "the kill came before the last series was committed")
        // Resuming measures exactly the series not committed and changes none that were.
        let resumed = try cement(["audit", "ingest", demo + "/manifest.csv", "--registry", registryPath, "--json"])
        XCTAssertEqual(resumed.status, 0, resumed.text)
        let outcomes = try JSONSerialization.jsonObject(with: resumed.stdout) as! [[String: Any]]
        XCTAssertEqual(outcomes.filter { $0["outcome"] as? String == "already_registered" }.count, survived.count)
        XCTAssertEqual(outcomes.filter { $0["outcome"] as? String == "measured" }.count, total - survived.count)
        let final = try CaseRegistry(path: registryPath).cases()
        XCTAssertEqual(final.count, total)
        for item in survived { XCTAssertEqual(final.first { $0.caseID == item.caseID }, item, "a committed case changed") }
    }

    func testNoDICOMIdentifierReachesTheRegistryLogsOrOutputs() throws {
        let demo = try demoDepartment()
        let folder = temporaryFolder()
        let registry = folder + "/registry.sqlite"
        var logs = Data()
        func run(_ arguments: [String]) throws -> Result {
            let result = try cement(arguments)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.text)")
            logs.append(result.stdout)
            logs.append(result.stderr)
            return result
        }
        _ = try run(["audit", "ingest", demo + "/manifest.csv", "--registry", registry, "--json"])
        _ = try run(["audit", "import-followup", demo + "/followup.csv", "--registry", registry])
        _ = try run(["audit", "cases", "--registry", registry, "--json"])
        _ = try run(["audit", "cases", "--registry", registry, "--csv"])
        _ = try run(["audit", "cases", "--registry", registry])
        for template in ["report/audit.en.md", "report/audit.zh.md"] {
            _ = try run(["audit", "report", "--period", "2026-Q4", "--registry", registry, "--template", template,
                         "--time-zone", "Asia/Shanghai", "--out", folder + "/out"])
        }
        // Everything written: the registry with its WAL and shared-memory files, the reports, the PDFs' text.
        var written: [(String, Data)] = [("logs", logs)]
        let files = try FileManager.default.subpathsOfDirectory(atPath: folder).filter { !$0.hasSuffix("department.key") }
        for file in files {
            var isFolder: ObjCBool = false
            let path = folder + "/" + file
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            written.append((file, FileManager.default.contents(atPath: path) ?? Data()))
            if file.hasSuffix(".pdf") {
                let text = Process()
                text.executableURL = URL(fileURLWithPath: "/usr/bin/pdftotext")
                text.arguments = [path, path + ".txt"]
                try text.run()
                text.waitUntilExit()
                written.append((file + ".txt", FileManager.default.contents(atPath: path + ".txt") ?? Data()))
            }
        }
        XCTAssertTrue(written.contains { $0.0.hasSuffix("audit.en.html") } && written.contains { $0.0.hasSuffix("registry.sqlite") })
        // The identifiers of every demo series, read with DCMTK from the DICOM files themselves.
        var identifiers: Set<String> = []
        let seriesFolder = demo + "/series"
        for name in try FileManager.default.contentsOfDirectory(atPath: seriesFolder) {
            let files = try FileManager.default.contentsOfDirectory(atPath: seriesFolder + "/" + name).filter { $0.hasSuffix(".dcm") }
            for file in files {
                let path = seriesFolder + "/" + name + "/" + file
                let identity = try DICOMStudyIdentity.read(path: path)
                identifiers.formUnion([identity.patientID, identity.studyInstanceUID, identity.seriesInstanceUID,
                                       try DICOMImageHeader.read(path: path).sopInstanceUID])
            }
            // PatientName and FrameOfReferenceUID (one per series) as DCMTK's dcmdump prints them.
            let dump = try CommandRunner.run(URL(fileURLWithPath: "/usr/bin/env"),
                                             ["dcmdump", "+P", "0010,0010", "+P", "0020,0052",
                                              seriesFolder + "/" + name + "/" + files.sorted()[0]])
            XCTAssertEqual(dump.status, 0, dump.stderr)
            for line in dump.stdout.split(separator: "\n") {
                guard let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]") else { continue }
                identifiers.insert(String(line[line.index(after: open)..<close]))
            }
        }
        XCTAssertTrue(identifiers.contains("DEMO-PATIENT-0001"))
        XCTAssertTrue(identifiers.contains("SYNTHETIC^DEMO-PATIENT-0001"), "\(identifiers.sorted())")
        XCTAssertEqual(identifiers.filter { $0.hasPrefix("SYNTHETIC^") }.count, 8, "a patient name per demo series")
        for identifier in identifiers.sorted() {
            for (file, bytes) in written {
                XCTAssertNil(bytes.range(of: Data(identifier.utf8)), "\(identifier) appears in \(file)")
            }
        }
    }

    /// The QC list's thumbnails come from the measurement cache the ingest wrote (one entry per series, keyed by the
    /// registry's content hash, holding the registry's levels): one picture per flagged level of the year; with the
    /// cache emptied, the report still renders (exit 0) and says for each flagged level why it has no thumbnail.
    func testQCThumbnailsComeFromTheIngestCache() throws {
        let demo = try demoDepartment()
        let folder = temporaryFolder()
        let registry = folder + "/registry.sqlite"
        let ingest = try cement(["audit", "ingest", demo + "/manifest.csv", "--registry", registry])
        XCTAssertEqual(ingest.status, 0, ingest.text)
        // The small demo measures clean phantoms (no level flagged): the test flags two levels for review in the
        // registry with sqlite3, so the report must draw them from the cache the ingest wrote.
        let mark = Process()
        mark.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        mark.arguments = [registry, "UPDATE measurements SET needs_review = 1 WHERE rowid IN "
                          + "(SELECT rowid FROM measurements ORDER BY rowid LIMIT 2);"]
        try mark.run()
        mark.waitUntilExit()
        XCTAssertEqual(mark.terminationStatus, 0)
        let cases = try CaseRegistry(path: registry).cases()
        let cache = MeasurementCache(folder: folder + "/measurements")
        for item in cases {
            let entry = try cache.entry(for: MeasurementCache.Key(seriesDigest: item.seriesSHA256))
            XCTAssertEqual(entry?.record.levels.count, item.levels.count, "cache entry of \(item.caseID)")
            XCTAssertEqual(entry?.masks.count, item.levels.count)
        }
        let flagged = cases.flatMap(\.levels).filter(\.needsReview).count
        XCTAssertGreaterThan(flagged, 0, "the demo department needs a QC-flagged level for this test")
        func report() throws -> String {
            let result = try cement(["audit", "report", "--period", "2026", "--registry", registry, "--format", "html",
                                     "--out", folder + "/out"])
            XCTAssertEqual(result.status, 0, result.text)
            return try String(contentsOfFile: folder + "/out/audit.en.html", encoding: .utf8)
        }
        func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }
        let drawn = try report()
        XCTAssertEqual(count("<figcaption", in: drawn.components(separatedBy: "Measurements to review").last!), flagged,
                       "one thumbnail figure per flagged level")
        XCTAssertEqual(count("No thumbnail for case", in: drawn), 0)
        try FileManager.default.removeItem(atPath: cache.folder)
        let missing = try report()
        XCTAssertEqual(count("No thumbnail for case", in: missing), flagged)
    }

    /// `--from/--to` spanning the days of 2026-Q4 selects the same cases as `--period 2026-Q4`: as many as the
    /// manifest's procedure dates in October–December (counted here from the CSV), all 8 cumulatively. The
    /// registry defaults to registry.sqlite in the working folder.
    func testADaySpanCountsTheCasesOfItsDaysAndTheRegistryDefaultsToTheWorkingFolder() throws {
        let demo = try demoDepartment()
        let folder = temporaryFolder()
        let work = try CommandRunner.run(CommandRunner.cement, ["audit", "ingest", demo + "/manifest.csv"], in: folder)
        XCTAssertEqual(work.status, 0, work.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/registry.sqlite"), "default registry path")
        let manifest = try String(contentsOfFile: demo + "/manifest.csv", encoding: .utf8)
        let inQ4 = manifest.split(separator: "\n").filter { line in
            [",2026-10-", ",2026-11-", ",2026-12-"].contains { line.contains($0) }
        }.count
        XCTAssertGreaterThan(inQ4, 0)
        func casesRow(_ arguments: [String], _ name: String) throws -> String {
            let run = try cement(["audit", "report"] + arguments + ["--registry", folder + "/registry.sqlite",
                                  "--time-zone", "Asia/Shanghai", "--format", "html", "--out", folder + "/" + name])
            XCTAssertEqual(run.status, 0, run.text)
            let html = try String(contentsOfFile: folder + "/" + name + "/audit.en.html", encoding: .utf8)
            let start = try XCTUnwrap(html.range(of: "<th scope=\"row\">Cases</th>"), html)
            return String(html[start.lowerBound...].prefix { $0 != "\n" }.prefix(60))
        }
        let quarter = try casesRow(["--period", "2026-Q4"], "quarter")
        XCTAssertTrue(quarter.hasPrefix("<th scope=\"row\">Cases</th><td>\(inQ4)</td><td>8</td>"), quarter)
        XCTAssertEqual(try casesRow(["--from", "2026-10-01", "--to", "2026-12-31"], "days"), quarter)
        let reversed = try cement(["audit", "report", "--from", "2026-12-31", "--to", "2026-10-01", "--registry",
                                   folder + "/registry.sqlite", "--out", folder + "/bad"])
        XCTAssertEqual(reversed.status, 2)
        XCTAssertTrue(reversed.text.contains("--from 2026-12-31 --to 2026-10-01 is not a span of days"), reversed.text)
    }

    func testBadInputExitsTwoNamingThePlace() throws {
        let demo = try demoDepartment()
        let folder = temporaryFolder()
        let registry = folder + "/registry.sqlite"
        XCTAssertEqual(try cement(["audit", "ingest", demo + "/manifest.csv", "--registry", registry]).status, 0)
        let followUp = folder + "/followup.csv"
        try Data("case_id,vas_1y\nCNOSUCHCASE,3\n".utf8).write(to: URL(fileURLWithPath: followUp))
        let missing = try cement(["audit", "import-followup", followUp, "--registry", registry])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.text.contains("row 1, column 'case_id': no such case in the registry"), missing.text)
        let period = try cement(["audit", "report", "--period", "2026-Q5", "--registry", registry, "--out", folder + "/out"])
        XCTAssertEqual(period.status, 2)
        XCTAssertTrue(period.text.contains("--period '2026-Q5'"), period.text)
        let zone = try cement(["audit", "report", "--period", "2026-Q1", "--time-zone", "Mars/Olympus", "--registry", registry,
                                  "--out", folder + "/out"])
        XCTAssertEqual(zone.status, 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/out"), "nothing written on an error")
    }
}
