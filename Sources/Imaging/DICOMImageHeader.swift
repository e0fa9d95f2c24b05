import Foundation

/// What CementReport needs to know about one DICOM image file before decoding its pixels.
/// A single-frame CT file has one frame; an Enhanced CT file has one per slice.
public struct DICOMImageHeader: Sendable {
    /// Position and rescale of one frame.
    public struct Frame: Sendable {
        /// ImagePositionPatient: LPS position (mm) of the centre of the first pixel.
        public var position: SIMD3<Double>
        public var rescaleSlope: Double
        public var rescaleIntercept: Double
        /// ImageOrientationPatient row then column direction cosines.
        public var orientation: [Double]
        /// PixelSpacing: spacing between rows, then between columns (mm).
        public var pixelSpacing: [Double]
    }

    public var path: String
    public var sopClassUID: String
    public var sopInstanceUID: String
    public var seriesUID: String
    /// StudyInstanceUID (0020,000D), FrameOfReferenceUID (0020,0052) and StudyDate (0008,0020), when given: results
    /// written back as DICOM share the study and the frame of reference.
    public var studyUID: String?
    public var frameOfReferenceUID: String?
    public var studyDate: String?
    public var modality: String
    public var seriesDescription: String?
    /// SeriesNumber (0020,0011), when given.
    public var seriesNumber: Int?
    /// ImageType (0008,0008) values, e.g. ORIGINAL, PRIMARY, AXIAL or LOCALIZER; empty when absent.
    public var imageType: [String]
    /// ConvolutionKernel (0018,1210) values (the reconstruction kernel, e.g. B70f, BONE); empty when absent.
    public var convolutionKernel: [String]
    public var transferSyntaxUID: String
    public var rows: Int
    public var columns: Int
    public var samplesPerPixel: Int
    public var photometricInterpretation: String
    public var bitsAllocated: Int
    public var bitsStored: Int
    public var highBit: Int
    public var pixelRepresentation: Int
    public var pixelPaddingValue: Double?
    public var sliceThickness: Double?
    public var gantryTilt: Double
    public var frames: [Frame]

    /// True for the Enhanced CT (multi-frame, functional groups) storage class.
    public var isMultiFrame: Bool { frames.count > 1 || sopClassUID == DICOMUID.enhancedCTImageStorage }

    /// Reads the header of `path`. Throws when the file is not DICOM or lacks what an image needs.
    public static func read(path: String) throws(ImagingError) -> DICOMImageHeader {
        let object = try DICOMObject(path: path)
        return try read(object)
    }

    static func read(_ object: DICOMObject) throws(ImagingError) -> DICOMImageHeader {
        let path = object.path
        func required(_ attribute: DICOMAttribute) throws(ImagingError) -> String {
            guard let value = object.string(attribute) else {
                throw ImagingError(file: path, tag: attribute.description, "missing")
            }
            return value
        }
        func requiredInteger(_ attribute: DICOMAttribute) throws(ImagingError) -> Int {
            guard let value = try object.integer(attribute) else {
                throw ImagingError(file: path, tag: attribute.description, "missing")
            }
            return value
        }
        guard object.has(.pixelData) else {
            throw ImagingError(file: path, tag: DICOMAttribute.pixelData.description, "no pixel data (not an image)")
        }
        var header = DICOMImageHeader(
            path: path,
            sopClassUID: try required(.sopClassUID),
            sopInstanceUID: try required(.sopInstanceUID),
            seriesUID: try required(.seriesInstanceUID),
            studyUID: object.string(.studyInstanceUID),
            frameOfReferenceUID: object.string(.frameOfReferenceUID),
            studyDate: object.string(.studyDate),
            modality: object.string(.modality) ?? "",
            seriesDescription: object.string(.seriesDescription),
            seriesNumber: try? object.integer(.seriesNumber),
            imageType: Self.values(object.string(.imageType)),
            convolutionKernel: Self.values(object.string(.convolutionKernel)),
            transferSyntaxUID: object.transferSyntaxUID,
            rows: try requiredInteger(.rows),
            columns: try requiredInteger(.columns),
            samplesPerPixel: try object.integer(.samplesPerPixel) ?? 1,
            photometricInterpretation: object.string(.photometricInterpretation) ?? "MONOCHROME2",
            bitsAllocated: try requiredInteger(.bitsAllocated),
            bitsStored: try requiredInteger(.bitsStored),
            highBit: 0,
            pixelRepresentation: try object.integer(.pixelRepresentation) ?? 0,
            pixelPaddingValue: try object.numbers(.pixelPaddingValue)?.first,
            sliceThickness: try object.numbers(.sliceThickness)?.first,
            gantryTilt: try object.numbers(.gantryDetectorTilt)?.first ?? 0,
            frames: []
        )
        header.highBit = try object.integer(.highBit) ?? header.bitsStored - 1
        guard header.rows > 0, header.columns > 0 else {
            throw ImagingError(file: path, tag: DICOMAttribute.rows.description, "empty image matrix")
        }
        let frameCount = try object.integer(.numberOfFrames) ?? 1
        guard frameCount >= 1 else {
            throw ImagingError(file: path, tag: DICOMAttribute.numberOfFrames.description, "no frames")
        }
        // The declared matrix against the memory budget and the data present, before anything is allocated for it.
        let declared = Double(header.rows) * Double(header.columns) * Double(frameCount) * Double(max(1, header.bitsAllocated / 8))
        guard declared <= Double(SeriesLoader.memoryBudget) else {
            throw ImagingError(file: path, tag: DICOMAttribute.rows.description,
                               "\(header.rows) × \(header.columns) × \(frameCount) frame(s) exceed the memory budget of "
                               + "\(SeriesLoader.memoryBudget >> 30) GiB")
        }
        if let present = object.nativePixelDataBytes, Double(present) < declared {
            throw ImagingError(file: path, tag: DICOMAttribute.pixelData.description,
                               "holds \(present) bytes; Rows × Columns × NumberOfFrames × BitsAllocated/8 declares "
                               + "\(Int(declared))")
        }
        if object.sequenceCount(.perFrameFunctionalGroups) != nil {
            header.frames = try readFunctionalGroups(object, frameCount: frameCount)
        } else {
            header.frames = [try readFrame(object) { [$0.tag] }]
            if frameCount > 1 {
                throw ImagingError(file: path, tag: DICOMAttribute.numberOfFrames.description,
                                   "\(frameCount) frames without per-frame functional groups: positions unknown")
            }
        }
        return header
    }

