import Foundation
import Imaging

/// Writes the masks of every measured level as NIfTI, so that a viewer's labelmap statistics (3D Slicer's Segment
/// Statistics, ITK-SNAP: voxel count × voxel volume) reproduce the reported volumes:
///
/// - `level-N-body-fraction.nii.gz`: float32, each voxel's share inside the body; its sum × voxel volume is the
///   reported `vertebral_body_ml`.
/// - `level-N-body.nii.gz`: uint8, 1 where the body fraction is at or above the volume-preserving level
///   (`FractionMap.binaryMask(preserving:)`), so its voxel count × voxel volume is within a voxel's worth of
///   ties of the reported volume; the level is in `masks.json`.
/// - `level-N-cement.nii.gz`: uint8, 1 for cement in the body and 2 for leaked cement, cut from the cement fraction
///   at the level that preserves the total cement volume (a voxel is 1 where more of its cement lies in the body than
///   outside); the partial-volume maps `level-N-cement-in-body-fraction.nii.gz` and `level-N-leaked-cement-fraction.nii.gz`
///   sum to `cement_in_body_ml` and the cement outside the body.
/// - `ct.nii.gz`: the series in HU; `masks.json`: every file with the volume it holds and the reported one.
public enum MaskExport {
    /// One level's files and the volumes they hold.
    public struct LevelFiles: Sendable, Codable, Equatable {
        public var levelIndex: Int
        public var body: String
        public var bodyFraction: String
        public var cement: String
        public var cementInBodyFraction: String
        public var leakedCementFraction: String
        /// The reported body volume and what the files hold: the fraction map's sum, the binary mask's voxel count
        /// × voxel volume, and the level the mask was cut at.
        public var vertebralBodyML: Double?
        public var bodyFractionML: Double
        public var bodyMaskML: Double
        public var bodyMaskThreshold: Double
        public var cementInBodyML: Double
        public var cementInBodyFractionML: Double
        public var leakedCementFractionML: Double

        enum CodingKeys: String, CodingKey {
            case levelIndex = "level_index", body, bodyFraction = "body_fraction", cement
            case cementInBodyFraction = "cement_in_body_fraction", leakedCementFraction = "leaked_cement_fraction"
            case vertebralBodyML = "vertebral_body_ml", bodyFractionML = "body_fraction_ml", bodyMaskML = "body_mask_ml"
            case bodyMaskThreshold = "body_mask_threshold", cementInBodyML = "cement_in_body_ml"
            case cementInBodyFractionML = "cement_in_body_fraction_ml", leakedCementFractionML = "leaked_cement_fraction_ml"
        }
    }

    /// The manifest written as `masks.json`.
    public struct Manifest: Sendable, Codable, Equatable {
        public var ct: String
        public var voxelVolumeMM3: Double
        public var levels: [LevelFiles]

        enum CodingKeys: String, CodingKey {
            case ct, voxelVolumeMM3 = "voxel_volume_mm3", levels
        }
    }

    /// Writes the CT and every level's masks into `folder`; `result` must have been measured with masks.
    @discardableResult
    public static func write(_ volume: HUVolume, result: RateEngine.Result, to folder: String) throws(ImagingError) -> Manifest {
        try NIfTIWriter.write(volume, to: folder + "/ct.nii.gz", description: "CementReport CT (HU)")
        var levels: [LevelFiles] = []
        for masks in result.masks {
            let level = result.levels.first { $0.levelIndex == masks.levelIndex }
            let prefix = "level-\(masks.levelIndex + 1)-"
            let reported = level?.vertebralBodyML ?? masks.bodyFraction.volumeML
            let binary = masks.bodyFraction.binaryMask(preserving: reported)
            let files = LevelFiles(
                levelIndex: masks.levelIndex, body: prefix + "body.nii.gz", bodyFraction: prefix + "body-fraction.nii.gz",
                cement: prefix + "cement.nii.gz", cementInBodyFraction: prefix + "cement-in-body-fraction.nii.gz",
                leakedCementFraction: prefix + "leaked-cement-fraction.nii.gz", vertebralBodyML: level?.vertebralBodyML,
                bodyFractionML: masks.bodyFraction.volumeML, bodyMaskML: binary.volumeML,
                bodyMaskThreshold: Double(binary.threshold), cementInBodyML: level?.cementInBodyML ?? 0,
                cementInBodyFractionML: masks.cementInBodyFraction.volumeML,
                leakedCementFractionML: masks.leakedCementFraction.volumeML)
            try NIfTIWriter.write(binary.mask, to: folder + "/" + files.body, description: "CementReport body")
            try NIfTIWriter.write(masks.bodyFraction.dense(), to: folder + "/" + files.bodyFraction,
                                  description: "CementReport body fraction")
            let cement = masks.cementInBodyFraction.adding(masks.leakedCementFraction)
            var cementLabels = cement.binaryMask(preserving: cement.volumeML).mask
            for n in cementLabels.voxels.indices where cementLabels.voxels[n] != 0 {
                let g = cementLabels.geometry
                let (i, j, k) = (n % g.size.x, (n / g.size.x) % g.size.y, n / (g.size.x * g.size.y))
                cementLabels.voxels[n] = masks.cementInBodyFraction[i, j, k] >= masks.leakedCementFraction[i, j, k] ? 1 : 2
            }
            try NIfTIWriter.write(cementLabels, to: folder + "/" + files.cement, description: "CementReport cement")
            try NIfTIWriter.write(masks.cementInBodyFraction.dense(), to: folder + "/" + files.cementInBodyFraction,
                                  description: "CementReport cement in body")
            try NIfTIWriter.write(masks.leakedCementFraction.dense(), to: folder + "/" + files.leakedCementFraction,
                                  description: "CementReport leaked cement")
            levels.append(files)
        }
        let manifest = Manifest(ct: "ct.nii.gz", voxelVolumeMM3: volume.geometry.voxelVolume, levels: levels)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try AtomicFile.write(try encoder.encode(manifest), to: folder + "/masks.json", as: ImagingError.self)
        } catch let error as ImagingError {
            throw error
        } catch {
            throw ImagingError(file: folder + "/masks.json", "cannot encode the manifest: \(error)")
        }
        return manifest
    }
}
