import CLITestSupport
import Foundation
@testable import Imaging
import PACS
import XCTest

/// `cement pacs` against a real Orthanc on loopback, run as a user would run the built executable: a synthetic
/// CT series (`cement phantom`) is pushed, found, pulled and measured with `cement rate`; the measurement's DICOM
/// Segmentation and Structured Report are pushed and found again under their modalities; a second series is
/// pushed back by file name and found again; the refusals a user meets (unknown AE titles, a peer that is down
/// or hangs) exit 2 quickly with the peer named. Reference values come from the files the phantom wrote (counted
/// on disk, UIDs read back by the Imaging module's DCMTK reader) and from Orthanc's own instance counts.
final class PACSRoundTripTests: XCTestCase {
    /// The identifiers written into the test patient's files; they must never appear in any output.
    static let patientID = "PIDZQX4711"
    static let patientName = "SYNTHETIC^" + patientID

    nonisolated(unsafe) private static var shared: OrthancServer?

    private func orthanc() throws -> OrthancServer {
        if let server = Self.shared { return server }
        let server = try OrthancServer()
        Self.shared = server
        return server
    }

    override class func tearDown() {
        shared?.stop()
        shared = nil
        super.tearDown()
    }

    private typealias Result = CommandRun

    private func cement(_ arguments: [String]) throws -> Result {
        try CommandRunner.run(arguments)
    }

    private func temporaryFolder(_ name: String = #function) -> String {
        let path = NSTemporaryDirectory() + "cementreport-pacs/\(name.filter(\.isLetter))-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func json(_ result: Result) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stderr)
    }

