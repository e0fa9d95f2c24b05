import CDCMTKResults
import RateEngine

/// A coded concept as DICOM writes it: code value, coding scheme designator, code meaning.
///
/// Standard codes are taken from DICOM PS3.16 (checked against pydicom's code dictionary, `pydicom.sr.codedict`);
/// the distribution rate and the QC flags have no standard code and use the private scheme `99CMTRPT` (a `99`
/// prefix marks a private coding scheme, PS3.16 section 8).
public struct ResultCode: Sendable, Equatable {
    public var value: String
    public var scheme: String
    public var meaning: String

    public init(_ value: String, _ scheme: String, _ meaning: String) {
        self.value = value
        self.scheme = scheme
        self.meaning = meaning
    }

    /// The private coding scheme of CementReport's own concepts.
    public static let privateScheme = "99CMTRPT"

    // Segment categories and types (CID 7150, CID 7151 and their SNOMED CT codes).
    public static let anatomicalStructure = ResultCode("91723000", "SCT", "Anatomical Structure")
    public static let substance = ResultCode("105590001", "SCT", "Substance")
    public static let vertebra = ResultCode("51282000", "SCT", "Vertebra")
    /// PMMA bone cement is an acrylic resin.
    public static let acrylicResin = ResultCode("261712009", "SCT", "Acrylic resin")

    // Measurements and units.
    public static let volume = ResultCode("118565006", "SCT", "Volume")
    public static let computedTomography = ResultCode("77477000", "SCT", "Computed tomography")
    public static let milliliter = ResultCode("ml", "UCUM", "milliliter")
    public static let percent = ResultCode("%", "UCUM", "percent")

    // CementReport's concepts.
    public static let distributionRate = ResultCode("CR-DR", privateScheme, "Cement distribution rate")
    public static let distributionRateLower = ResultCode("CR-DR-L90", privateScheme,
                                                         "Cement distribution rate, lower limit of 90 % interval")
    public static let distributionRateUpper = ResultCode("CR-DR-U90", privateScheme,
                                                         "Cement distribution rate, upper limit of 90 % interval")
    public static let qualityControlFlag = ResultCode("CR-QC", privateScheme, "Quality control flag")

    /// Longest CodeMeaning (0008,0104): its VR is LO, at most 64 characters.
    static let maximumMeaningLength = 64

    /// A QC flag as a qualitative evaluation: its name as the code value, its description as the meaning, or the
    /// name in words where the description is longer than a CodeMeaning may be (readers such as pydicom reject it).
    public static func qualityControl(_ flag: QCFlag) -> ResultCode {
        let meaning = flag.description.count <= maximumMeaningLength ? flag.description
            : flag.rawValue.replacingOccurrences(of: "_", with: " ")
        return ResultCode(flag.rawValue, privateScheme, meaning)
    }
}
