import CDCMTKNet
import Foundation

/// One DICOM tag as group and element.
struct DICOMTag: Hashable, Sendable {
    var group: UInt16
    var element: UInt16

    static let studyDate = DICOMTag(group: 0x0008, element: 0x0020)
    static let accessionNumber = DICOMTag(group: 0x0008, element: 0x0050)
    static let modality = DICOMTag(group: 0x0008, element: 0x0060)
    static let modalitiesInStudy = DICOMTag(group: 0x0008, element: 0x0061)
    static let studyDescription = DICOMTag(group: 0x0008, element: 0x1030)
    static let seriesDescription = DICOMTag(group: 0x0008, element: 0x103E)
    static let patientID = DICOMTag(group: 0x0010, element: 0x0020)
    static let bodyPartExamined = DICOMTag(group: 0x0018, element: 0x0015)
    static let studyInstanceUID = DICOMTag(group: 0x0020, element: 0x000D)
    static let seriesInstanceUID = DICOMTag(group: 0x0020, element: 0x000E)
    static let seriesNumber = DICOMTag(group: 0x0020, element: 0x0011)
    static let numberOfStudyRelatedInstances = DICOMTag(group: 0x0020, element: 0x1208)
    static let numberOfSeriesRelatedInstances = DICOMTag(group: 0x0020, element: 0x1209)
}

/// The query/retrieve level of a C-FIND or C-GET identifier.
enum QueryLevel: String {
    case study = "STUDY", series = "SERIES"
}

/// DIMSE operations on one peer through DCMTK's DcmSCU (the CDCMTKNet shim): each call is one association.
/// Failures become `PACSError`s naming the peer.
struct DIMSEAssociation {
    let peer: PACSPeer

    func echo() throws(PACSError) {
        try call("C-ECHO") { peer, error in cdnet_echo(peer, error) }
    }

    /// C-FIND: every match as a dictionary of the keys asked for ("" when the peer left one empty).
    func find(level: QueryLevel, keys: [(DICOMTag, String)]) throws(PACSError) -> [[DICOMTag: String]] {
        final class Matches {
            var rows: [[DICOMTag: String]] = []
        }
        let matches = Matches()
        try withKeys(keys) { cKeys throws(PACSError) in
            try call("C-FIND") { peer, error in
                cdnet_find(peer, level.rawValue, cKeys.baseAddress, cKeys.count, { context, keys, count in
                    guard let context, let keys else { return }
                    let matches = Unmanaged<Matches>.fromOpaque(context).takeUnretainedValue()
                    var row: [DICOMTag: String] = [:]
                    for key in UnsafeBufferPointer(start: keys, count: count) {
                        row[DICOMTag(group: key.group, element: key.element)] = key.value.map { String(cString: $0) } ?? ""
                    }
                    matches.rows.append(row)
                }, Unmanaged.passUnretained(matches).toOpaque(), error)
            }
        }
        return matches.rows
    }

    /// C-GET into `folder` (which must exist); returns the number of instances received.
    func get(level: QueryLevel, keys: [(DICOMTag, String)], into folder: String) throws(PACSError) -> Int {
        var received: UInt = 0
        try withKeys(keys) { cKeys throws(PACSError) in
            try call("C-GET") { peer, error in
                cdnet_get(peer, level.rawValue, cKeys.baseAddress, cKeys.count, folder, &received, error)
            }
        }
        return Int(received)
    }

    /// C-MOVE to `destination` (received by a storage SCP listening on `port` in this process) into `folder`
    /// (which must exist); returns the number of instances received.
    func move(level: QueryLevel, keys: [(DICOMTag, String)], to destination: String, port: UInt16,
              into folder: String) throws(PACSError) -> Int {
        var received: UInt = 0
        try withKeys(keys) { cKeys throws(PACSError) in
            try call("C-MOVE") { peer, error in
                cdnet_move(peer, level.rawValue, cKeys.baseAddress, cKeys.count, destination, port, folder, &received, error)
            }
        }
        return Int(received)
    }

