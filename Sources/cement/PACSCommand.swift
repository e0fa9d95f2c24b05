import ArgumentParser
import Foundation
import PACS

/// `cement pacs`: find CT studies in a PACS, pull their series, push DICOM files back (DIMSE through DCMTK).
struct PACSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pacs",
        abstract: "Query a PACS for CT studies, retrieve series into a folder, store DICOM files into it.",
        discussion: """
            Speaks DICOM DIMSE through DCMTK: Study Root C-FIND, C-GET (the PACS sends the instances back on the \
            same association, so no port of this machine has to be reachable) and C-STORE. Connection settings \
            come from flags or a YAML/JSON file (--config) with the keys host, port, called_ae, calling_ae, \
            connect_timeout, association_timeout, message_timeout, retries and retry_delay; flags win.

            Patient names and IDs are never printed or logged: results show study and series UIDs, dates, \
            descriptions and counts. A refused association, an unknown AE title or a peer that is down exits 2 \
            with the peer named.

            Examples:
              cement pacs echo --host pacs.example.org --port 104 --called-ae PACS --calling-ae CEMENT
              cement pacs find --config pacs.yaml --from 2022-01-01 --to 2022-12-31 --body-part SPINE --json
              cement pacs pull --config pacs.yaml --accession A1234 --out /data/ct
              cement pacs push --config pacs.yaml results/seg.dcm results/sr.dcm
            """,
        subcommands: [PACSEchoCommand.self, PACSFindCommand.self, PACSPullCommand.self, PACSPushCommand.self]
    )
}

/// Where the PACS is: flags, or a configuration file that they override.
struct PACSConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("YAML or JSON file with the connection settings (keys: host, port, called_ae, "
                               + "calling_ae, connect_timeout, association_timeout, message_timeout, retries, retry_delay)."),
            completion: .file())
    var config: String?
    @Option(help: "Host name or address of the PACS.") var host: String?
    @Option(help: "DICOM port of the PACS.") var port: Int?
    @Option(help: "AE title of the PACS (called AE).") var calledAe: String?
    @Option(help: "AE title of this tool (calling AE; default CEMENTREPORT). The PACS must know it for C-GET.")
    var callingAe: String?
    @Option(help: "Seconds to wait for the TCP connection (default 10).") var connectTimeout: Int?
    @Option(help: "Seconds to wait for the association to be accepted (default 30).") var associationTimeout: Int?
    @Option(help: "Seconds to wait for each DICOM message (default 60).") var messageTimeout: Int?
    @Option(help: "Tries after a failure to connect, a timeout or an abort (default 2).") var retries: Int?

    /// True when any connection setting is given.
    var isGiven: Bool {
        config != nil || host != nil || port != nil || calledAe != nil || callingAe != nil || connectTimeout != nil
            || associationTimeout != nil || messageTimeout != nil || retries != nil
    }

    /// A client for the peer; `retrieval` says how `pull` retrieves (C-GET unless given).
    func client(retrieval: RetrievalOptions? = nil) throws -> PACSClient {
        do {
            let peer = try PACSPeer.resolve(file: config, host: host, port: port, calledAE: calledAe,
                                            callingAE: callingAe, connectTimeout: connectTimeout,
                                            associationTimeout: associationTimeout, messageTimeout: messageTimeout,
                                            retries: retries)
            return try PACSClient(peer: peer, retrieval: try retrieval?.retrieval(callingAE: peer.callingAE) ?? .get)
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure(message: "\(error)")
        }
    }
}

/// The DIMSE operation `cement pacs pull` retrieves with.
enum RetrieveMode: String, CaseIterable, ExpressibleByArgument {
    case get, move
}

/// How `cement pacs pull` retrieves: C-GET, or C-MOVE to a storage SCP of its own.
struct RetrievalOptions: ParsableArguments {
    @Option(help: ArgumentHelp("get: C-GET, the instances come back on this tool's association (no inbound port). "
                               + "move: C-MOVE to --move-ae, received on --move-port (for PACSes without C-GET).",
                               valueName: "get|move"))
    var retrieve: RetrieveMode = .get
    @Option(help: ArgumentHelp("With --retrieve move: the destination AE title the PACS knows for this host and "
                               + "--move-port (default: the calling AE title)."))
    var moveAe: String?
    @Option(help: "With --retrieve move: the local port the storage SCP listens on (default 11112).")
    var movePort: Int = 11112

    func retrieval(callingAE: String) throws -> PACSRetrieval {
        switch retrieve {
        case .get:
            guard moveAe == nil else { throw CommandFailure(message: "--move-ae needs --retrieve move") }
            return .get
        case .move:
            guard (1...65535).contains(movePort) else {
                throw CommandFailure(message: "--move-port must be 1–65535, not \(movePort)")
            }
            return .move(ae: moveAe ?? callingAE, port: UInt16(movePort))
        }
    }
}

