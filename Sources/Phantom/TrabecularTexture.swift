import Foundation

/// A band-limited random field of unit variance standing in for the trabecular pattern of cancellous bone: a sum of
/// cosines with random phases and wave vectors drawn from a Gaussian spectrum, T(p) = √(2/N) Σ cos(kₙ·p + φₙ) with
/// kₙ ~ N(0, I/ℓ²). Its covariance is exp(−r²/(2ℓ²)) (correlation length ℓ). Evaluated anywhere without a grid, so
/// it does not depend on the scan's voxels or on threads.
struct TrabecularTexture: Sendable {
    private let waves: [SIMD4<Double>]  // kx, ky, kz, phase

    static let waveCount = 48

    init(seed: UInt64, length: Double) {
        var rng = SeededGenerator(seed: seed, stream: "world-texture")
        waves = (0..<Self.waveCount).map { _ in
            SIMD4(rng.gaussian() / length, rng.gaussian() / length, rng.gaussian() / length, rng.uniform(0, 2 * .pi))
        }
    }

    func value(at p: SIMD3<Double>) -> Double {
        var sum = 0.0
        for wave in waves { sum += cos(wave.x * p.x + wave.y * p.y + wave.z * p.z + wave.w) }
        return sum * (2 / Double(Self.waveCount)).squareRoot()
    }

    /// Variance left of the field after a Gaussian blur of standard deviation σ (mm) along one axis:
    /// (ℓ² / (ℓ² + 2σ²))^½ (its spectrum exp(−k²ℓ²/2) times the blur's exp(−k²σ²)).
    static func varianceShare(length: Double, blur sigma: Double) -> Double {
        (length * length / (length * length + 2 * sigma * sigma)).squareRoot()
    }
}
