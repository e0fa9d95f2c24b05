/// How `PACSClient.pull` retrieves a series from the PACS.
public enum PACSRetrieval: Sendable, Equatable {
    /// C-GET: the PACS sends the instances back on the association this tool opened, so no port of this machine
    /// has to be reachable and the PACS needs to know nothing but the calling AE title.
    case get
    /// C-MOVE to the AE title `ae`: a storage SCP of this process listens on `port` while the PACS opens its own
    /// association to it. The PACS must know `ae` with this host and port (its list of DICOM modalities), and the
    /// port must be reachable from it. Needed for PACSes that do not offer C-GET.
    case move(ae: String, port: UInt16)

    /// The DIMSE operation, as named in messages.
    public var operation: String {
        switch self {
        case .get: "C-GET"
        case .move: "C-MOVE"
        }
    }
}
