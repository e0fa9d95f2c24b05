import Foundation

/// A DICOM peer (a PACS or any DIMSE service class provider) and how to talk to it: where it is, the AE titles
/// on both sides, how long to wait and how often to try again.
public struct PACSPeer: Sendable, Equatable, Codable {
    /// Host name or address of the peer.
    public var host: String
    /// Its DICOM port (104 by convention, 4242 in Orthanc's default configuration).
    public var port: UInt16
    /// The peer's AE title (the called AE).
    public var calledAE: String
    /// This tool's AE title (the calling AE); the peer must know it for C-GET and often for C-FIND and C-STORE.
    public var callingAE: String
    /// Seconds to wait for the TCP connection.
    public var connectTimeout: Int
    /// Seconds to wait for the association to be accepted or released (ACSE).
    public var associationTimeout: Int
    /// Seconds to wait for each DIMSE message (a C-FIND match, a C-STORE response, an instance of a C-GET).
    public var messageTimeout: Int
    /// How often a call that could not reach the peer, timed out or was aborted is tried again.
    public var retries: Int
    /// Seconds between tries.
    public var retryDelay: Double

    public init(host: String, port: UInt16, calledAE: String, callingAE: String = "CEMENTREPORT",
                connectTimeout: Int = 10, associationTimeout: Int = 30, messageTimeout: Int = 60,
                retries: Int = 2, retryDelay: Double = 2) {
        self.host = host
        self.port = port
        self.calledAE = calledAE
        self.callingAE = callingAE
        self.connectTimeout = connectTimeout
        self.associationTimeout = associationTimeout
        self.messageTimeout = messageTimeout
        self.retries = retries
        self.retryDelay = retryDelay
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port
        case calledAE = "called_ae"
        case callingAE = "calling_ae"
        case connectTimeout = "connect_timeout"
        case associationTimeout = "association_timeout"
        case messageTimeout = "message_timeout"
        case retries
        case retryDelay = "retry_delay"
    }

    /// Checks that `title` is a valid AE title: 1–16 ASCII characters, not all spaces, no backslash or control
    /// characters.
    static func validateAETitle(_ title: String, label: String, peer: String) throws(PACSError) {
        let trimmed = title.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, title.count <= 16,
              title.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0 != "\\" }) else {
            throw PACSError(peer: peer, .configuration("the \(label) \"\(title)\" must be 1–16 ASCII characters without backslash"))
        }
    }

    /// How the peer is named in messages: `CALLED@host:port`.
    public var name: String { "\(calledAE)@\(host):\(port)" }

    /// Checks the values a DICOM association needs: AE titles of 1–16 characters without backslashes or control
    /// characters, a port above 0, timeouts of 1–3600 s, 0–10 retries.
    public func validate() throws(PACSError) {
        for (label, title) in [("called AE title", calledAE), ("calling AE title", callingAE)] {
            try Self.validateAETitle(title, label: label, peer: name)
        }
        guard !host.isEmpty else { throw PACSError(peer: name, .configuration("no host given")) }
        guard port > 0 else { throw PACSError(peer: name, .configuration("the port must be 1–65535")) }
        for (label, seconds) in [("connect timeout", connectTimeout), ("association timeout", associationTimeout),
                                 ("message timeout", messageTimeout)] where !(1...3600).contains(seconds) {
            throw PACSError(peer: name, .configuration("the \(label) must be 1–3600 s, not \(seconds)"))
        }
        guard (0...10).contains(retries) else { throw PACSError(peer: name, .configuration("retries must be 0–10")) }
        guard (0...600).contains(retryDelay) else { throw PACSError(peer: name, .configuration("the retry delay must be 0–600 s")) }
    }
}