/// What to look for.
struct PACSQueryOptions: ParsableArguments {
    @Option(help: "First study date (YYYYMMDD or YYYY-MM-DD).") var from: String?
    @Option(help: "Last study date (YYYYMMDD or YYYY-MM-DD).") var to: String?
    @Option(help: "Modality of the series (default CT).") var modality: String = "CT"
    @Option(help: "StudyDescription pattern (DICOM wildcards * and ?).") var studyDescription: String?
    @Option(help: "SeriesDescription pattern (DICOM wildcards * and ?).") var seriesDescription: String?
    @Option(help: "BodyPartExamined pattern, e.g. SPINE or *SPINE*.") var bodyPart: String?
    @Option(help: "PatientID to match (sent to the PACS only; never printed).") var patientId: String?
    @Option(help: "AccessionNumber to match (sent to the PACS only; never printed).") var accession: String?
    @Option(help: "StudyInstanceUID of one study.") var studyUid: String?
    @Option(help: "SeriesInstanceUID of one series.") var seriesUid: String?

    func query() throws -> PACSQuery {
        guard let modality = DICOMModality(code: modality) else {
            throw CommandFailure(message: "--modality \"\(modality)\" is not a DICOM modality code (e.g. CT)")
        }
        do {
            let dates = (from != nil || to != nil) ? try DICOMDateRange(from: from, to: to) : nil
            let query = PACSQuery(studyDate: dates, modality: modality, studyDescription: studyDescription,
                                  seriesDescription: seriesDescription, bodyPart: bodyPart, patientID: patientId,
                                  accessionNumber: accession, studyUID: studyUid, seriesUID: seriesUid)
            try query.validate()
            return query
        } catch {
            throw CommandFailure(message: error.description)
        }
    }

    /// True when something narrows the query beyond the modality (a pull of a whole PACS is refused).
    var narrows: Bool {
        [from, to, studyDescription, seriesDescription, bodyPart, patientId, accession, studyUid, seriesUid]
            .contains { $0 != nil }
    }
}

/// The query as echoed in output: filters, with patient ID and accession number only flagged as given.
struct EchoedQuery: Encodable {
    var from: String?
    var to: String?
    var modality: String
    var studyDescription: String?
    var seriesDescription: String?
    var bodyPart: String?
    var patientIDGiven: Bool
    var accessionGiven: Bool
    var studyUID: String?
    var seriesUID: String?

    init(_ query: PACSQuery) {
        from = query.studyDate?.from
        to = query.studyDate?.to
        modality = query.modality.code
        studyDescription = query.studyDescription
        seriesDescription = query.seriesDescription
        bodyPart = query.bodyPart
        patientIDGiven = query.patientID != nil
        accessionGiven = query.accessionNumber != nil
        studyUID = query.studyUID
        seriesUID = query.seriesUID
    }

    enum CodingKeys: String, CodingKey {
        case from, to, modality, studyDescription = "study_description", seriesDescription = "series_description"
        case bodyPart = "body_part", patientIDGiven = "patient_id_given", accessionGiven = "accession_given"
        case studyUID = "study_uid", seriesUID = "series_uid"
    }
}

private func pacsFailure(_ error: PACSError) -> CommandFailure {
    CommandFailure(message: error.description)
}

/// `cement pacs echo`.
struct PACSEchoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo",
        abstract: "Check that the PACS accepts an association (C-ECHO).",
        discussion: """
            Examples:
              cement pacs echo --host 127.0.0.1 --port 4242 --called-ae ORTHANC
              cement pacs echo --config pacs.yaml
            """
    )
    @OptionGroup var connection: PACSConnectionOptions

    func run() throws {
        let client = try connection.client()
        do { try client.echo() } catch { throw pacsFailure(error) }
        Terminal.note("PACS \(client.peer.name) answered C-ECHO")
    }
}

/// `cement pacs find`.
struct PACSFindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "List the CT studies and series in a PACS that match the filters (no patient names).",
        discussion: """
            A study is listed when it contains the modality and at least one of its series matches the series \
            filters. The output names studies and series by UID, date, description, body part and counts only.

            Examples:
              cement pacs find --config pacs.yaml --from 20220101 --to 20221231
              cement pacs find --config pacs.yaml --series-description "*bone*" --body-part SPINE --json
              cement pacs find --host 127.0.0.1 --port 4242 --called-ae ORTHANC --accession A1234
            """
    )
    @OptionGroup var connection: PACSConnectionOptions
    @OptionGroup var filters: PACSQueryOptions
    @Flag(help: "Print JSON on stdout.") var json = false

    struct Output: Encodable {
        var peer: String
        var query: EchoedQuery
        var studies: [PACSStudy]
    }

    func run() throws {
        let client = try connection.client()
        let query = try filters.query()
        let studies: [PACSStudy]
        do { studies = try client.find(query) } catch { throw pacsFailure(error) }
        if json {
            try Terminal.printJSON(Output(peer: client.peer.name, query: EchoedQuery(query), studies: studies))
            return
        }
        let seriesCount = studies.reduce(0) { $0 + $1.series.count }
        print("\(studies.count) stud\(studies.count == 1 ? "y" : "ies"), \(seriesCount) series in \(client.peer.name)")
        for study in studies {
            print("\(study.studyDate.isEmpty ? "--------" : study.studyDate)  \(study.studyUID)  \(study.studyDescription)")
            for series in study.series {
                let number = series.seriesNumber.map(String.init) ?? "-"
                let count = series.instanceCount.map { "\($0) images" } ?? "? images"
                print("    #\(number)  \(series.seriesUID)  \(series.modality)  \(count)  \(series.bodyPart)  \(series.seriesDescription)")
            }
        }
    }
}

