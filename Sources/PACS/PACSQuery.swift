/// What to look for in a PACS: CT studies by date, description and body part, and where the user has them the
/// patient ID, accession number or study UID. Text filters use DICOM wildcard matching (`*` any run, `?` one
/// character); how case is treated is the PACS's choice.
///
/// The patient ID and accession number are sent to the PACS as matching keys only: they are never echoed in
/// output, kept in results or logged.
public struct PACSQuery: Sendable, Equatable {
    /// Study dates to match; nil matches every date.
    public var studyDate: DICOMDateRange?
    /// The modality the study must contain and its series must have.
    public var modality: DICOMModality
    /// StudyDescription pattern.
    public var studyDescription: String?
    /// SeriesDescription pattern.
    public var seriesDescription: String?
    /// BodyPartExamined pattern (series level), e.g. `SPINE` or `*SPINE*`.
    public var bodyPart: String?
    /// PatientID to match exactly; a matching key only.
    public var patientID: String?
    /// AccessionNumber to match exactly; a matching key only.
    public var accessionNumber: String?
    /// One study by its StudyInstanceUID.
    public var studyUID: String?
    /// One series by its SeriesInstanceUID.
    public var seriesUID: String?

    public init(studyDate: DICOMDateRange? = nil, modality: DICOMModality = .ct, studyDescription: String? = nil,
                seriesDescription: String? = nil, bodyPart: String? = nil, patientID: String? = nil,
                accessionNumber: String? = nil, studyUID: String? = nil, seriesUID: String? = nil) {
        self.studyDate = studyDate
        self.modality = modality
        self.studyDescription = studyDescription
        self.seriesDescription = seriesDescription
        self.bodyPart = bodyPart
        self.patientID = patientID
        self.accessionNumber = accessionNumber
        self.studyUID = studyUID
        self.seriesUID = seriesUID
    }

    /// Checks the values against what a C-FIND identifier may hold (no backslash, which separates values; UIDs
    /// of digits and dots; lengths within the VRs).
    public func validate() throws(PACSError) {
        let texts: [(String, String?, Int)] = [("study description", studyDescription, 64),
                                               ("series description", seriesDescription, 64),
                                               ("body part", bodyPart, 16), ("patient ID", patientID, 64),
                                               ("accession number", accessionNumber, 16)]
        for (label, value, limit) in texts {
            guard let value else { continue }
            guard !value.isEmpty, value.count <= limit, !value.contains("\\"),
                  value.unicodeScalars.allSatisfy({ $0.value >= 0x20 }) else {
                throw PACSError(peer: "query", .configuration("the \(label) must be 1–\(limit) characters without backslash or control characters"))
            }
        }
        for (label, uid) in [("study UID", studyUID), ("series UID", seriesUID)] {
            guard let uid else { continue }
            guard PACSQuery.isUID(uid) else {
                throw PACSError(peer: "query", .configuration("the \(label) \"\(uid)\" is not a DICOM UID (digits and dots, at most 64)"))
            }
        }
    }

    static func isUID(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64 && text.allSatisfy { $0 == "." || ($0.isASCII && $0.isNumber) }
    }
}

/// A DICOM modality code (0008,0060), e.g. CT; upper-case letters and digits, at most 16.
public struct DICOMModality: Sendable, Hashable, Codable, CustomStringConvertible {
    public let code: String

    /// Computed tomography.
    public static let ct = DICOMModality(checked: "CT")

    /// A modality from its code; nil when it is not one (empty, lower case, too long).
    public init?(code: String) {
        guard !code.isEmpty, code.count <= 16,
              code.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }) else { return nil }
        self.code = code
    }

    private init(checked code: String) { self.code = code }

    public var description: String { code }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let modality = DICOMModality(code: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a modality code"))
        }
        self = modality
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}