    /// The values of a multi-valued string attribute, trimmed, without empty ones.
    private static func values(_ text: String?) -> [String] {
        (text ?? "").split(separator: "\\").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Reads one frame's geometry, looking each attribute up at the path `locate` gives.
    private static func readFrame(_ object: DICOMObject, locate: (DICOMAttribute) -> [String])
        throws(ImagingError) -> Frame
    {
        func lookup(_ attribute: DICOMAttribute, count: Int) throws(ImagingError) -> [Double]? {
            for path in locate(attribute) {
                if let values = try object.numbers(at: path, attribute: attribute) {
                    guard values.count == count else {
                        throw ImagingError(file: object.path, tag: attribute.description,
                                           "expected \(count) values, found \(values.count)")
                    }
                    return values
                }
            }
            return nil
        }
        guard let position = try lookup(.imagePositionPatient, count: 3) else {
            throw ImagingError(file: object.path, tag: DICOMAttribute.imagePositionPatient.description, "missing")
        }
        guard let orientation = try lookup(.imageOrientationPatient, count: 6) else {
            throw ImagingError(file: object.path, tag: DICOMAttribute.imageOrientationPatient.description, "missing")
        }
        guard let spacing = try lookup(.pixelSpacing, count: 2) else {
            throw ImagingError(file: object.path, tag: DICOMAttribute.pixelSpacing.description, "missing")
        }
        guard spacing[0] > 0, spacing[1] > 0 else {
            throw ImagingError(file: object.path, tag: DICOMAttribute.pixelSpacing.description,
                               "spacing must be positive")
        }
        let slope = try lookup(.rescaleSlope, count: 1)?[0] ?? 1
        guard slope != 0 else {
            throw ImagingError(file: object.path, tag: DICOMAttribute.rescaleSlope.description, "slope is zero")
        }
        return Frame(position: SIMD3(position[0], position[1], position[2]),
                     rescaleSlope: slope,
                     rescaleIntercept: try lookup(.rescaleIntercept, count: 1)?[0] ?? 0,
                     orientation: orientation, pixelSpacing: spacing)
    }

    /// Enhanced CT: each attribute sits in a functional group, per frame or shared by all frames.
    private static func readFunctionalGroups(_ object: DICOMObject, frameCount: Int) throws(ImagingError) -> [Frame] {
        let items = object.sequenceCount(.perFrameFunctionalGroups) ?? 0
        guard items == frameCount else {
            throw ImagingError(file: object.path, tag: DICOMAttribute.perFrameFunctionalGroups.description,
                               "\(items) items for \(frameCount) frames")
        }
        let groups: [DICOMAttribute: DICOMAttribute] = [
            .imagePositionPatient: .planePosition, .imageOrientationPatient: .planeOrientation,
            .pixelSpacing: .pixelMeasures, .rescaleSlope: .pixelValueTransformation,
            .rescaleIntercept: .pixelValueTransformation,
        ]
        var frames: [Frame] = []
        frames.reserveCapacity(frameCount)
        for index in 0..<frameCount {
            frames.append(try readFrame(object) { attribute in
                guard let group = groups[attribute] else { return [attribute.tag] }
                let perFrame = DICOMAttribute.perFrameFunctionalGroups.tag + "[\(index)]."
                let shared = DICOMAttribute.sharedFunctionalGroups.tag + "[0]."
                let inGroup = group.tag + "[0]." + attribute.tag
                return [perFrame + inGroup, shared + inGroup, attribute.tag]
            })
        }
        return frames
    }
}