/// `cement pacs pull`.
struct PACSPullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Retrieve the matching CT series (C-GET or C-MOVE) into OUT/StudyInstanceUID/SeriesInstanceUID/.",
        discussion: """
            Finds as `cement pacs find` does, then retrieves each matching series; each arrives in a temporary \
            folder and is moved into place when complete (an earlier pull of it is replaced). At least one filter \
            besides the modality is required. Measure a pulled series with `cement rate OUT/STUDY/SERIES`.

            C-GET (the default) needs no inbound port and no registration of this host on the PACS. With \
            --retrieve move the PACS sends the instances to --move-ae, which it must list with this host's \
            address and --move-port; this process receives them on that port while the pull runs.

            Examples:
              cement pacs pull --config pacs.yaml --study-uid 1.2.3.4 --out /data/ct
              cement pacs pull --config pacs.yaml --from 2022-03-01 --to 2022-03-31 --series-description "*bone*" --out ct
              cement pacs pull --config pacs.yaml --study-uid 1.2.3.4 --retrieve move --move-ae CEMENT --move-port 11112 --out /data/ct
            """
    )
    @OptionGroup var connection: PACSConnectionOptions
    @OptionGroup var retrieval: RetrievalOptions
    @OptionGroup var filters: PACSQueryOptions
    @Option(help: "Folder to retrieve into (created).", completion: .directory) var out: String
    @Flag(help: "Print JSON on stdout.") var json = false

    struct Output: Encodable {
        var peer: String
        var query: EchoedQuery
        var series: [PulledSeries]
    }

    func run() throws {
        guard filters.narrows else {
            throw CommandFailure(message: "refusing to pull every \(filters.modality) series of the PACS: give a date "
                                 + "range, description, body part, patient ID, accession or UID")
        }
        let client = try connection.client(retrieval: retrieval)
        let query = try filters.query()
        let series: [PACSSeries]
        do { series = try client.find(query).flatMap(\.series) } catch { throw pacsFailure(error) }
        guard !series.isEmpty else {
            throw CommandFailure(message: "no \(query.modality) series in \(client.peer.name) matched the query", code: ExitCode.checkFailed)
        }
        var pulled: [PulledSeries] = []
        for (index, item) in series.enumerated() {
            Terminal.progress("pulling", done: index, of: series.count)
            let result: [PulledSeries]
            do { result = try client.pull([item], into: out) } catch { throw pacsFailure(error) }
            pulled += result
        }
        Terminal.progress("pulling", done: series.count, of: series.count)
        if json {
            try Terminal.printJSON(Output(peer: client.peer.name, query: EchoedQuery(query), series: pulled))
        } else {
            for item in pulled { print("\(item.instanceCount) images  \(item.folder)") }
        }
    }
}

/// `cement pacs push`.
struct PACSPushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Store DICOM files into the PACS (C-STORE); folders are searched for DICOM files.",
        discussion: """
            Files named are sent as they are (one that is not DICOM is an error); folders are searched \
            recursively and files without a DICOM Part 10 header are skipped and listed. Exit 1 when the PACS \
            refused any file.

            Examples:
              cement pacs push --config pacs.yaml out/seg.dcm out/sr.dcm
              cement pacs push --host 127.0.0.1 --port 4242 --called-ae ORTHANC results/ --json
            """
    )
    @OptionGroup var connection: PACSConnectionOptions
    @Argument(help: "DICOM files or folders.", completion: .file()) var paths: [String]
    @Flag(help: "Print JSON on stdout.") var json = false

    struct Output: Encodable {
        var peer: String
        var stored: Int
        var failed: Int
        var files: [PushReport.File]
        var skipped: [String]
    }

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give the DICOM files or folders to push") }
    }

    func run() throws {
        let client = try connection.client()
        let report: PushReport
        do { report = try client.push(paths) } catch { throw pacsFailure(error) }
        if json {
            try Terminal.printJSON(Output(peer: client.peer.name, stored: report.storedCount, failed: report.failedCount,
                                          files: report.files, skipped: report.skipped))
        } else {
            print("stored \(report.storedCount) of \(report.files.count) files in \(client.peer.name)")
        }
        if !report.skipped.isEmpty { Terminal.note("skipped \(report.skipped.count) file(s) that are not DICOM") }
        for file in report.files where !file.stored {
            Terminal.error("\(file.path): refused with status 0x\(String(file.status, radix: 16, uppercase: true))")
        }
        if report.failedCount > 0 { throw CommandFailure(message: "\(report.failedCount) file(s) not stored", code: ExitCode.checkFailed) }
    }
}
