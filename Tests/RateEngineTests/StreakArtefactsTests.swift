import Foundation
import Imaging
import XCTest

@testable import RateEngine

/// Streaks drawn from their definition: 50 HU soft tissue with Gaussian noise (σ 20 HU), and on the ten slices
/// "through the cement" bands A·cos(8θ)·e^(−r/40 mm) around the centre. Over the 25–50 mm annulus the bands' RMS
/// is A·√(mean of e^(−2r/40))/√2 ≈ 0.28·A (analytic, area-weighted), which the excess spread estimates.
final class StreakArtefactsTests: XCTestCase {
    private func excess(amplitude: Double) throws -> Double {
        let size = SIMD3(120, 120, 40), spacing = SIMD3(1.0, 1.0, 1.0)
        var volume = HUVolume(geometry: VolumeGeometry(size: size, spacing: spacing, origin: .zero), repeating: 0)
        var state: UInt64 = 12345
        func gaussian() -> Double {
            // Box–Muller on a 64-bit LCG: deterministic noise for the test.
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u = (Double(state >> 11) + 0.5) / Double(1 << 53)
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let v = Double(state >> 11) / Double(1 << 53)
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
        for k in 0..<size.z {
            for j in 0..<size.y {
                for i in 0..<size.x {
                    let dx = Double(i) - 60, dy = Double(j) - 60, r = (dx * dx + dy * dy).squareRoot()
                    let streak = (15..<25).contains(k) ? amplitude * cos(8 * atan2(dy, dx)) * exp(-r / 40) : 0
                    volume[i, j, k] = Int16((50 + streak + 20 * gaussian()).rounded())
                }
            }
        }
        return try XCTUnwrap(StreakArtefacts.excessSpread(volume, box: GridBox(size: size, spacing: spacing, offset: .zero),
                                                           cementCentre: [60, 60, 20], cementSlices: 15...24))
    }

    func testExcessSpreadFollowsTheStreakAmplitude() throws {
        XCTAssertLessThan(try excess(amplitude: 0), 3)
        // RMS of A·cos(8θ)·e^(−r/40) over 25 ≤ r ≤ 50 mm: A/√2 · √(∫ e^(−r/20) r dr / ∫ r dr) = 0.276·A.
        let rms = 60 * 0.276
        XCTAssertEqual(try excess(amplitude: 60), rms, accuracy: 0.3 * rms)
        XCTAssertGreaterThanOrEqual(try excess(amplitude: 60), 12, "60 HU streaks are heavy")
    }
}
