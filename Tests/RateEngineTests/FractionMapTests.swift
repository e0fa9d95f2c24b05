import XCTest

@testable import Imaging
@testable import RateEngine

/// The volume-preserving binary mask on maps whose answer is known by counting.
final class FractionMapTests: XCTestCase {
    private let geometry = VolumeGeometry(size: [10, 10, 3], spacing: [1, 1, 2], origin: [0, 0, 0])

    /// Slice 0 full (100 voxels at 1), slice 1 a layer of 100 ties at 0.5, slice 2 empty: 150 voxels' worth (300 mm³).
    private func layered() -> FractionMap {
        var map = FractionMap(geometry: geometry, low: [0, 0, 0], size: [10, 10, 3])
        for j in 0..<10 {
            for i in 0..<10 {
                map[i, j, 0] = 1
                map[i, j, 1] = 0.5
            }
        }
        return map
    }

    func testTheMaskCountsTheTargetVolumeEvenInsideALayerOfTies() {
        let map = layered()
        XCTAssertEqual(map.volumeML, 0.3, accuracy: 1e-12)
        // 150 voxels wanted: the 100 full ones and half of the 100 ties, every second one.
        let (mask, threshold, volume) = map.binaryMask(preserving: 0.3)
        XCTAssertEqual(threshold, 0.5)
        XCTAssertEqual(volume, 0.3, accuracy: 1e-12)
        XCTAssertEqual(mask.voxels.filter { $0 == 1 }.count, 150)
        XCTAssertEqual((0..<10).map { mask[$0, 0, 1] }, [0, 1, 0, 1, 0, 1, 0, 1, 0, 1])
        XCTAssertEqual(mask[5, 5, 2], 0)
        // The 0.5 level would count all 200 voxels: a third too much.
        XCTAssertEqual(map.dense().voxels.filter { $0 >= 0.5 }.count, 200)
    }

    func testTargetsBeyondTheMapAndNothing() {
        let map = layered()
        XCTAssertEqual(map.binaryMask(preserving: 0).volumeML, 0)
        XCTAssertEqual(map.binaryMask(preserving: 10).volumeML, 0.4, accuracy: 1e-12, "every positive voxel, no more")
    }

    func testWritesOutsideTheSubBoxAreIgnoredAndSumsAdd() {
        var a = FractionMap(geometry: geometry, low: [2, 2, 0], size: [3, 3, 1])
        a[0, 0, 0] = 1
        XCTAssertEqual(a[0, 0, 0], 0)
        a[3, 3, 0] = 0.25
        var b = FractionMap(geometry: geometry, low: [3, 3, 0], size: [1, 1, 1])
        b[3, 3, 0] = 0.5
        XCTAssertEqual(a.adding(b)[3, 3, 0], 0.75)
        XCTAssertEqual(a.adding(b).volumeML, 0.75 * 2 / 1000, accuracy: 1e-15)
    }
}
