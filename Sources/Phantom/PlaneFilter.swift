import Foundation

/// Separable Gaussian filtering of one image plane, for the in-plane parts of the scanner model (correlated noise,
/// the bone kernel's unsharp mask).
struct PlaneFilter: Sendable {
    /// Normalised weights over ±3σ (σ in pixels); a single tap when σ is negligible.
    let weights: [Double]

    init(sigma: Double) {
        guard sigma > 0.05 else {
            weights = [1]
            return
        }
        let radius = Int((3 * sigma).rounded(.up))
        let raw = (-radius...radius).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let total = raw.reduce(0, +)
        weights = raw.map { $0 / total }
    }

    var radius: Int { weights.count / 2 }

    /// Standard deviation of white noise of unit variance after this filter along both axes: √(Σw² · Σw²) = Σw².
    var whiteNoiseGain: Double { weights.reduce(0) { $0 + $1 * $1 } }

    /// Filters `plane` (nx × ny) with the edge values repeated beyond the border.
    func apply(_ plane: inout [Double], nx: Int, ny: Int) {
        guard weights.count > 1 else { return }
        let r = radius
        var row = [Double](repeating: 0, count: max(nx, ny) + 2 * r)
        for j in 0..<ny {
            for i in 0..<(nx + 2 * r) { row[i] = plane[j * nx + min(nx - 1, max(0, i - r))] }
            for i in 0..<nx {
                var sum = 0.0
                for (t, w) in weights.enumerated() { sum += w * row[i + t] }
                plane[j * nx + i] = sum
            }
        }
        for i in 0..<nx {
            for j in 0..<(ny + 2 * r) { row[j] = plane[min(ny - 1, max(0, j - r)) * nx + i] }
            for j in 0..<ny {
                var sum = 0.0
                for (t, w) in weights.enumerated() { sum += w * row[j + t] }
                plane[j * nx + i] = sum
            }
        }
    }

    /// White Gaussian noise of unit variance filtered by this kernel and rescaled to unit variance again. The noise is
    /// drawn over the plane plus a border as wide as the kernel, so every output sample sees a full kernel and the
    /// variance is exact.
    func correlatedNoise(nx: Int, ny: Int, using rng: inout SeededGenerator) -> [Double] {
        let r = radius
        let (wx, wy) = (nx + 2 * r, ny + 2 * r)
        var field = [Double](repeating: 0, count: wx * wy)
        var index = 0
        while index < field.count {
            let pair = rng.gaussianPair()
            field[index] = pair.0
            if index + 1 < field.count { field[index + 1] = pair.1 }
            index += 2
        }
        let norm = 1 / whiteNoiseGain
        var rows = [Double](repeating: 0, count: nx * wy)
        for j in 0..<wy {
            for i in 0..<nx {
                var sum = 0.0
                for (t, w) in weights.enumerated() { sum += w * field[j * wx + i + t] }
                rows[j * nx + i] = sum
            }
        }
        var out = [Double](repeating: 0, count: nx * ny)
        for j in 0..<ny {
            for i in 0..<nx {
                var sum = 0.0
                for (t, w) in weights.enumerated() { sum += w * rows[(j + t) * nx + i] }
                out[j * nx + i] = sum * norm
            }
        }
        return out
    }
}
