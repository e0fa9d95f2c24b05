/// A case as the registry holds it: pseudonymous, with its measured levels and follow-up.
public struct RegisteredCase: Sendable, Codable, Equatable {
    /// Keyed hash of PatientID and StudyInstanceUID (`DepartmentKey.caseID`).
    public var caseID: String
    /// SHA-256 of the series' content (`SeriesDigest`).
    public var seriesSHA256: String
    /// The series' replacement UID (`DepartmentKey.replacementUID`), never the original.
    public var seriesUID: String
    /// The procedure's instant, ISO 8601 in UTC; nil when neither the series nor the manifest gives a date.
    public var procedureAt: String?
    /// Treated vertebral levels (T10–L5) as the manifest names them, in the engine's level order.
    public var treatedLevels: [String]
    public var operatorCode: String?
    public var engineVersion: String
    public var levels: [RegisteredLevel]
    /// Follow-up values by codebook variable, as imported (text).
    public var followUp: [String: String]

    public init(caseID: String, seriesSHA256: String, seriesUID: String, procedureAt: String?, treatedLevels: [String],
                operatorCode: String?, engineVersion: String, levels: [RegisteredLevel], followUp: [String: String] = [:]) {
        self.caseID = caseID
        self.seriesSHA256 = seriesSHA256
        self.seriesUID = seriesUID
        self.procedureAt = procedureAt
        self.treatedLevels = treatedLevels
        self.operatorCode = operatorCode
        self.engineVersion = engineVersion
        self.levels = levels
        self.followUp = followUp
    }

    /// The name of level `index`: the manifest's, else the follow-up's `level`, else "level N".
    public func levelName(_ index: Int) -> String {
        if index < treatedLevels.count { return treatedLevels[index] }
        if index == 0, let level = followUp["level"] { return level }
        return "level \(index + 1)"
    }

    enum CodingKeys: String, CodingKey {
        case caseID = "case_id", seriesSHA256 = "series_sha256", seriesUID = "series_uid", procedureAt = "procedure_at"
        case treatedLevels = "treated_levels", operatorCode = "operator_code", engineVersion = "engine_version", levels
        case followUp = "follow_up"
    }
}

/// One measured level of a case: the fields the audit reads, and every field the rate engine wrote.
public struct RegisteredLevel: Sendable, Codable, Equatable {
    public var levelIndex: Int
    public var distributionRatePercent: Double?
    /// Nominal 90 % uncertainty interval of the DR (%).
    public var distributionRateInterval: [Double]?
    /// DR group (low, medium, high) as the engine assigned it.
    public var group: String?
    public var leakageML: Double?
    /// QC flags' raw values (`QCFlag`).
    public var qcFlags: [String]
    /// Whether a flag asks for review (`QCFlag.needsReview`).
    public var needsReview: Bool
    /// Every field of the engine's `LevelMeasurement`, as JSON with sorted keys.
    public var fieldsJSON: String
    /// The engine's `Parameters`, as JSON with sorted keys.
    public var parametersJSON: String
    public var engineVersion: String
    /// When the level was measured, ISO 8601 in UTC (the ingest's clock).
    public var measuredAt: String

    public init(levelIndex: Int, distributionRatePercent: Double?, distributionRateInterval: [Double]?, group: String?,
                leakageML: Double?, qcFlags: [String], needsReview: Bool, fieldsJSON: String, parametersJSON: String,
                engineVersion: String, measuredAt: String) {
        self.levelIndex = levelIndex
        self.distributionRatePercent = distributionRatePercent
        self.distributionRateInterval = distributionRateInterval
        self.group = group
        self.leakageML = leakageML
        self.qcFlags = qcFlags
        self.needsReview = needsReview
        self.fieldsJSON = fieldsJSON
        self.parametersJSON = parametersJSON
        self.engineVersion = engineVersion
        self.measuredAt = measuredAt
    }

    enum CodingKeys: String, CodingKey {
        case levelIndex = "level_index", distributionRatePercent = "distribution_rate_percent"
        case distributionRateInterval = "distribution_rate_interval_percent", group = "dr_group", leakageML = "leakage_ml"
        case qcFlags = "qc_flags", needsReview = "needs_review", fieldsJSON = "fields", parametersJSON = "engine_parameters"
        case engineVersion = "engine_version", measuredAt = "measured_at"
    }
}
