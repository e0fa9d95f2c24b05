import Foundation
import Imaging
import XCTest

@testable import RateEngine

/// The neighbours' cross-sections on three stacked elliptic cylinders drawn from their definition, so the areas are
/// closed forms (π·a·b): the treated body (semi-axes 20 × 15 mm, 20 mm tall, a 2000 HU cement ellipsoid inside),
/// the neighbour above 21 × 16 mm (1055.6 mm²) and the one below 19 × 14 mm (835.7 mm²), each with a 0.6 mm,
/// 600 HU cortex and 1.2 mm endplates around 100 HU cancellous bone, 8 mm discs (80 HU) between them, 40 HU soft
/// tissue; voxels 0.7 × 0.7 × 1 mm, 3 × 3 × 3 supersampled, blurred with σ 0.5 mm.
final class NeighbourCrossSectionsTests: XCTestCase {
    private let height = 20.0, disc = 8.0

    private func draw() -> HUVolume {
        let spacing = SIMD3(0.7, 0.7, 1.0)
        let size = SIMD3(92, 92, 96)
        let centre = SIMD3<Double>(size) * spacing / 2
        let period = height + disc
        func hu(_ p: SIMD3<Double>) -> Double {
            let d = p - centre
            let c = d / SIMD3(8, 6, 5)
            if (c * c).sum() < 1 { return 2000 }
            // Which body: 0 the treated one, +1 above, −1 below; z from that body's middle.
            let level = (d.z / period).rounded()
            let z = d.z - level * period
            let (a, b) = level > 0 ? (21.0, 16.0) : (level < 0 ? (19.0, 14.0) : (20.0, 15.0))
            let rho = (d.x * d.x + d.y * d.y).squareRoot()
            let r = rho > 0 ? a * b / ((b * d.x / rho) * (b * d.x / rho) + (a * d.y / rho) * (a * d.y / rho)).squareRoot() : a
            guard rho < r else { return 40 }
            if abs(z) >= height / 2 { return 80 }
            return r - rho < 0.6 || height / 2 - abs(z) < 1.2 ? 600 : 100
        }
        return Grid.drawn(size: size, spacing: spacing, samples: 3, hu: hu).smoothed(sigma: [0.5, 0.5, 0.5]).asVolume.volume
    }

    func testNeighboursAreasAreTheirEllipses() {
        let volume = draw()
        let g = volume.geometry
        // The drawing's centre, at half the grid's extent in mm from the first voxel's centre.
        let middle = Double(g.size.z) / 2
        let axis = SIMD2(Double(g.size.x) / 2, Double(g.size.y) / 2)
        // The treated body's surfaces along its axis, 10 mm above and below its middle (1 mm slices).
        let areas = NeighbourCrossSections().areas(volume, centre: axis, top: middle + height / 2, bottom: middle - height / 2)
        XCTAssertEqual(areas.count, 2)
        guard areas.count == 2 else { return }
        XCTAssertEqual(areas[0], Double.pi * 21 * 16, accuracy: 0.03 * Double.pi * 21 * 16, "above")
        XCTAssertEqual(areas[1], Double.pi * 19 * 14, accuracy: 0.03 * Double.pi * 19 * 14, "below")
    }

    /// The treated body's own 942.5 mm² lies within the ratios' range of both neighbours (0.89 and 1.13); an outline
    /// that lost 40 % of it (565.5 mm²) does not, nor does one that took in 40 % more than the larger neighbour.
    func testACrossSectionUnlikeBothNeighboursIsFlagged() {
        let check = NeighbourCrossSections()
        let neighbours = [Double.pi * 21 * 16, Double.pi * 19 * 14]
        func ratios(_ area: Double, _ to: [Double]) -> [Double] { to.map { area / $0 } }
        XCTAssertFalse(check.isUnlike(ratios(Double.pi * 20 * 15, neighbours)))
        XCTAssertTrue(check.isUnlike(ratios(0.6 * Double.pi * 20 * 15, neighbours)))
        XCTAssertTrue(check.isUnlike(ratios(1.4 * Double.pi * 21 * 16, neighbours)))
        // Unlike one neighbour only (a neighbour traced wrongly, or a level between a lumbar and a thoracic body).
        XCTAssertFalse(check.isUnlike(ratios(Double.pi * 20 * 15, [Double.pi * 21 * 16, 0.5 * Double.pi * 19 * 14])))
        XCTAssertFalse(check.isUnlike([]))
    }
}
