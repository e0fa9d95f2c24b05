/// The attributes that tie a series to a patient and a study, read so that a registry can derive a pseudonymous
/// case ID and a procedure time from them. They are identifiers: keep them in memory only, never write them.
public struct DICOMStudyIdentity: Sendable {
    /// PatientID (0010,0020).
    public var patientID: String
    /// StudyInstanceUID (0020,000D).
    public var studyInstanceUID: String
    /// SeriesInstanceUID (0020,000E).
    public var seriesInstanceUID: String
    /// StudyDate (0008,0020) as written (YYYYMMDD), nil when absent.
    public var studyDate: String?
    /// StudyTime (0008,0030) as written (HHMMSS.FFFFFF, any trailing part may be missing), nil when absent.
    public var studyTime: String?
    /// TimezoneOffsetFromUTC (0008,0201) as written (±HHMM), nil when absent.
    public var timezoneOffset: String?

    static let studyTime = DICOMAttribute("(0008,0030)", "StudyTime")
    static let timezoneOffsetFromUTC = DICOMAttribute("(0008,0201)", "TimezoneOffsetFromUTC")

    /// Reads the identity of the file at `path`; PatientID, StudyInstanceUID and SeriesInstanceUID are required.
    public static func read(path: String) throws(ImagingError) -> DICOMStudyIdentity {
        let object = try DICOMObject(path: path)
        func required(_ attribute: DICOMAttribute) throws(ImagingError) -> String {
            guard let value = object.string(attribute) else {
                throw ImagingError(file: path, tag: attribute.description, "missing (needed for the case ID)")
            }
            return value
        }
        return DICOMStudyIdentity(patientID: try required(.patientID), studyInstanceUID: try required(.studyInstanceUID),
                                  seriesInstanceUID: try required(.seriesInstanceUID),
                                  studyDate: object.string(.studyDate), studyTime: object.string(studyTime),
                                  timezoneOffset: object.string(timezoneOffsetFromUTC))
    }
}
