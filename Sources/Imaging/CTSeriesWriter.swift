/// Writes a HU volume as a DICOM CT series: one CT Image Storage file per slice, or one Enhanced CT file.
///
/// Stored values are `(HU − intercept) / slope`, rounded. Identifiers are whatever `identity` says; callers
/// pass synthetic ones (CementReport never copies real patient identifiers into files it writes).
public struct CTSeriesWriter: Sendable {
    /// Who and what the series belongs to.
    public struct Identity: Sendable {
        public var patientName: String
        public var patientID: String
        /// Seed of every UID in the series (study, series, frame of reference, instances).
        public var uidSeed: String
        public var seriesNumber: Int = 1
        public var seriesDescription: String = "CementReport synthetic CT"
        public var studyDate: String = "20220101"

        public init(patientName: String, patientID: String, uidSeed: String) {
            self.patientName = patientName
            self.patientID = patientID
            self.uidSeed = uidSeed
        }

        public var studyUID: String { DeterministicUID.make(uidSeed + "/study") }
        public var seriesUID: String { DeterministicUID.make(uidSeed + "/series") }
        public var frameOfReferenceUID: String { DeterministicUID.make(uidSeed + "/frame-of-reference") }
    }

    public var identity: Identity
    public var rescaleSlope: Double = 1
    public var rescaleIntercept: Double = -1024
    /// PixelRepresentation 1 (two's complement) instead of unsigned.
    public var signedPixels = false
    public var bitsStored = 16
    /// Written as PixelPaddingValue when set (a stored value).
    public var pixelPaddingValue: Int?
    public var sliceThickness: Double?
    /// Written as SpacingBetweenSlices when set (overlapping reconstructions have it below the thickness).
    public var spacingBetweenSlices: Double?
    public var syntax: DICOMWriter.Syntax = .explicitLittleEndian
    /// One Enhanced CT multi-frame file instead of one file per slice.
    public var multiFrame = false
    /// ImageType (0008,0008) values; ORIGINAL, PRIMARY, LOCALIZER makes a scout.
    public var imageType = ["DERIVED", "SECONDARY", "AXIAL"]
    /// ConvolutionKernel (0018,1210), written when set (e.g. "B70f" for a bone reconstruction).
    public var convolutionKernel: String?
    /// Permutation of slice indices giving the order of file names, e.g. to shuffle them; nil keeps slice order.
    public var fileOrder: [Int]?

    public init(identity: Identity) { self.identity = identity }

    /// Writes `volume` into `folder` and returns the file paths in slice order.
    @discardableResult
    public func write(_ volume: HUVolume, to folder: String) throws(ImagingError) -> [String] {
        let geometry = volume.geometry
        let plane = geometry.size.x * geometry.size.y
        let words = try storedWords(volume)
        let common = commonAttributes(geometry)
        if multiFrame {
            let path = folder + "/enhanced-ct.dcm"
            var attributes = common + [
                (DICOMAttribute.sopClassUID.tag, DICOMUID.enhancedCTImageStorage),
                (DICOMAttribute.sopInstanceUID.tag, DeterministicUID.make(identity.uidSeed + "/instance/mf")),
                (DICOMAttribute.numberOfFrames.tag, String(geometry.size.z)),
                (DICOMAttribute.instanceNumber.tag, "1"),
            ]
            let shared = DICOMAttribute.sharedFunctionalGroups.tag + "[0]."
            attributes += [
                (shared + DICOMAttribute.pixelMeasures.tag + "[0]." + DICOMAttribute.pixelSpacing.tag,
                 decimalString([geometry.spacing.y, geometry.spacing.x])),
                (shared + DICOMAttribute.pixelMeasures.tag + "[0]." + DICOMAttribute.sliceThickness.tag,
                 decimalString([sliceThickness ?? geometry.spacing.z])),
                (shared + DICOMAttribute.planeOrientation.tag + "[0]." + DICOMAttribute.imageOrientationPatient.tag,
                 orientationString(geometry)),
                (shared + DICOMAttribute.pixelValueTransformation.tag + "[0]." + DICOMAttribute.rescaleIntercept.tag,
                 decimalString([rescaleIntercept])),
                (shared + DICOMAttribute.pixelValueTransformation.tag + "[0]." + DICOMAttribute.rescaleSlope.tag,
                 decimalString([rescaleSlope])),
                (shared + DICOMAttribute.pixelValueTransformation.tag + "[0]." + DICOMAttribute.rescaleType.tag, "HU"),
            ]
            for k in 0..<geometry.size.z {
                let item = DICOMAttribute.perFrameFunctionalGroups.tag + "[\(k)]."
                attributes.append((item + DICOMAttribute.planePosition.tag + "[0]."
                                   + DICOMAttribute.imagePositionPatient.tag, positionString(geometry, slice: k)))
            }
            try DICOMWriter.write(path: path, attributes: attributes, pixelWords: words, syntax: syntax)
            return [path]
        }
        let order = fileOrder ?? Array(0..<geometry.size.z)
        precondition(order.sorted() == Array(0..<geometry.size.z), "fileOrder must permute the slices")
        var paths = [String](repeating: "", count: geometry.size.z)
        for (fileIndex, k) in order.enumerated() {
            let path = folder + "/" + String(format: "IM%05d.dcm", fileIndex + 1)
            let attributes = common + [
                (DICOMAttribute.sopClassUID.tag, DICOMUID.ctImageStorage),
                (DICOMAttribute.sopInstanceUID.tag, DeterministicUID.make(identity.uidSeed + "/instance/\(k)")),
                (DICOMAttribute.instanceNumber.tag, String(k + 1)),
                (DICOMAttribute.imagePositionPatient.tag, positionString(geometry, slice: k)),
                (DICOMAttribute.imageOrientationPatient.tag, orientationString(geometry)),
                (DICOMAttribute.pixelSpacing.tag, decimalString([geometry.spacing.y, geometry.spacing.x])),
                (DICOMAttribute.sliceThickness.tag, decimalString([sliceThickness ?? geometry.spacing.z])),
                (DICOMAttribute.rescaleIntercept.tag, decimalString([rescaleIntercept])),
                (DICOMAttribute.rescaleSlope.tag, decimalString([rescaleSlope])),
                (DICOMAttribute.rescaleType.tag, "HU"),
            ]
            try DICOMWriter.write(path: path, attributes: attributes,
                                  pixelWords: Array(words[(k * plane)..<((k + 1) * plane)]), syntax: syntax)
            paths[k] = path
        }
        return paths
    }

