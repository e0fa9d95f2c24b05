import Imaging

/// The source instances of each slice of a loaded CT series, which a Segmentation's frames refer to, and the
/// study-level attributes the results inherit.
public struct SourceSlices: Sendable {
    /// One slice: the image (and frame, 0 for a single-frame image) it came from.
    public struct Slice: Sendable {
        public var sopClassUID: String
        public var sopInstanceUID: String
        public var frameNumber: Int
    }

    public var seriesUID: String
    public var studyUID: String
    public var studyDate: String
    public var frameOfReferenceUID: String
    public var geometry: VolumeGeometry
    public var sliceThickness: Double
    /// In the order of the volume's slices.
    public var slices: [Slice]

    /// Reads the headers of `series.files` and orders their frames as the loader ordered the slices (along the
    /// slice normal). A series resampled onto a uniform grid has slices no image holds: refused.
    public init(_ series: LoadedSeries) throws(ImagingError) {
        guard !series.wasResampled else {
            throw ImagingError(file: series.files.first ?? series.uid,
                               "the series was resampled onto a uniform grid; a Segmentation must refer to the slices "
                               + "the scanner wrote, so results cannot be written for it")
        }
        let g = series.volume.geometry
        var found: [(depth: Double, slice: Slice)] = []
        var first: DICOMImageHeader?
        for path in series.files {
            let header = try DICOMImageHeader.read(path: path)
            if first == nil { first = header }
            for (index, frame) in header.frames.enumerated() {
                let depth = (frame.position * g.sliceDirection).sum()
                found.append((depth, Slice(sopClassUID: header.sopClassUID, sopInstanceUID: header.sopInstanceUID,
                                           frameNumber: header.isMultiFrame ? index + 1 : 0)))
            }
        }
        guard let first, found.count == g.size.z else {
            throw ImagingError(file: series.files.first ?? series.uid,
                               "\(found.count) source frames for \(g.size.z) slices of the measured volume")
        }
        guard let frameOfReference = first.frameOfReferenceUID, let study = first.studyUID else {
            throw ImagingError(file: first.path, tag: DICOMAttribute.frameOfReferenceUID.description,
                               "missing (a Segmentation must share the images' frame of reference and study)")
        }
        seriesUID = series.uid
        studyUID = study
        studyDate = first.studyDate ?? ""
        frameOfReferenceUID = frameOfReference
        geometry = g
        sliceThickness = series.sliceThickness ?? g.spacing.z
        slices = found.sorted { $0.depth < $1.depth }.map(\.slice)
    }
}
