/// Why a PACS operation failed, worded for the user with the peer (or configuration file) named.
public struct PACSError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Why an association was rejected (A-ASSOCIATE-RJ, PS3.8 9.3.4).
    public enum RejectionReason: Sendable, Equatable {
        case calledAENotRecognized
        case callingAENotRecognized
        case applicationContextNotSupported
        case noReasonGiven
        case temporaryCongestion
        case localLimitExceeded
        case protocolVersionNotSupported
        case unknown(source: Int, reason: Int)
    }

    public enum Kind: Sendable, Equatable {
        /// No TCP connection: nothing listens there, the host is unknown or the connection timed out.
        case unreachable(String)
        /// The peer refused the association.
        case rejected(RejectionReason, permanent: Bool)
        /// Connected, but the peer did not answer within the timeout.
        case timeout(String)
        /// The peer accepted the association but not the service asked for (C-FIND, C-GET or a storage class).
        case unsupported(String)
        /// The peer answered with a DIMSE failure status.
        case failed(operation: String, status: UInt16)
        /// The peer refused a C-MOVE because it does not know the destination AE title.
        case moveDestinationUnknown(ae: String, port: UInt16)
        /// The peer aborted or closed the association.
        case aborted(String)
        /// A local problem: a file not readable, a folder not writable.
        case local(String)
        /// Bad connection settings or query values.
        case configuration(String)
    }

    /// The peer as `AE@host:port`, or the configuration file.
    public var peer: String
    public var kind: Kind
    /// How many times the call was tried (retries after transient failures included).
    public var attempts = 1

    public init(peer: String, _ kind: Kind) {
        self.peer = peer
        self.kind = kind
    }

    /// True for failures another try may cure (peer down, timeout, abort, a transient rejection).
    public var isTransient: Bool {
        switch kind {
        case .unreachable, .timeout, .aborted: true
        case .rejected(_, let permanent): !permanent
        default: false
        }
    }

    public var description: String {
        attempts > 1 ? "\(message) [\(attempts) tries]" : message
    }

    private var message: String {
        switch kind {
        case .unreachable(let detail):
            "PACS \(peer) is not reachable (\(detail)); is it running, and are host and port right?"
        case .rejected(let reason, _):
            "PACS \(peer) rejected the association: \(reason.words)"
        case .timeout(let detail):
            "PACS \(peer) did not answer in time (\(detail)); raise the timeouts or check the peer"
        case .unsupported(let detail):
            "PACS \(peer) accepted the association but not the service: \(detail)"
        case .failed(let operation, let status):
            "PACS \(peer): \(operation) failed with status 0x\(String(status, radix: 16, uppercase: true))"
                + (PACSError.statusWords[status].map { " (\($0))" } ?? "")
        case .moveDestinationUnknown(let ae, let port):
            "PACS \(peer) does not know the C-MOVE destination AE title \"\(ae)\": register it there with this "
                + "host and port \(port), or retrieve with C-GET (--retrieve get)"
        case .aborted(let detail):
            "PACS \(peer) aborted the association (\(detail))"
        case .local(let detail):
            "\(detail) (PACS \(peer))"
        case .configuration(let detail):
            "\(peer): \(detail)"
        }
    }

    /// Words for the DIMSE failure statuses a query/retrieve or storage SCP commonly returns (PS3.4 C.4, B.2.3).
    static let statusWords: [UInt16: String] = [
        0xA700: "out of resources",
        0xA701: "out of resources: unable to calculate the number of matches",
        0xA702: "out of resources: unable to perform sub-operations",
        0xA801: "move destination unknown",
        0xA900: "identifier does not match SOP class",
        0xB000: "some sub-operations failed",
        0xC000: "unable to process",
        0x0122: "SOP class not supported",
        0x0124: "not authorized",
        0xFE00: "cancelled",
    ]
}

extension PACSError.RejectionReason {
    /// The reason from the A-ASSOCIATE-RJ's source and reason fields as DCMTK reports them.
    init(source: Int, reason: Int) {
        switch reason {
        case 0x0107: self = .calledAENotRecognized
        case 0x0103: self = .callingAENotRecognized
        case 0x0102: self = .applicationContextNotSupported
        // 0: the rejection was seen but its reason could not be read back.
        case 0, 0x0101, 0x0201: self = .noReasonGiven
        case 0x0202: self = .protocolVersionNotSupported
        case 0x0301: self = .temporaryCongestion
        case 0x0302: self = .localLimitExceeded
        default: self = .unknown(source: source, reason: reason)
        }
    }

    var words: String {
        switch self {
        case .calledAENotRecognized: "the called AE title is not the PACS's (check --called-ae)"
        case .callingAENotRecognized: "this tool's AE title is not known to the PACS (register --calling-ae there)"
        case .applicationContextNotSupported: "the DICOM application context is not supported"
        case .noReasonGiven: "no reason given (the PACS may not accept this AE title or host)"
        case .temporaryCongestion: "temporary congestion; try again later"
        case .localLimitExceeded: "the PACS's association limit is reached; try again later"
        case .protocolVersionNotSupported: "protocol version not supported"
        case .unknown(let source, let reason): "source \(source), reason 0x\(String(reason, radix: 16))"
        }
    }
}