    private func commonAttributes(_ geometry: VolumeGeometry) -> [(String, String)] {
        var attributes: [(String, String)] = [
            (DICOMAttribute.imageType.tag, imageType.joined(separator: "\\")),
            (DICOMAttribute.modality.tag, "CT"),
            ("(0008,0070)", "CementReport"),
            ("(0008,0020)", identity.studyDate),
            (DICOMAttribute.seriesDescription.tag, identity.seriesDescription),
            (DICOMAttribute.patientName.tag, identity.patientName),
            (DICOMAttribute.patientID.tag, identity.patientID),
            (DICOMAttribute.studyInstanceUID.tag, identity.studyUID),
            (DICOMAttribute.seriesInstanceUID.tag, identity.seriesUID),
            (DICOMAttribute.seriesNumber.tag, String(identity.seriesNumber)),
            (DICOMAttribute.frameOfReferenceUID.tag, identity.frameOfReferenceUID),
            (DICOMAttribute.samplesPerPixel.tag, "1"),
            (DICOMAttribute.photometricInterpretation.tag, "MONOCHROME2"),
            (DICOMAttribute.rows.tag, String(geometry.size.y)),
            (DICOMAttribute.columns.tag, String(geometry.size.x)),
            (DICOMAttribute.bitsAllocated.tag, "16"),
            (DICOMAttribute.bitsStored.tag, String(bitsStored)),
            (DICOMAttribute.highBit.tag, String(bitsStored - 1)),
            (DICOMAttribute.pixelRepresentation.tag, signedPixels ? "1" : "0"),
            (DICOMAttribute.windowCenter.tag, "400"),
            (DICOMAttribute.windowWidth.tag, "1800"),
        ]
        if let pixelPaddingValue {
            attributes.append((DICOMAttribute.pixelPaddingValue.tag, String(pixelPaddingValue)))
        }
        if let convolutionKernel {
            attributes.append((DICOMAttribute.convolutionKernel.tag, convolutionKernel))
        }
        if let spacingBetweenSlices {
            attributes.append((DICOMAttribute.spacingBetweenSlices.tag, decimalString([spacingBetweenSlices])))
        }
        return attributes
    }

    /// Stored values for every voxel, checked against the pixel format's range.
    private func storedWords(_ volume: HUVolume) throws(ImagingError) -> [UInt16] {
        let low = signedPixels ? -(1 << (bitsStored - 1)) : 0
        let high = signedPixels ? (1 << (bitsStored - 1)) - 1 : (1 << bitsStored) - 1
        var words = [UInt16](repeating: 0, count: volume.voxels.count)
        for (index, hu) in volume.voxels.enumerated() {
            let stored = Int(((Double(hu) - rescaleIntercept) / rescaleSlope).rounded())
            guard stored >= low, stored <= high else {
                throw ImagingError(file: "CT series writer",
                                   "HU \(hu) does not fit \(bitsStored)-bit stored values with slope \(rescaleSlope) "
                                   + "and intercept \(rescaleIntercept)")
            }
            words[index] = UInt16(truncatingIfNeeded: stored)
        }
        return words
    }

    private func positionString(_ geometry: VolumeGeometry, slice k: Int) -> String {
        let p = geometry.patientPosition(ofIndex: SIMD3(0, 0, Double(k)))
        return decimalString([p.x, p.y, p.z])
    }

    private func orientationString(_ geometry: VolumeGeometry) -> String {
        let r = geometry.rowDirection, c = geometry.columnDirection
        return decimalString([r.x, r.y, r.z, c.x, c.y, c.z])
    }
}

/// DICOM DS (decimal string) values: each at most 16 characters, joined by backslashes.
func decimalString(_ values: [Double]) -> String {
    values.map { value -> String in
        for digits in stride(from: 10, through: 1, by: -1) {
            var text = String(format: "%.\(digits)f", value)
            while text.contains("."), text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
            if text == "-0" { text = "0" }
            if text.count <= 16 { return text }
        }
        return String(format: "%.9e", value)
    }.joined(separator: "\\")
}

#if canImport(Foundation)
import Foundation
#endif
