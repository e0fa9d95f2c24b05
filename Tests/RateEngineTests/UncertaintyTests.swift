import Foundation
import Imaging
@testable import Phantom
import XCTest

@testable import RateEngine

final class UncertaintyTests: XCTestCase {
    /// White Gaussian noise of a known standard deviation (the generator's) over flat soft tissue with a fat layer:
    /// the estimate must come within 5 % of it, and ignore the cement.
    func testNoiseEstimateOfWhiteNoise() throws {
        for sigma in [10.0, 25.0, 60.0] {
            let size = SIMD3(64, 64, 12)
            var rng = SeededGenerator(seed: 5, stream: "noise-test")
            var volume = HUVolume(geometry: VolumeGeometry(size: size, spacing: [0.8, 0.8, 1], origin: .zero), repeating: 0)
            var cement = Mask(size: size)
            for k in 0..<size.z {
                for j in 0..<size.y {
                    for i in 0..<size.x {
                        let base: Double = j < 20 ? -100 : (i > 28 && i < 36 && j > 28 && j < 36 ? 2000 : 40)
                        volume[i, j, k] = Int16((base + sigma * rng.gaussian()).rounded())
                        if base == 2000 { cement[i, j, k] = true }
                    }
                }
            }
            let box = GridBox(size: size, spacing: [0.8, 0.8, 1], offset: .zero)
            let estimate = try XCTUnwrap(NoiseEstimate(volume, box: box, excluding: cement.dilated(radius: [2, 2, 2], spacing: [0.8, 0.8, 1]),
                                                       parameters: .init()).sigmaHU)
            XCTAssertEqual(estimate, sigma, accuracy: 0.05 * sigma, "σ = \(sigma) HU")
        }
    }

    /// The interval holds the DR, widens with thick slices and noise, and for a body that failed a check is at
    /// least ±1.645 × 10 % of the DR (the flagged body's least relative σ, dominating the other parts).
    func testIntervalWidensWithEachSourceOfUncertainty() {
        func width(_ ambiguity: Double, noise: Double?, flags: [QCFlag] = []) -> (Double, Double, Double) {
            let i = DistributionRateInterval(rate: 20, bodyML: 25, outlineAreaMM2: 1000, thresholdRange: [19.8, 20.2],
                                             endplateAmbiguityMM: ambiguity, noiseHU: noise, flags: flags, parameters: .init())
            return (i.lower, i.upper, i.upper - i.lower)
        }
        let base = width(0, noise: 20)
        XCTAssertLessThan(base.0, 20)
        XCTAssertGreaterThan(base.1, 20)
        XCTAssertGreaterThan(width(0.75, noise: 20).2, base.2)
        XCTAssertGreaterThan(width(0, noise: 70).2, base.2)
        XCTAssertEqual(width(0, noise: 20).2, width(0, noise: 30).2, accuracy: 1e-12, "noise up to the reference adds nothing")
        let flagged = width(0, noise: 20, flags: [.irregularBodyOutline])
        XCTAssertGreaterThanOrEqual(flagged.1 - 20, 1.645 * 0.35 * 20 - 1e-9)
        XCTAssertEqual(width(0, noise: 20, flags: [.thickSlices]).2, base.2, accuracy: 1e-12, "a note does not widen it")
    }
}
