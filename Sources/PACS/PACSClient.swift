import CementCore
import Foundation

/// Finds CT studies in a PACS, retrieves their series into a local folder and stores DICOM files into it,
/// through DCMTK's DIMSE service class user (Study Root C-FIND, C-GET or C-MOVE, and C-STORE). Calls that could not reach
/// the peer, timed out or were aborted are tried `peer.retries` more times.
///
/// Nothing patient-identifying leaves this type: results hold UIDs, dates, descriptions and counts; patient ID
/// and accession number of a query are matching keys only; DCMTK's network log is silenced.
public struct PACSClient: Sendable {
    public let peer: PACSPeer
    /// How `pull` retrieves series (C-GET unless told otherwise).
    public let retrieval: PACSRetrieval

    /// A client for `peer`; throws when its settings (or the C-MOVE destination's AE title) are invalid.
    public init(peer: PACSPeer, retrieval: PACSRetrieval = .get) throws(PACSError) {
        try peer.validate()
        if case .move(let ae, let port) = retrieval {
            try PACSPeer.validateAETitle(ae, label: "move destination AE title", peer: peer.name)
            guard port > 0 else { throw PACSError(peer: peer.name, .configuration("the move port must be 1–65535")) }
        }
        self.peer = peer
        self.retrieval = retrieval
    }

    /// C-ECHO: checks that the peer accepts an association from this AE title.
    public func echo() throws(PACSError) {
        try retrying { association throws(PACSError) in try association.echo() }
    }

    /// The studies matching `query` that have at least one series of its modality (and description and body part
    /// when given), sorted by date then UID; their series by series number then UID.
    public func find(_ query: PACSQuery) throws(PACSError) -> [PACSStudy] {
        try query.validate()
        var studyKeys: [(DICOMTag, String)] = [
            (.studyInstanceUID, query.studyUID ?? ""),
            (.studyDate, query.studyDate?.matchValue ?? ""),
            (.studyDescription, query.studyDescription ?? ""),
            (.modalitiesInStudy, query.modality.code),
            (.numberOfStudyRelatedInstances, ""),
        ]
        if let patientID = query.patientID { studyKeys.append((.patientID, patientID)) }
        if let accession = query.accessionNumber { studyKeys.append((.accessionNumber, accession)) }
        let studyRows = try retrying { association throws(PACSError) in
            try association.find(level: .study, keys: studyKeys)
        }
        var studies: [PACSStudy] = []
        for row in studyRows {
            guard let studyUID = row[.studyInstanceUID], PACSQuery.isUID(studyUID) else { continue }
            let seriesKeys: [(DICOMTag, String)] = [
                (.studyInstanceUID, studyUID),
                (.seriesInstanceUID, query.seriesUID ?? ""),
                (.modality, query.modality.code),
                (.seriesNumber, ""),
                (.seriesDescription, query.seriesDescription ?? ""),
                (.bodyPartExamined, query.bodyPart ?? ""),
                (.numberOfSeriesRelatedInstances, ""),
            ]
            let seriesRows = try retrying { association throws(PACSError) in
                try association.find(level: .series, keys: seriesKeys)
            }
            let series = seriesRows.compactMap { row -> PACSSeries? in
                guard let seriesUID = row[.seriesInstanceUID], PACSQuery.isUID(seriesUID) else { return nil }
                return PACSSeries(studyUID: studyUID, seriesUID: seriesUID,
                                  seriesNumber: Int(row[.seriesNumber]?.trimmingCharacters(in: .whitespaces) ?? ""),
                                  modality: row[.modality] ?? "", seriesDescription: row[.seriesDescription] ?? "",
                                  bodyPart: row[.bodyPartExamined] ?? "",
                                  instanceCount: Int(row[.numberOfSeriesRelatedInstances] ?? ""))
            }.sorted { ($0.seriesNumber ?? Int.max, $0.seriesUID) < ($1.seriesNumber ?? Int.max, $1.seriesUID) }
            guard !series.isEmpty else { continue }
            studies.append(PACSStudy(studyUID: studyUID, studyDate: row[.studyDate] ?? "",
                                     studyDescription: row[.studyDescription] ?? "",
                                     modalities: (row[.modalitiesInStudy] ?? "").split(separator: "\\").map(String.init),
                                     instanceCount: Int(row[.numberOfStudyRelatedInstances] ?? ""), series: series))
        }
        return studies.sorted { ($0.studyDate, $0.studyUID) < ($1.studyDate, $1.studyUID) }
    }

    /// Retrieves each series by C-GET or C-MOVE (`retrieval`) into `folder/StudyInstanceUID/SeriesInstanceUID/` (one file per instance,
    /// SOPInstanceUID.dcm), as `pull(_:to:)` does.
    public func pull(_ series: [PACSSeries], into folder: String) throws(PACSError) -> [PulledSeries] {
        var pulled: [PulledSeries] = []
        for item in series {
            // `pull(_:to:)` checks the UIDs before it creates anything, so none reaches the file system unchecked.
            let target = ((folder as NSString).appendingPathComponent(item.studyUID) as NSString)
                .appendingPathComponent(item.seriesUID)
            pulled.append(try pull(item, to: target))
        }
        return pulled
    }

