import Foundation
import Imaging
import XCTest

@testable import RateEngine

/// The truth-free QC checks on shapes whose answer is known by construction.
final class TruthFreeChecksTests: XCTestCase {
    /// A layered spine along z (mm), the same in every column: a body of 100 HU cancellous bone between 1.5 mm
    /// endplates of 600 HU at z 20–40, 8 mm discs of 80 HU above and below, then the neighbours' 1.5 mm endplates and
    /// their cancellous bone; `band` adds a 1 mm sclerotic band of 600 HU at z 34–35 inside the body. 1 × 1 × 0.5 mm
    /// voxels, σ 0.6 mm blur. By construction one endplate lies a disc's height beyond each true endplate surface,
    /// two beyond the band's outer face, none within 18 mm beyond the neighbour's endplate.
    private func layered(band: Bool) -> (HUVolume, GridBox) {
        func hu(_ p: SIMD3<Double>) -> Double {
            let z = p.z
            if band, z >= 34, z < 35 { return 600 }
            switch z {
            case 20..<21.5, 38.5..<40, 10.5..<12, 48..<49.5: return 600
            case 21.5..<38.5: return 100
            case 12..<20, 40..<48: return 80
            default: return 100
            }
        }
        let grid = Grid.drawn(size: SIMD3(24, 24, 161), spacing: SIMD3(1, 1, 0.5), samples: 2, hu: hu)
            .smoothed(sigma: [0.6, 0.6, 0.6])
        return grid.asVolume
    }

    /// Endplate surfaces `top`, `bottom` (mm from the first slice) over a 16 × 16 mm footprint in the middle.
    private func endplates(_ box: GridBox, top: Double, bottom: Double) -> [SIMD2<Double>] {
        (0..<box.plane).map { n in
            let (i, j) = (n % box.size.x, n / box.size.x)
            return (4..<20).contains(i) && (4..<20).contains(j) ? SIMD2(top, bottom) : SIMD2(.nan, .nan)
        }
    }

    private func ridges(band: Bool, top: Double, bottom: Double) -> (top: Int?, bottom: Int?) {
        let (volume, box) = layered(band: band)
        return EndplateNeighbourhood(volume, box: box, endplates: endplates(box, top: top, bottom: bottom),
                                     cementThresholdHU: 1000, parameters: .init()).ridges
    }

    func testTrueEndplatesAreEachFollowedByOneDiscAndOneEndplate() {
        let found = ridges(band: false, top: 40, bottom: 20)
        XCTAssertEqual(found.top, 1)
        XCTAssertEqual(found.bottom, 1)
    }

    func testScleroticBandTakenForTheEndplateIsFlagged() {
        let found = ridges(band: true, top: 35, bottom: 20)
        XCTAssertEqual(found.top, 2, "beyond the band: the true endplate and the neighbour's")
        XCTAssertEqual(found.bottom, 1)
        let (volume, box) = layered(band: true)
        XCTAssertTrue(EndplateNeighbourhood(volume, box: box, endplates: endplates(box, top: 35, bottom: 20),
                                            cementThresholdHU: 1000, parameters: .init()).isImplausible)
    }

    func testBodyLeakedThroughTheDiscIsFlagged() {
        // The top taken at the neighbour's endplate (the disc counted as body): only cancellous bone beyond.
        let found = ridges(band: false, top: 49.5, bottom: 20)
        XCTAssertEqual(found.top, 0)
        XCTAssertEqual(found.bottom, 1)
    }

    func testProfileCutByTheScanRangeIsNotJudged() {
        // 18 mm beyond a top at 70 mm lies past the volume's last slice (80 mm): too little to tell.
        XCTAssertNil(ridges(band: false, top: 70, bottom: 20).top)
    }

    /// Closed forms: the largest absolute DR change and relative body change over the perturbations.
    func testStabilityIsTheLargestChangeUnderPerturbation() {
        let p = SegmentationStability.Parameters()
        let stable = SegmentationStability(rate: 10, bodyML: 30, perturbed: [(10.5, 31), (9.8, 29.5)], parameters: p)
        XCTAssertEqual(stable.rateChangePP, 0.5, accuracy: 1e-12)
        XCTAssertEqual(stable.bodyChange, 1.0 / 30, accuracy: 1e-12)
        XCTAssertFalse(stable.isUnstable)
        XCTAssertTrue(SegmentationStability(rate: 10, bodyML: 30, perturbed: [(11.5, 30), (10, 30)], parameters: p).isUnstable)
        XCTAssertTrue(SegmentationStability(rate: 10, bodyML: 30, perturbed: [(10, 33), (10, 30)], parameters: p).isUnstable,
                      "a body 10 % larger exceeds the 8 % limit")
        let lost = SegmentationStability(rate: 10, bodyML: 30, perturbed: [nil, (10, 30)], parameters: p)
        XCTAssertTrue(lost.isUnstable)
        XCTAssertEqual(lost.rateChangePP, .infinity)
    }

    func testPerturbedSegmentersMoveEveryParameterBothWays() {
        let base = VertebralBodySegmenter(), p = SegmentationStability.Parameters()
        let variants = SegmentationStability.perturbed(base, p)
        XCTAssertEqual(variants.count, 2)
        XCTAssertEqual(variants[0].boneThresholdHU, base.boneThresholdHU * 0.8, accuracy: 1e-3)
        XCTAssertEqual(variants[1].boneThresholdHU, base.boneThresholdHU * 1.2, accuracy: 1e-3)
        XCTAssertEqual(variants[0].ridgeProminenceHU, base.ridgeProminenceHU - 25)
        XCTAssertEqual(variants[0].outline.ridgeNoiseMultiple, base.outline.ridgeNoiseMultiple - 1)
        XCTAssertEqual(variants[1].outline.corticalThicknessMM, base.outline.corticalThicknessMM - 0.3, accuracy: 1e-12)
    }

    /// The interval's half-width is z·σ with the stability term (change / stabilitySigmas) added in quadrature.
    func testIntervalWidensWithInstability() {
        let p = DistributionRateInterval.Parameters()
        func interval(_ change: Double?) -> DistributionRateInterval {
            DistributionRateInterval(rate: 20, bodyML: 30, outlineAreaMM2: 1200, thresholdRange: [19.5, 20.5],
                                     endplateAmbiguityMM: 0, noiseHU: 20, stabilityPP: change, flags: [], parameters: p)
        }
        let base = interval(nil), shaken = interval(3)
        let sigma0 = (base.upper - base.lower) / 2 / p.z
        let expected = p.z * (sigma0 * sigma0 + pow(3 / p.stabilitySigmas, 2)).squareRoot()
        XCTAssertEqual((shaken.upper - shaken.lower) / 2, expected, accuracy: 1e-9)
        XCTAssertEqual(interval(0).upper, base.upper, accuracy: 1e-12)
    }
}
