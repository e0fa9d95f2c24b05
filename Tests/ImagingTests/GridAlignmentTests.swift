import XCTest

@testable import Imaging

/// Voxel positions here are worked out by hand from the index → patient formula of DICOM (PS3.3 C.7.6.2.1.1),
/// not with `reindexed(onto:)` itself.
final class GridAlignmentTests: XCTestCase {
    /// A 3 × 4 × 2 grid, 0.5 × 0.8 × 2 mm, voxel (i, j, k) valued 100·i + 10·j + k.
    private let series = VolumeGeometry(size: [3, 4, 2], spacing: [0.5, 0.8, 2], origin: [10, 20, 30])
    private var labels: LabelVolume {
        var volume = LabelVolume(geometry: series, repeating: 0)
        for k in 0..<2 { for j in 0..<4 { for i in 0..<3 { volume[i, j, k] = UInt8(100 * i + 10 * j + k) } } }
        return volume
    }

    func testAMaskStoredWithReversedAndSwappedAxesIsReadInTheSeriesOrder() throws {
        // The same 24 voxel centres stored the way a RAS-first NIfTI writer might: its first axis runs along the
        // series' j backwards, its second along i backwards, its third along k. Voxel (a, b, c) of this grid sits
        // at x = 10 + 0.5·(2 − b), y = 20 + 0.8·(3 − a), z = 30 + 2c, which is series voxel (2 − b, 3 − a, c).
        let stored = VolumeGeometry(size: [4, 3, 2], spacing: [0.8, 0.5, 2], origin: [11, 22.4, 30],
                                    rowDirection: [0, -1, 0], columnDirection: [-1, 0, 0], sliceDirection: [0, 0, 1])
        var mask = LabelVolume(geometry: stored, repeating: 0)
        for c in 0..<2 { for b in 0..<3 { for a in 0..<4 { mask[a, b, c] = labels[2 - b, 3 - a, c] } } }
        let aligned = try XCTUnwrap(mask.reindexed(onto: series))
        XCTAssertEqual(aligned.geometry, series)
        XCTAssertEqual(aligned.voxels, labels.voxels)
    }

    func testGridsThatDifferAreRefused() {
        var shifted = series
        shifted.origin.x += 0.25   // half a voxel
        XCTAssertNil(labels.reindexed(onto: shifted))
        var finer = series
        finer.spacing.z = 1.5
        XCTAssertNil(labels.reindexed(onto: finer))
        var smaller = series
        smaller.size.z = 1
        XCTAssertNil(labels.reindexed(onto: smaller))
        var oblique = series
        oblique.rowDirection = [0.8, 0.6, 0]
        oblique.columnDirection = [-0.6, 0.8, 0]
        XCTAssertNil(labels.reindexed(onto: oblique))
    }

    func testANIfTIRoundTripLandsOnTheSeriesGrid() throws {
        // The writer stores RAS (x and y negated); the reader converts back to LPS.
        let path = Fixtures.temporaryFolder() + "/mask.nii.gz"
        try NIfTIWriter.write(labels, to: path)
        let read = try NIfTIReader.readLabels(path)
        XCTAssertEqual(try XCTUnwrap(read.reindexed(onto: series)).voxels, labels.voxels)
    }
}