    /// Retrieves one series by C-GET or C-MOVE (`retrieval`) into the folder `target` (created with its parents; one file
    /// per instance, SOPInstanceUID.dcm). The series is received into a temporary folder beside `target` and moved
    /// into place when complete, replacing an earlier pull of it; a failed pull leaves nothing behind. Callers
    /// that must not name folders by the real UIDs (the audit's pseudonymous pull cache) choose `target` themselves.
    public func pull(_ item: PACSSeries, to target: String) throws(PACSError) -> PulledSeries {
        guard PACSQuery.isUID(item.studyUID), PACSQuery.isUID(item.seriesUID) else {
            throw PACSError(peer: peer.name, .configuration("series \(item.seriesUID) has no valid study and series UIDs"))
        }
        let parent = (target as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw PACSError(peer: peer.name, .local("cannot create the folder \(parent)"))
        }
        AtomicFile.removeStaleTemporaries(in: parent)
        let temporary = (parent as NSString)
            .appendingPathComponent(AtomicFile.temporaryName(for: (target as NSString).lastPathComponent))
        try? FileManager.default.removeItem(atPath: temporary)
        let keys: [(DICOMTag, String)] = [(.studyInstanceUID, item.studyUID), (.seriesInstanceUID, item.seriesUID)]
        let count: Int
        do throws(PACSError) {
            count = try retrying { association throws(PACSError) in
                try? FileManager.default.removeItem(atPath: temporary)
                do {
                    try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: false)
                } catch {
                    throw PACSError(peer: peer.name, .local("cannot create \(temporary)"))
                }
                switch retrieval {
                case .get: return try association.get(level: .series, keys: keys, into: temporary)
                case .move(let ae, let port):
                    do throws(PACSError) {
                        return try association.move(level: .series, keys: keys, to: ae, port: port, into: temporary)
                    } catch {
                        // PS3.4 C.4.2.1.5: 0xA801, the destination is not among the PACS's known AE titles.
                        guard case .failed(_, let status) = error.kind else { throw error }
                        if status == 0xA801 { throw PACSError(peer: peer.name, .moveDestinationUnknown(ae: ae, port: port)) }
                        // Other PACSes refuse an unknown destination with a general failure; name it anyway.
                        throw PACSError(peer: peer.name, .failed(operation: "C-MOVE to \(ae)", status: status))
                    }
                }
            }
            guard count > 0 else {
                throw PACSError(peer: peer.name,
                                .unsupported("\(retrieval.operation) of series \(item.seriesUID) sent no instances"))
            }
            try replace(target, with: temporary)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        return PulledSeries(studyUID: item.studyUID, seriesUID: item.seriesUID, folder: target, instanceCount: count)
    }

    /// Stores DICOM files (C-STORE) on one association. Files named are sent as they are (one that is not DICOM
    /// is an error naming it); folders are searched recursively for DICOM Part 10 files, others are listed as
    /// skipped.
    public func push(_ paths: [String]) throws(PACSError) -> PushReport {
        let selection = try PushSelection(paths: paths, peer: peer)
        guard !selection.files.isEmpty else {
            throw PACSError(peer: peer.name, .local("no DICOM files to push in \(paths.joined(separator: ", "))"))
        }
        let statuses = try retrying { association throws(PACSError) in try association.store(selection.files) }
        return PushReport(files: zip(selection.files, statuses).map { PushReport.File(path: $0, status: $1) },
                          skipped: selection.skipped)
    }

    private func replace(_ target: String, with temporary: String) throws(PACSError) {
        let old = target + ".\(getpid())\(AtomicFile.temporarySuffix)"
        let hadOld = FileManager.default.fileExists(atPath: target)
        if hadOld, rename(target, old) != 0 {
            throw PACSError(peer: peer.name, .local("cannot replace \(target) (\(AtomicFileError.reason(errno: errno)))"))
        }
        guard rename(temporary, target) == 0 else {
            let reason = AtomicFileError.reason(errno: errno)
            if hadOld { rename(old, target) }
            throw PACSError(peer: peer.name, .local("cannot move the pulled series into \(target) (\(reason))"))
        }
        if hadOld { try? FileManager.default.removeItem(atPath: old) }
    }

    private func retrying<T>(_ body: (DIMSEAssociation) throws(PACSError) -> T) throws(PACSError) -> T {
        let association = DIMSEAssociation(peer: peer)
        var attempt = 0
        while true {
            do throws(PACSError) {
                return try body(association)
            } catch {
                guard error.isTransient, attempt < peer.retries else {
                    var failure = error
                    failure.attempts = attempt + 1
                    throw failure
                }
                attempt += 1
                Thread.sleep(forTimeInterval: peer.retryDelay)
            }
        }
    }
}