    private func dicomFiles(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".dcm") }.sorted()
            .map { folder + "/" + $0 }
    }

    private func assertNoPatientIdentifiers(_ text: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(text.contains(Self.patientID), "patient ID in \(what)", file: file, line: line)
        XCTAssertFalse(text.contains("SYNTHETIC^"), "patient name in \(what)", file: file, line: line)
    }

    func testSeriesIsPushedFoundPulledAndMeasuredWithoutPatientIdentifiersInAnyOutput() throws {
        let server = try orthanc()
        let work = temporaryFolder()
        let source = work + "/source"
        let phantom = try cement(["phantom", source, "--matrix", "128", "--seed", "11", "--dr", "20",
                                  "--case-id", Self.patientID])
        XCTAssertEqual(phantom.status, 0, phantom.stderr)
        let sourceFiles = try dicomFiles(in: source)
        let first = try DICOMObject(path: sourceFiles[0])
        XCTAssertEqual(first.string(.patientID), Self.patientID, "the series must carry the identifiers the test looks for")
        let studyUID = try XCTUnwrap(first.string(.studyInstanceUID))
        let seriesUID = try XCTUnwrap(first.string(.seriesInstanceUID))
        let sourceInstances = Set(try sourceFiles.map { try XCTUnwrap(DICOMObject(path: $0).string(.sopInstanceUID)) })
        var outputs: [(String, Result)] = []

        // Push the folder: every DICOM file stored, truth.json skipped.
        let push = try cement(["pacs", "push"] + server.flags + [source, "--json"])
        outputs.append(("push", push))
        XCTAssertEqual(push.status, 0, push.stderr)
        let pushed = try json(push)
        XCTAssertEqual(pushed["stored"] as? Int, sourceFiles.count)
        XCTAssertEqual(pushed["failed"] as? Int, 0)
        XCTAssertEqual((pushed["skipped"] as? [String])?.count, 1)

        // Find by date range (the phantom's study date is 2022-01-01), through a YAML configuration file.
        let config = work + "/pacs.yaml"
        try """
            host: 127.0.0.1
            port: \(server.port)
            called_ae: \(OrthancServer.aeTitle)
            calling_ae: \(OrthancServer.clientAE)
            connect_timeout: 3
            retries: 0
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let find = try cement(["pacs", "find", "--config", config, "--from", "2021-12-01", "--to", "2022-01-31",
                               "--patient-id", Self.patientID, "--json"])
        outputs.append(("find", find))
        XCTAssertEqual(find.status, 0, find.stderr)
        let studies = try XCTUnwrap(try json(find)["studies"] as? [[String: Any]])
        XCTAssertEqual(studies.count, 1)
        XCTAssertEqual(studies.first?["study_uid"] as? String, studyUID)
        XCTAssertEqual(studies.first?["study_date"] as? String, "20220101")
        let series = try XCTUnwrap(studies.first?["series"] as? [[String: Any]])
        XCTAssertEqual(series.count, 1)
        XCTAssertEqual(series.first?["series_uid"] as? String, seriesUID)
        XCTAssertEqual(series.first?["instances"] as? Int, sourceFiles.count, "Orthanc's count of the stored instances")
        XCTAssertEqual(try json(find)["query"].flatMap { ($0 as? [String: Any])?["patient_id_given"] as? Bool }, true)

        // Filters that exclude the study: a date range before it, a body part it does not have.
        let before = try cement(["pacs", "find"] + server.flags + ["--to", "20211231", "--json"])
        XCTAssertEqual(before.status, 0, before.stderr)
        XCTAssertEqual((try json(before)["studies"] as? [Any])?.count, 0)
        let spine = try cement(["pacs", "find"] + server.flags + ["--body-part", "SPINE", "--json"])
        XCTAssertEqual((try json(spine)["studies"] as? [Any])?.count, 0)

        // Pull the series and measure it: the same instances, and the same measurement as the source.
        let pulledRoot = work + "/pulled"
        let pull = try cement(["pacs", "pull"] + server.flags + ["--study-uid", studyUID, "--out", pulledRoot, "--json"])
        outputs.append(("pull", pull))
        XCTAssertEqual(pull.status, 0, pull.stderr)
        let pulledFolder = pulledRoot + "/" + studyUID + "/" + seriesUID
        let pulledFiles = try dicomFiles(in: pulledFolder)
        XCTAssertEqual(Set(pulledFiles.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension }),
                       sourceInstances)
        XCTAssertEqual(((try json(pull)["series"] as? [[String: Any]])?.first?["instances"]) as? Int, sourceFiles.count)
        XCTAssertEqual(try DICOMObject(path: pulledFiles[0]).string(.patientID), Self.patientID,
                       "the pulled files themselves keep the identifiers")
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: pulledRoot + "/" + studyUID)
            .contains { $0.hasSuffix(".cement-partial") }, "no temporary folder left")

        let ratePulled = try cement(["rate", pulledFolder, "--json"])
        let rateSource = try cement(["rate", source, "--json"])
        outputs.append(("rate", ratePulled))
        XCTAssertEqual(ratePulled.status, 0, ratePulled.stderr)
        let measuredPulled = try json(ratePulled), measuredSource = try json(rateSource)
        let pulledRate = try XCTUnwrap(measuredPulled["distribution_rate_percent"] as? Double)
        XCTAssertEqual(pulledRate, try XCTUnwrap(measuredSource["distribution_rate_percent"] as? Double),
                       "the pulled series measures as the series written")
        XCTAssertEqual(try XCTUnwrap(measuredPulled["vertebral_body_ml"] as? Double),
                       try XCTUnwrap(measuredSource["vertebral_body_ml"] as? Double))

        // The results go back into the PACS: the Segmentation and the TID 1500 report of the pulled series, pushed
        // and found again in the study under their own modalities, one instance each as Orthanc counts them.
        let results = work + "/results"
        let measuredOut = try cement(["rate", pulledFolder, "--dicom-out", results, "--case-id", "CR-PACS1"])
        outputs.append(("rate --dicom-out", measuredOut))
        XCTAssertEqual(measuredOut.status, 0, measuredOut.stderr)
        let resultFiles = [results + "/level-1-seg.dcm", results + "/level-1-sr.dcm"]
        let pushResults = try cement(["pacs", "push"] + server.flags + resultFiles + ["--json"])
        outputs.append(("push results", pushResults))
        XCTAssertEqual(pushResults.status, 0, pushResults.stderr)
        XCTAssertEqual(try json(pushResults)["stored"] as? Int, 2)
        XCTAssertEqual(try json(pushResults)["failed"] as? Int, 0)
        for (modality, file) in zip(["SEG", "SR"], resultFiles) {
            let object = try DICOMObject(path: file)
            XCTAssertEqual(object.string(.studyInstanceUID), studyUID, "filed with the images it was measured on")
            let found = try cement(["pacs", "find"] + server.flags + ["--study-uid", studyUID, "--modality", modality, "--json"])
            outputs.append(("find " + modality, found))
            XCTAssertEqual(found.status, 0, found.stderr)
            let foundSeries = try XCTUnwrap(try json(found)["studies"] as? [[String: Any]])
                .flatMap { ($0["series"] as? [[String: Any]]) ?? [] }
            XCTAssertEqual(foundSeries.map { $0["series_uid"] as? String }, [object.string(.seriesInstanceUID)], modality)
            XCTAssertEqual(foundSeries.first?["modality"] as? String, modality)
            XCTAssertEqual(foundSeries.first?["instances"] as? Int, 1, modality)
        }

        // Push files back by name (a second series of the study's kind) and find them again.
        let back = work + "/back"
        try FileManager.default.createDirectory(atPath: back, withIntermediateDirectories: true)
        var volume = HUVolume(geometry: VolumeGeometry(size: [16, 12, 6], spacing: [0.5, 0.5, 2], origin: [0, 0, 0]),
                              repeating: 0)
        volume[3, 3, 3] = 1500
        var identity = CTSeriesWriter.Identity(patientName: Self.patientName, patientID: Self.patientID,
                                               uidSeed: "pacs-tests/pushed-back")
        identity.seriesDescription = "CementReport pushed back"
        let backFiles = try CTSeriesWriter(identity: identity).write(volume, to: back)
        let pushBack = try cement(["pacs", "push"] + server.flags + backFiles)
        outputs.append(("push back", pushBack))
        XCTAssertEqual(pushBack.status, 0, pushBack.stderr)
        let again = try cement(["pacs", "find"] + server.flags + ["--series-description", "CementReport pushed*", "--json"])
        outputs.append(("find again", again))
        let againStudies = try XCTUnwrap(try json(again)["studies"] as? [[String: Any]])
        let againSeries = againStudies.flatMap { ($0["series"] as? [[String: Any]]) ?? [] }
        XCTAssertEqual(againSeries.map { $0["series_uid"] as? String }, [identity.seriesUID])
        XCTAssertEqual(againSeries.first?["instances"] as? Int, 6)

        for (what, result) in outputs { assertNoPatientIdentifiers(result.both, what) }
        let human = try cement(["pacs", "find"] + server.flags)
        XCTAssertEqual(human.status, 0, human.stderr)
        XCTAssertTrue(human.stdout.contains(seriesUID), human.stdout)
        assertNoPatientIdentifiers(human.both, "find (text)")
    }

    func testMovePullsTheSameInstancesAsGetAndMeasuresTheSameWithoutPatientIdentifiers() throws {
        let server = try orthanc()
        let work = temporaryFolder()
        let source = work + "/source"
        let phantom = try cement(["phantom", source, "--matrix", "128", "--seed", "12", "--dr", "25",
                                  "--case-id", Self.patientID])
        XCTAssertEqual(phantom.status, 0, phantom.stderr)
        // Out of the date range another test finds its own study of the same patient by (the phantom's 2022-01-01).
        try dcmodify(try dicomFiles(in: source), ["(0008,0020)=20220301"])
        let first = try DICOMObject(path: try dicomFiles(in: source)[0])
        let studyUID = try XCTUnwrap(first.string(.studyInstanceUID))
        let seriesUID = try XCTUnwrap(first.string(.seriesInstanceUID))
        let sourceInstances = Set(try dicomFiles(in: source).map { try XCTUnwrap(DICOMObject(path: $0).string(.sopInstanceUID)) })
        var outputs: [(String, Result)] = []
        let push = try cement(["pacs", "push"] + server.flags + [source])
        XCTAssertEqual(push.status, 0, push.stderr)

        // The same series by C-GET and by C-MOVE to the destination Orthanc lists: the same SOP Instance UIDs as
        // the files written (read back by the Imaging module's DCMTK reader), the same measurement as the source.
        let move = ["--retrieve", "move", "--move-ae", OrthancServer.moveAE, "--move-port", String(server.movePort)]
        var instancesBy: [String: Set<String>] = [:]
        let rateSource = try cement(["rate", source, "--json"])
        XCTAssertEqual(rateSource.status, 0, rateSource.stderr)
        let sourceRate = try XCTUnwrap(try json(rateSource)["distribution_rate_percent"] as? Double)
        for (mode, extra) in [("get", ["--retrieve", "get"]), ("move", move)] {
            let out = work + "/pulled-" + mode
            let pull = try cement(["pacs", "pull"] + server.flags + extra + ["--study-uid", studyUID, "--out", out, "--json"])
            outputs.append(("pull \(mode)", pull))
            XCTAssertEqual(pull.status, 0, "\(mode): \(pull.stderr)")
            let folder = out + "/" + studyUID + "/" + seriesUID
            let files = try dicomFiles(in: folder)
            instancesBy[mode] = Set(try files.map { try XCTUnwrap(DICOMObject(path: $0).string(.sopInstanceUID)) })
            XCTAssertEqual(((try json(pull)["series"] as? [[String: Any]])?.first?["instances"]) as? Int, sourceInstances.count)
            XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: out + "/" + studyUID)
                .contains { $0.hasSuffix(".cement-partial") }, "no temporary folder left (\(mode))")
            let rate = try cement(["rate", folder, "--json"])
            outputs.append(("rate \(mode)", rate))
            XCTAssertEqual(rate.status, 0, rate.stderr)
            XCTAssertEqual(try json(rate)["distribution_rate_percent"] as? Double, sourceRate, "\(mode) measures as the source")
        }
        XCTAssertEqual(instancesBy["get"], sourceInstances)
        XCTAssertEqual(instancesBy["move"], sourceInstances)

        // A destination Orthanc does not list: its failure status, exit 2, the AE title named.
        let unknown = try cement(["pacs", "pull"] + server.flags
                                 + ["--retrieve", "move", "--move-ae", "NOSUCHDEST", "--move-port", String(server.movePort),
                                    "--study-uid", studyUID, "--out", work + "/unknown"])
        outputs.append(("pull unknown destination", unknown))
        XCTAssertEqual(unknown.status, 2, unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("NOSUCHDEST"), unknown.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/unknown/" + studyUID + "/" + seriesUID))
        for (what, result) in outputs { assertNoPatientIdentifiers(result.both, what) }
    }

    /// Sets attributes of DICOM files in place with DCMTK's `dcmodify` (an independent tool): a study date the
    /// other tests' series do not have, a second series joined to a study, a series marked as a localizer.
    private func dcmodify(_ files: [String], _ assignments: [String]) throws {
        let result = try CommandRunner.run(URL(fileURLWithPath: "/usr/bin/dcmodify"),
                                           ["-nb"] + assignments.flatMap { ["-m", $0] } + files)
        XCTAssertEqual(result.status, 0, result.both)
    }

    func testAuditIngestFromAPACSQueryPullsOnlyNewStudiesAndKeepsIdentifiersOutOfTheRegistry() throws {
        let server = try orthanc()
        let work = temporaryFolder()
        // Two studies of the test patient in June 2024 (no other test stores a study in 2024): A holds one phantom
        // series; B a phantom series and a localizer (a small series joined to B's study by dcmodify), of which
        // series selection must measure the phantom.
        var sources: [String] = [], studyUIDs: [String] = [], seriesUIDs: [String] = []
        for (name, seed, date) in [("a", "31", "20240610"), ("b", "32", "20240612")] {
            let source = work + "/source-" + name
            let phantom = try cement(["phantom", source, "--matrix", "128", "--seed", seed, "--case-id", Self.patientID])
            XCTAssertEqual(phantom.status, 0, phantom.stderr)
            try dcmodify(try dicomFiles(in: source), ["(0008,0020)=\(date)"])
            let first = try DICOMObject(path: try dicomFiles(in: source)[0])
            sources.append(source)
            studyUIDs.append(try XCTUnwrap(first.string(.studyInstanceUID)))
            seriesUIDs.append(try XCTUnwrap(first.string(.seriesInstanceUID)))
        }
        let scout = work + "/scout"
        try FileManager.default.createDirectory(atPath: scout, withIntermediateDirectories: true)
        var identity = CTSeriesWriter.Identity(patientName: Self.patientName, patientID: Self.patientID,
                                               uidSeed: "pacs-tests/audit-scout")
        identity.seriesNumber = 99
        let scoutFiles = try CTSeriesWriter(identity: identity)
            .write(HUVolume(geometry: VolumeGeometry(size: [16, 12, 3], spacing: [1, 1, 1], origin: [0, 0, 0]),
                            repeating: 0), to: scout)
        try dcmodify(scoutFiles, ["(0020,000D)=\(studyUIDs[1])", "(0008,0020)=20240612",
                                  "(0008,0008)=ORIGINAL\\PRIMARY\\LOCALIZER"])
        seriesUIDs.append(identity.seriesUID)
        let push = try cement(["pacs", "push"] + server.flags + sources + [scout])
        XCTAssertEqual(push.status, 0, push.stderr)
        // The reference measurement of each phantom: `cement rate` on the files pushed.
        let sourceRates = try sources.map { source -> Double in
            let rate = try cement(["rate", source, "--json"])
            XCTAssertEqual(rate.status, 0, rate.stderr)
            return try XCTUnwrap(try json(rate)["distribution_rate_percent"] as? Double)
        }

        let audit = work + "/audit", registry = audit + "/registry.sqlite", pulled = audit + "/pulled"
        try FileManager.default.createDirectory(atPath: audit, withIntermediateDirectories: true)
        let ingestArguments = ["audit", "ingest", "--pacs"] + server.flags
            + ["--from", "2024-06-01", "--to", "2024-06-30", "--registry", registry, "--time-zone", "UTC", "--json"]
        var outputs: [(String, Result)] = []
        let first = try cement(ingestArguments)
        outputs.append(("ingest", first))
        XCTAssertEqual(first.status, 0, first.stderr)
        let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: first.stdoutData) as? [[String: Any]], first.stdout)
        XCTAssertEqual(rows.map { $0["outcome"] as? String }, ["measured", "measured"], first.stdout)
        XCTAssertTrue(first.stderr.contains("2 studies found, 3 series pulled"), first.stderr)
        // Each measured input is a pulled folder of the study's phantom series (B's localizer was not measured).
        for (index, row) in rows.enumerated() {
            let folder = try XCTUnwrap(row["input"] as? String)
            XCTAssertTrue(folder.hasPrefix(pulled + "/"), folder)
            XCTAssertEqual(try DICOMObject(path: try dicomFiles(in: folder)[0]).string(.seriesInstanceUID), seriesUIDs[index])
        }
        let cases = try cement(["audit", "cases", "--registry", registry, "--json"])
        outputs.append(("cases", cases))
        XCTAssertEqual(cases.status, 0, cases.stderr)
        let registered = try XCTUnwrap(JSONSerialization.jsonObject(with: cases.stdoutData) as? [[String: Any]], cases.stdout)
        XCTAssertEqual(Set(registered.compactMap { $0["case_id"] as? String }), Set(rows.compactMap { $0["case_id"] as? String }))
        XCTAssertEqual(registered.compactMap { $0["procedure_at"] as? String }.map { String($0.prefix(10)) },
                       ["2024-06-10", "2024-06-12"])
        let measuredRates = registered.map { (($0["levels"] as? [[String: Any]])?.first?["distribution_rate_percent"]) as? Double }
        XCTAssertEqual(measuredRates, sourceRates.map { Optional($0) }, "each study measures as its phantom series")

        // The pull cache is named by pseudonyms: no real UID in any path under it.
        let pulledPaths = try XCTUnwrap(FileManager.default.subpathsOfDirectory(atPath: pulled))
        XCTAssertEqual(pulledPaths.filter { !$0.contains("/") }.count, 2, "one folder per study")
        for uid in studyUIDs + seriesUIDs { XCTAssertFalse(pulledPaths.contains { $0.contains(uid) }, "real UID \(uid) in a path") }

        // A second run with the pull cache gone: both studies are recognised by their pseudonymous series UID and
        // nothing is pulled (the cache is not recreated) or measured.
        try FileManager.default.removeItem(atPath: pulled)
        let second = try cement(ingestArguments)
        outputs.append(("second ingest", second))
        XCTAssertEqual(second.status, 0, second.stderr)
        let again = try XCTUnwrap(JSONSerialization.jsonObject(with: second.stdoutData) as? [[String: Any]], second.stdout)
        XCTAssertEqual(again.map { $0["outcome"] as? String }, ["already_registered", "already_registered"])
        XCTAssertEqual(again.map { $0["case_id"] as? String }, rows.map { $0["case_id"] as? String })
        XCTAssertTrue(second.stderr.contains("0 series pulled"), second.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: pulled), "nothing pulled on the second run")

        // No identifier of the test patient, nor a real study or series UID, in any byte the audit wrote beside
        // the pull cache (registry with its WAL, measurement cache, key) or printed.
        let identifiers = [Self.patientID, "SYNTHETIC^"] + studyUIDs + seriesUIDs
        let written = try FileManager.default.subpathsOfDirectory(atPath: audit).filter { path in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: audit + "/" + path, isDirectory: &isFolder) && !isFolder.boolValue
        }
        XCTAssertTrue(written.contains("registry.sqlite") && written.contains { $0.hasPrefix("measurements/") }, "\(written)")
        for path in written {
            let data = try Data(contentsOf: URL(fileURLWithPath: audit + "/" + path))
            for identifier in identifiers {
                XCTAssertNil(data.range(of: Data(identifier.utf8)), "\(identifier) in \(path)")
            }
        }
        for (what, result) in outputs {
            for identifier in identifiers { XCTAssertFalse(result.both.contains(identifier), "\(identifier) in \(what)") }
        }

        // Without a filter besides the modality the PACS source is refused, as `cement pacs pull` refuses.
        let everything = try cement(["audit", "ingest", "--pacs"] + server.flags + ["--registry", registry])
        XCTAssertEqual(everything.status, 2, everything.stderr)
        XCTAssertTrue(everything.stderr.contains("refusing"), everything.stderr)
    }

    func testLibraryClientFindsAndPullsForAnIngest() throws {
        let server = try orthanc()
        let work = temporaryFolder()
        var identity = CTSeriesWriter.Identity(patientName: Self.patientName, patientID: Self.patientID,
                                               uidSeed: "pacs-tests/library")
        identity.studyDate = "20230315"
        identity.seriesDescription = "library client"
        let volume = HUVolume(geometry: VolumeGeometry(size: [8, 8, 4], spacing: [1, 1, 1], origin: [0, 0, 0]),
                              repeating: 40)
        let files = try CTSeriesWriter(identity: identity).write(volume, to: work)
        let client = try PACSClient(peer: server.peer())
        let report = try client.push(files)
        XCTAssertEqual(report.storedCount, 4)
        let studies = try client.find(PACSQuery(studyDate: try DICOMDateRange(from: "20230315", to: "20230315")))
        XCTAssertEqual(studies.map(\.studyUID), [identity.studyUID])
        XCTAssertEqual(studies.first?.series.first?.instanceCount, 4)
        let pulled = try client.pull(studies.flatMap(\.series), into: work + "/pulled")
        XCTAssertEqual(pulled.map(\.instanceCount), [4])
        XCTAssertEqual(try dicomFiles(in: pulled[0].folder).count, 4)
        // Pulling again replaces the series folder rather than adding to it.
        let again = try client.pull(studies.flatMap(\.series), into: work + "/pulled")
        XCTAssertEqual(try dicomFiles(in: again[0].folder).count, 4)
    }

    func testUnknownCalledAETitleIsRejectedWithExit2NamingThePeer() throws {
        let server = try orthanc()
        let result = try cement(["pacs", "find", "--host", "127.0.0.1", "--port", String(server.port),
                                 "--called-ae", "NOTTHEPACS", "--calling-ae", OrthancServer.clientAE, "--retries", "0"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("NOTTHEPACS@127.0.0.1:\(server.port)"), result.stderr)
        XCTAssertTrue(result.stderr.contains("rejected the association: the called AE title"), result.stderr)
    }

    func testUnregisteredCallingAETitleIsRefusedWithExit2() throws {
        let server = try orthanc()
        let result = try cement(["pacs", "pull", "--host", "127.0.0.1", "--port", String(server.port),
                                 "--called-ae", OrthancServer.aeTitle, "--calling-ae", "STRANGER", "--retries", "0",
                                 "--from", "2020-01-01", "--out", temporaryFolder()])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("\(OrthancServer.aeTitle)@127.0.0.1:\(server.port) rejected the association"),
                      result.stderr)
        XCTAssertTrue(result.stderr.contains("not known to the PACS"), result.stderr)
        var peer = server.peer()
        peer.callingAE = "STRANGER"
        XCTAssertThrowsError(try PACSClient(peer: peer).echo()) { error in
            XCTAssertEqual((error as? PACSError)?.kind, .rejected(.callingAENotRecognized, permanent: true))
        }
    }

    func testPeerThatIsDownExits2QuicklyAfterItsRetries() throws {
        let port = try OrthancServer.freePort()
        let started = Date()
        let result = try cement(["pacs", "echo", "--host", "127.0.0.1", "--port", String(port), "--called-ae", "PACS",
                                 "--retries", "0"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("PACS PACS@127.0.0.1:\(port) is not reachable (connection refused)"), result.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)

        let peer = PACSPeer(host: "127.0.0.1", port: port, calledAE: "PACS", connectTimeout: 2, retries: 2, retryDelay: 0.3)
        let retried = Date()
        XCTAssertThrowsError(try PACSClient(peer: peer).find(PACSQuery())) { error in
            guard case .unreachable = (error as? PACSError)?.kind else { return XCTFail("\(error)") }
            XCTAssertEqual((error as? PACSError)?.attempts, 3)
            XCTAssertTrue("\(error)".hasSuffix("[3 tries]"), "\(error)")
        }
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(retried), 0.6, "two retries 0.3 s apart")
    }

    func testPeerThatNeverAnswersTimesOutInsteadOfHanging() throws {
        let listener = try SilentListener()
        let started = Date()
        let result = try cement(["pacs", "find", "--host", "127.0.0.1", "--port", String(listener.port),
                                 "--called-ae", "PACS", "--association-timeout", "2", "--retries", "0"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("PACS@127.0.0.1:\(listener.port) did not answer in time"), result.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
    }

    func testPushOfAFileThatIsNotDICOMNamesTheFile() throws {
        let server = try orthanc()
        let path = temporaryFolder() + "/notes.txt"
        try "not dicom".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try cement(["pacs", "push"] + server.flags + [path])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains(path), result.stderr)
    }

    func testConfigurationErrorsNameTheFileAndKey() throws {
        let path = temporaryFolder() + "/pacs.yaml"
        try "host: 127.0.0.1\nport: 104\ncalled_ae: PACS\ncaling_ae: TYPO\n".write(toFile: path, atomically: true, encoding: .utf8)
        let typo = try cement(["pacs", "echo", "--config", path])
        XCTAssertEqual(typo.status, 2)
        XCTAssertTrue(typo.stderr.contains(path) && typo.stderr.contains("unknown key \"caling_ae\""), typo.stderr)

        let missing = try cement(["pacs", "find", "--host", "127.0.0.1", "--called-ae", "PACS"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("no port"), missing.stderr)

        let longAE = try cement(["pacs", "echo", "--host", "127.0.0.1", "--port", "104", "--called-ae", "SEVENTEENCHARSAET"])
        XCTAssertEqual(longAE.status, 2)
        XCTAssertTrue(longAE.stderr.contains("1–16 ASCII characters"), longAE.stderr)

        let everything = try cement(["pacs", "pull", "--host", "127.0.0.1", "--port", "104", "--called-ae", "PACS",
                                     "--out", temporaryFolder()])
        XCTAssertEqual(everything.status, 2)
        XCTAssertTrue(everything.stderr.contains("refusing to pull every CT series"), everything.stderr)
    }
}
