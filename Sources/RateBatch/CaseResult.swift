/// Whether a case was measured.
public enum CaseStatus: String, Sendable, Codable {
    /// Measured; zero levels when the series holds no cement.
    case measured
    /// Not measured: the series or its body mask could not be read; `error` says why.
    case failed
}

/// The outcome of one case: every field of each level the engine measured (one entry per level, as flat text),
/// or the error that stopped it.
public struct CaseResult: Sendable, Codable, Equatable {
    public var caseID: String
    public var status: CaseStatus
    public var error: String?
    public var seriesUID: String?
    /// Each level's `LevelMeasurement` as `FlatFields`.
    public var levels: [[String: FlatValue]]

    public init(caseID: String, status: CaseStatus, error: String? = nil, seriesUID: String? = nil,
                levels: [[String: FlatValue]] = []) {
        self.caseID = caseID
        self.status = status
        self.error = error?.isEmpty == true ? nil : error
        self.seriesUID = seriesUID?.isEmpty == true ? nil : seriesUID
        self.levels = levels
    }

    enum CodingKeys: String, CodingKey {
        case caseID = "case_id", status, error, seriesUID = "series_uid", levels
    }
}
