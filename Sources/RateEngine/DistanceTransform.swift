/// Exact Euclidean distance transform (Felzenszwalb & Huttenlocher's lower envelope of parabolas), separable
/// over the axes with anisotropic spacing: O(N) instead of O(N·r³) for morphology with large balls.
enum DistanceTransform {
    /// Squared distance (mm²) from every voxel to the nearest voxel where `target` is true (∞ if none).
    static func squaredDistance(to target: [Bool], size: SIMD3<Int>, spacing: SIMD3<Double>) -> [Double] {
        var d = target.map { $0 ? 0.0 : Double.infinity }
        for axis in 0..<3 where size[axis] > 1 {
            let length = size[axis]
            let stride = axis == 0 ? 1 : (axis == 1 ? size.x : size.x * size.y)
            let weight = spacing[axis] * spacing[axis]
            var line = [Double](repeating: 0, count: length), out = line
            var v = [Int](repeating: 0, count: length), z = [Double](repeating: 0, count: length + 1)
            let others = size.x * size.y * size.z / length
            for o in 0..<others {
                let start: Int
                switch axis {
                case 0: start = o * size.x
                case 1: start = (o / size.x) * size.x * size.y + o % size.x
                default: start = o
                }
                for t in 0..<length { line[t] = d[start + t * stride] }
                envelope(line, weight: weight, v: &v, z: &z, into: &out)
                for t in 0..<length { d[start + t * stride] = out[t] }
            }
        }
        return d
    }

    /// 1D transform: out[q] = min_p (f[p] + weight·(q − p)²).
    private static func envelope(_ f: [Double], weight: Double, v: inout [Int], z: inout [Double], into out: inout [Double]) {
        let n = f.count
        var k = -1
        for q in 0..<n where f[q].isFinite {
            if k < 0 {
                k = 0
                v[0] = q
                z[0] = -.infinity
                z[1] = .infinity
                continue
            }
            var s: Double
            repeat {
                let p = v[k]
                s = ((f[q] + weight * Double(q * q)) - (f[p] + weight * Double(p * p))) / (2 * weight * Double(q - p))
                if s <= z[k] { k -= 1 } else { break }
            } while k >= 0
            k += 1
            v[k] = q
            z[k] = k == 0 ? -.infinity : s
            z[k + 1] = .infinity
        }
        guard k >= 0 else {
            for q in 0..<n { out[q] = .infinity }
            return
        }
        var j = 0
        for q in 0..<n {
            while z[j + 1] < Double(q) { j += 1 }
            let d = Double(q - v[j])
            out[q] = f[v[j]] + weight * d * d
        }
    }
}
