import ArgumentParser
import Imaging

/// `cement convert`: a CT series to NIfTI.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Write a CT series as a NIfTI-1 volume in HU (.nii or .nii.gz).",
        discussion: """
            The affine maps voxel indices to RAS millimetres (DICOM LPS with x and y negated), in both \
            the sform and the qform, so 3D Slicer and ITK-SNAP overlay the file on the DICOM series.

            Example:
              cement convert scan/ scan.nii.gz
            """
    )

    @Argument(help: "A folder or DICOM files of the series.", completion: .file())
    var series: String

    @Argument(help: "Output path ending in .nii or .nii.gz.", completion: .file())
    var output: String

    @Option(name: .customLong("series"), help: "SeriesInstanceUID to convert (default: the series cement rate would measure; see its --help).")
    var seriesUID: String?

    @Flag(help: "Interpolate series with gaps or uneven slice steps onto a uniform grid instead of failing.")
    var resample = false

    func validate() throws {
        guard output.hasSuffix(".nii") || output.hasSuffix(".nii.gz") else {
            throw ValidationError("the output must end in .nii or .nii.gz: \(output)")
        }
    }

    func run() throws {
        let loaded = try SeriesLoader(resampleIrregularSpacing: resample).load(paths: [series], seriesUID: seriesUID)
        try NIfTIWriter.write(loaded.volume, to: output)
        let size = loaded.volume.geometry.size
        Terminal.note("wrote \(output): \(size.x) × \(size.y) × \(size.z) voxels"
                      + (loaded.wasResampled ? " (resampled to uniform slice spacing)" : ""))
        if loaded.clampedVoxelCount > 0 {
            Terminal.warning("\(loaded.clampedVoxelCount) voxel(s) outside the Int16 HU range were clamped")
        }
    }
}
