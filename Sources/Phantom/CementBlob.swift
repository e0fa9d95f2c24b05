import Foundation

/// An irregular, smooth, star-shaped blob (cement or leaked cement): an ellipsoid whose radius varies with
/// direction by a few smooth bumps, `r(u) = scale · (1 + Σ aₖ · exp(κₖ(u·vₖ − 1)))` in the ellipsoid's frame.
public struct CementBlob: Codable, Sendable, Equatable {
    public struct Bump: Codable, Sendable, Equatable {
        public var direction: SIMD3<Double>
        public var amplitude: Double
        public var concentration: Double
    }

    public var centre: SIMD3<Double>
    /// Semi-axes (mm) along x, y, z before scaling.
    public var semiAxes: SIMD3<Double>
    public var bumps: [Bump]
    /// Uniform size factor; the generator tunes it to reach a requested distribution rate.
    public var scale: Double

    /// Relative radius in unit direction u (in the blob's normalised frame).
    func relativeRadius(_ u: SIMD3<Double>) -> Double {
        var r = 1.0
        for bump in bumps {
            let cosine = (u * bump.direction).sum()
            r += bump.amplitude * exp(bump.concentration * (cosine - 1))
        }
        return r
    }

    public func contains(_ p: SIMD3<Double>) -> Bool {
        let q = (p - centre) / (semiAxes * scale)
        let length = (q * q).sum().squareRoot()
        if length < minRelativeRadius { return true }
        if length > maxRelativeRadius { return false }
        return length < relativeRadius(q / length)
    }

    /// The smallest `scale` at which the blob would contain p (its other parameters unchanged).
    public func criticalScale(_ p: SIMD3<Double>) -> Double {
        let q = (p - centre) / semiAxes
        let length = (q * q).sum().squareRoot()
        guard length > 0 else { return 0 }
        return length / relativeRadius(q / length)
    }

    /// Upper bound of the relative radius (1 plus the positive bump amplitudes).
    public var maxRelativeRadius: Double { 1 + bumps.reduce(0) { $0 + max(0, $1.amplitude) } }

    /// Lower bound of the relative radius (1 plus the negative bump amplitudes).
    public var minRelativeRadius: Double { 1 + bumps.reduce(0) { $0 + min(0, $1.amplitude) } }

    /// Bounding box in patient mm.
    public var bounds: (SIMD3<Double>, SIMD3<Double>) {
        let extent = semiAxes * scale * maxRelativeRadius
        return (centre - extent, centre + extent)
    }

    /// A random blob around `centre` with the given mean semi-axes.
    static func random(centre: SIMD3<Double>, semiAxes: SIMD3<Double>, using rng: inout SeededGenerator) -> CementBlob {
        let bumpCount = 3 + Int(rng.next() % 3)
        var bumps: [Bump] = []
        for _ in 0..<bumpCount {
            var v = SIMD3(rng.gaussian(), rng.gaussian(), rng.gaussian())
            v /= max(1e-9, (v * v).sum().squareRoot())
            bumps.append(Bump(direction: v, amplitude: rng.uniform(-0.15, 0.3), concentration: rng.uniform(2.5, 7)))
        }
        let jitter = SIMD3(rng.uniform(0.8, 1.2), rng.uniform(0.8, 1.2), rng.uniform(0.8, 1.2))
        return CementBlob(centre: centre, semiAxes: semiAxes * jitter, bumps: bumps, scale: 1)
    }
}

extension CementBlob {
    /// Mean of the three semi-axes before scaling (mm): converts a width in mm into scale units.
    public var meanSemiAxis: Double { (semiAxes.x + semiAxes.y + semiAxes.z) / 3 }
}
