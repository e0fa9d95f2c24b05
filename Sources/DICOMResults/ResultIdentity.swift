import CDCMTKResults
import CementCore

/// Who and what a written result object belongs to. Only the case ID stands for the patient (as PatientName and
/// PatientID): names, birth dates, sex and accession numbers of the source are never copied. The study's
/// StudyInstanceUID and StudyDate are kept so that a PACS files the results with the images they were measured on.
public struct ResultIdentity: Sendable {
    public var caseID: String
    public var studyUID: String
    public var studyDate: String
    public var seriesUID: String
    public var sopInstanceUID: String
    public var seriesDescription: String
    public var seriesNumber: Int
    /// The software that measured, written as manufacturer, model, version and observer device.
    public var softwareVersion: String
    public var deviceUID: String

    public static let manufacturer = "CementReport"
    public static let modelName = "cement rate"

    public init(caseID: String, studyUID: String, studyDate: String, seriesUID: String, sopInstanceUID: String,
                seriesDescription: String, seriesNumber: Int, softwareVersion: String) {
        self.caseID = caseID
        self.studyUID = studyUID
        self.studyDate = studyDate
        self.seriesUID = seriesUID
        self.sopInstanceUID = sopInstanceUID
        self.seriesDescription = seriesDescription
        self.seriesNumber = seriesNumber
        self.softwareVersion = softwareVersion
        deviceUID = DeterministicUID.make("CementReport/device/" + softwareVersion)
    }

    func native(_ arena: CStringArena) -> cdcmr_identity {
        // Content date and time are the study's date at midnight: no clock, so files are reproducible.
        cdcmr_identity(
            patient_name: arena.string(caseID), patient_id: arena.string(caseID), study_uid: arena.string(studyUID),
            study_date: arena.string(studyDate), series_uid: arena.string(seriesUID),
            sop_instance_uid: arena.string(sopInstanceUID), series_description: arena.string(seriesDescription),
            series_number: seriesNumber, content_date: arena.string(studyDate.isEmpty ? "19000101" : studyDate),
            content_time: arena.string("000000"), manufacturer: arena.string(Self.manufacturer),
            model_name: arena.string(Self.modelName), software_version: arena.string(softwareVersion),
            device_uid: arena.string(deviceUID))
    }
}