    /// C-STORE of `paths` on one association; the peer's status per file.
    func store(_ paths: [String]) throws(PACSError) -> [UInt16] {
        var statuses = [UInt16](repeating: 0xFFFF, count: paths.count)
        let cStrings = paths.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        var pointers = cStrings.map { UnsafePointer<CChar>($0) }
        var failedIndex = -1
        do {
            try call("C-STORE") { peer, error in
                let outcome = pointers.withUnsafeMutableBufferPointer { buffer in
                    cdnet_store(peer, buffer.baseAddress, buffer.count, &statuses, error)
                }
                failedIndex = error.pointee.index
                return outcome
            }
        } catch {
            if case .local(let detail) = error.kind, failedIndex >= 0, failedIndex < paths.count {
                throw PACSError(peer: peer.name, .local("\(paths[failedIndex]): \(detail)"))
            }
            throw error
        }
        return statuses
    }

    private func withKeys<T>(_ keys: [(DICOMTag, String)],
                             _ body: (UnsafeBufferPointer<cdnet_key>) throws(PACSError) -> T) throws(PACSError) -> T {
        let values = keys.map { strdup($0.1) }
        defer { values.forEach { free($0) } }
        let cKeys = zip(keys, values).map { cdnet_key(group: $0.0.group, element: $0.0.element, value: $1) }
        let result: Result<T, PACSError> = cKeys.withUnsafeBufferPointer { buffer in
            do throws(PACSError) { return .success(try body(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Runs one shim call with the peer's settings and turns its outcome into a `PACSError`.
    private func call(_ operation: String,
                      _ body: (UnsafePointer<cdnet_peer>, UnsafeMutablePointer<cdnet_error>) -> Int32) throws(PACSError) {
        var error = cdnet_error()
        let outcome: Int32 = peer.host.withCString { host in
            peer.callingAE.withCString { calling in
                peer.calledAE.withCString { called in
                    var settings = cdnet_peer(host: host, port: peer.port, calling_ae: calling, called_ae: called,
                                              connect_timeout: Int32(peer.connectTimeout),
                                              acse_timeout: Int32(peer.associationTimeout),
                                              dimse_timeout: Int32(peer.messageTimeout))
                    return body(&settings, &error)
                }
            }
        }
        guard outcome != CDNET_OK.rawValue else { return }
        let detail = withUnsafeBytes(of: error.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        let kind: PACSError.Kind
        switch UInt32(outcome) {
        case CDNET_UNREACHABLE.rawValue: kind = .unreachable(Self.plain(detail))
        case CDNET_REJECTED.rawValue:
            kind = .rejected(PACSError.RejectionReason(source: Int(error.reject_source), reason: Int(error.reject_reason)),
                             permanent: error.reject_result != 2)
        case CDNET_TIMEOUT.rawValue: kind = .timeout("\(operation): \(Self.plain(detail))")
        case CDNET_UNSUPPORTED.rawValue: kind = .unsupported("\(operation): \(detail)")
        case CDNET_STATUS.rawValue: kind = .failed(operation: operation, status: UInt16(truncatingIfNeeded: error.dimse_status))
        case CDNET_ABORTED.rawValue: kind = .aborted("\(operation): \(Self.plain(detail))")
        default: kind = .local(detail.isEmpty ? "\(operation) failed" : detail)
        }
        throw PACSError(peer: peer.name, kind)
    }

    /// DCMTK's condition text without its module prefix ("TCP Initialization Error: Connection refused" →
    /// "connection refused").
    private static func plain(_ text: String) -> String {
        let tail = text.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? text
        guard let first = tail.first else { return text }
        // Lower-case a leading word ("Connection refused"), not an acronym ("DUL network read timeout").
        if let second = tail.dropFirst().first, second.isUppercase { return tail }
        return first.lowercased() + tail.dropFirst()
    }
}
