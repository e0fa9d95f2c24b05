/// DICOM attributes CementReport reads or writes, as DCMTK tag paths with their keywords.
public struct DICOMAttribute: Hashable, Sendable, CustomStringConvertible {
    /// The tag in DCMTK path syntax, e.g. `(0020,0032)`.
    public let tag: String
    /// The DICOM keyword, e.g. `ImagePositionPatient`.
    public let keyword: String

    public init(_ tag: String, _ keyword: String) {
        self.tag = tag
        self.keyword = keyword
    }

    public var description: String { "\(tag) \(keyword)" }

    /// This attribute inside item `item` of a sequence, e.g. a per-frame functional group.
    public func inside(_ sequence: DICOMAttribute, item: Int) -> String {
        "\(sequence.tag)[\(item)].\(tag)"
    }

    public static let imageType = DICOMAttribute("(0008,0008)", "ImageType")
    public static let sopClassUID = DICOMAttribute("(0008,0016)", "SOPClassUID")
    public static let sopInstanceUID = DICOMAttribute("(0008,0018)", "SOPInstanceUID")
    public static let studyDate = DICOMAttribute("(0008,0020)", "StudyDate")
    public static let modality = DICOMAttribute("(0008,0060)", "Modality")
    public static let seriesDescription = DICOMAttribute("(0008,103e)", "SeriesDescription")
    public static let patientName = DICOMAttribute("(0010,0010)", "PatientName")
    public static let patientID = DICOMAttribute("(0010,0020)", "PatientID")
    public static let sliceThickness = DICOMAttribute("(0018,0050)", "SliceThickness")
    public static let convolutionKernel = DICOMAttribute("(0018,1210)", "ConvolutionKernel")
    public static let spacingBetweenSlices = DICOMAttribute("(0018,0088)", "SpacingBetweenSlices")
    public static let gantryDetectorTilt = DICOMAttribute("(0018,1120)", "GantryDetectorTilt")
    public static let studyInstanceUID = DICOMAttribute("(0020,000d)", "StudyInstanceUID")
    public static let seriesInstanceUID = DICOMAttribute("(0020,000e)", "SeriesInstanceUID")
    public static let seriesNumber = DICOMAttribute("(0020,0011)", "SeriesNumber")
    public static let instanceNumber = DICOMAttribute("(0020,0013)", "InstanceNumber")
    public static let imagePositionPatient = DICOMAttribute("(0020,0032)", "ImagePositionPatient")
    public static let imageOrientationPatient = DICOMAttribute("(0020,0037)", "ImageOrientationPatient")
    public static let frameOfReferenceUID = DICOMAttribute("(0020,0052)", "FrameOfReferenceUID")
    public static let samplesPerPixel = DICOMAttribute("(0028,0002)", "SamplesPerPixel")
    public static let photometricInterpretation = DICOMAttribute("(0028,0004)", "PhotometricInterpretation")
    public static let numberOfFrames = DICOMAttribute("(0028,0008)", "NumberOfFrames")
    public static let rows = DICOMAttribute("(0028,0010)", "Rows")
    public static let columns = DICOMAttribute("(0028,0011)", "Columns")
    public static let pixelSpacing = DICOMAttribute("(0028,0030)", "PixelSpacing")
    public static let bitsAllocated = DICOMAttribute("(0028,0100)", "BitsAllocated")
    public static let bitsStored = DICOMAttribute("(0028,0101)", "BitsStored")
    public static let highBit = DICOMAttribute("(0028,0102)", "HighBit")
    public static let pixelRepresentation = DICOMAttribute("(0028,0103)", "PixelRepresentation")
    public static let pixelPaddingValue = DICOMAttribute("(0028,0120)", "PixelPaddingValue")
    public static let windowCenter = DICOMAttribute("(0028,1050)", "WindowCenter")
    public static let windowWidth = DICOMAttribute("(0028,1051)", "WindowWidth")
    public static let rescaleIntercept = DICOMAttribute("(0028,1052)", "RescaleIntercept")
    public static let rescaleSlope = DICOMAttribute("(0028,1053)", "RescaleSlope")
    public static let rescaleType = DICOMAttribute("(0028,1054)", "RescaleType")
    public static let pixelData = DICOMAttribute("(7fe0,0010)", "PixelData")

    // Enhanced (multi-frame) CT functional groups.
    public static let sharedFunctionalGroups = DICOMAttribute("(5200,9229)", "SharedFunctionalGroupsSequence")
    public static let perFrameFunctionalGroups = DICOMAttribute("(5200,9230)", "PerFrameFunctionalGroupsSequence")
    public static let pixelMeasures = DICOMAttribute("(0028,9110)", "PixelMeasuresSequence")
    public static let planePosition = DICOMAttribute("(0020,9113)", "PlanePositionSequence")
    public static let planeOrientation = DICOMAttribute("(0020,9116)", "PlaneOrientationSequence")
    public static let pixelValueTransformation = DICOMAttribute("(0028,9145)", "PixelValueTransformationSequence")
}

/// SOP classes and transfer syntaxes CementReport knows by name.
public enum DICOMUID {
    public static let ctImageStorage = "1.2.840.10008.5.1.4.1.1.2"
    public static let enhancedCTImageStorage = "1.2.840.10008.5.1.4.1.1.2.1"

    /// Human-readable names of the transfer syntaxes DCMTK decodes here.
    public static let transferSyntaxNames: [String: String] = [
        "1.2.840.10008.1.2": "Implicit VR Little Endian",
        "1.2.840.10008.1.2.1": "Explicit VR Little Endian",
        "1.2.840.10008.1.2.1.99": "Deflated Explicit VR Little Endian",
        "1.2.840.10008.1.2.2": "Explicit VR Big Endian",
        "1.2.840.10008.1.2.5": "RLE Lossless",
        "1.2.840.10008.1.2.4.50": "JPEG Baseline (Process 1)",
        "1.2.840.10008.1.2.4.51": "JPEG Extended (Process 2 & 4)",
        "1.2.840.10008.1.2.4.57": "JPEG Lossless, Non-Hierarchical (Process 14)",
        "1.2.840.10008.1.2.4.70": "JPEG Lossless, First-Order Prediction (Process 14 SV1)",
        "1.2.840.10008.1.2.4.80": "JPEG-LS Lossless",
        "1.2.840.10008.1.2.4.81": "JPEG-LS Near-Lossless",
    ]
}
