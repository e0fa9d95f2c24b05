import Imaging

/// A cement mask the user supplies (typically one exported by `cement rate --export-masks` and edited in 3D Slicer
/// or ITK-SNAP), used instead of finding cement by threshold. Every non-zero voxel is cement, whole; whether it lies
/// in the body is decided by the body (segmented, or `BodyMask`), not by the mask's labels.
public struct CementMask: Sendable {
    /// Labels on the series grid.
    public var labels: LabelVolume

    /// A mask already on the series grid.
    public init(labels: LabelVolume) {
        self.labels = labels
    }

    /// Reads a NIfTI label map and puts it on the series grid `geometry`. Throws, naming `path`, when it is not a
    /// label map, when its voxels are not the series' voxels (axis order and direction may differ), or when it is
    /// empty.
    public init(contentsOf path: String, matching geometry: VolumeGeometry) throws(ImagingError) {
        let read = try NIfTIReader.readLabels(path)
        guard let aligned = read.reindexed(onto: geometry) else {
            throw ImagingError(file: path, "the cement mask's voxel grid does not match the series (mask: "
                               + read.geometry.summary + "; series: " + geometry.summary + ")")
        }
        guard aligned.voxels.contains(where: { $0 != 0 }) else {
            throw ImagingError(file: path, "the cement mask is empty (no non-zero voxel)")
        }
        self.init(labels: aligned)
    }
}
