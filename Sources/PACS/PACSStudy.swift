/// A study found in a PACS, with its series of the queried modality. Holds no patient attributes: only UIDs,
/// dates, descriptions and counts, so it can be printed and logged.
public struct PACSStudy: Sendable, Equatable, Codable {
    public var studyUID: String
    /// StudyDate (YYYYMMDD) as the PACS holds it, "" when absent.
    public var studyDate: String
    public var studyDescription: String
    /// ModalitiesInStudy as the PACS reports them.
    public var modalities: [String]
    /// NumberOfStudyRelatedInstances, nil when the PACS does not say.
    public var instanceCount: Int?
    /// The series that matched the query, by series number then UID.
    public var series: [PACSSeries]

    enum CodingKeys: String, CodingKey {
        case studyUID = "study_uid", studyDate = "study_date", studyDescription = "study_description"
        case modalities, instanceCount = "instances", series
    }
}

/// A series found in a PACS (no patient attributes).
public struct PACSSeries: Sendable, Equatable, Codable {
    public var studyUID: String
    public var seriesUID: String
    public var seriesNumber: Int?
    public var modality: String
    public var seriesDescription: String
    public var bodyPart: String
    /// NumberOfSeriesRelatedInstances, nil when the PACS does not say.
    public var instanceCount: Int?

    enum CodingKeys: String, CodingKey {
        case studyUID = "study_uid", seriesUID = "series_uid", seriesNumber = "series_number", modality
        case seriesDescription = "series_description", bodyPart = "body_part", instanceCount = "instances"
    }
}

/// A series retrieved into a local folder.
public struct PulledSeries: Sendable, Equatable, Codable {
    public var studyUID: String
    public var seriesUID: String
    /// The folder holding the series' files, one per instance, named SOPInstanceUID.dcm.
    public var folder: String
    /// Files received.
    public var instanceCount: Int

    enum CodingKeys: String, CodingKey {
        case studyUID = "study_uid", seriesUID = "series_uid", folder, instanceCount = "instances"
    }
}

/// What a push did with each file.
public struct PushReport: Sendable, Equatable, Codable {
    public struct File: Sendable, Equatable, Codable {
        public var path: String
        /// The peer's C-STORE status: 0 success, 0xB000–0xBFFF warning (stored), else failure.
        public var status: UInt16
        public var stored: Bool { status == 0 || (status & 0xF000) == 0xB000 }
    }

    public var files: [File]
    /// Files in the folders pushed that were not DICOM Part 10 files, with the reason.
    public var skipped: [String]

    public var storedCount: Int { files.filter(\.stored).count }
    public var failedCount: Int { files.count - storedCount }
}
