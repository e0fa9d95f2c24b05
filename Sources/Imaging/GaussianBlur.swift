import Dispatch
import Foundation

/// Separable Gaussian smoothing of a volume, with per-axis standard deviations in voxels. Edges are handled
/// by clamping (the border voxel is repeated).
public struct GaussianBlur: Sendable {
    public var sigma: SIMD3<Double>

    public init(sigma: SIMD3<Double>) { self.sigma = sigma }

    /// Normalised weights over ±3σ; a single tap when σ is negligible.
    static func kernel(_ sigma: Double) -> [Float] {
        guard sigma > 0.05 else { return [1] }
        let radius = Int((3 * sigma).rounded(.up))
        let weights = (-radius...radius).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let total = weights.reduce(0, +)
        return weights.map { Float($0 / total) }
    }

    public func apply(to volume: inout Volume<Float>) {
        let size = volume.geometry.size
        let kernels = (0..<3).map { Self.kernel(sigma[$0]) }
        volume.voxels.withUnsafeMutableBufferPointer { buffer in
            let data = SharedBuffer(buffer)
            if kernels[0].count > 1 { Self.blurAlongRows(data, size: size, kernel: kernels[0]) }
            // Along y and z the voxels of one output row combine whole input rows (contiguous in x), which keeps
            // memory access sequential: y within each slice, z within each xz-slab.
            if kernels[1].count > 1 {
                Self.blurAcrossRows(data, rowLength: size.x, rows: size.y, groups: size.z, kernel: kernels[1]) { group, row in
                    (group * size.y + row) * size.x
                }
            }
            if kernels[2].count > 1 {
                Self.blurAcrossRows(data, rowLength: size.x, rows: size.z, groups: size.y, kernel: kernels[2]) { group, row in
                    (row * size.y + group) * size.x
                }
            }
        }
    }

    private static func blurAlongRows(_ data: SharedBuffer<Float>, size: SIMD3<Int>, kernel: [Float]) {
        let radius = kernel.count / 2, length = size.x
        DispatchQueue.concurrentPerform(iterations: size.z) { k in
            var padded = [Float](repeating: 0, count: length + 2 * radius)
            kernel.withUnsafeBufferPointer { weights in
                padded.withUnsafeMutableBufferPointer { line in
                    for j in 0..<size.y {
                        let start = (k * size.y + j) * size.x
                        for t in 0..<length { line[radius + t] = data[start + t] }
                        for t in 0..<radius {
                            line[t] = line[radius]
                            line[radius + length + t] = line[radius + length - 1]
                        }
                        convolve(weights, source: UnsafePointer(line.baseAddress!), tapStride: 1, count: length,
                                 into: data.base + start)
                    }
                }
            }
        }
    }

    /// Convolves across `rows` rows of `rowLength` voxels, for each of `groups` independent groups; `offset`
    /// gives where row r of group g starts.
    private static func blurAcrossRows(_ data: SharedBuffer<Float>, rowLength: Int, rows: Int, groups: Int,
                                       kernel: [Float], offset: @escaping @Sendable (Int, Int) -> Int) {
        let radius = kernel.count / 2
        DispatchQueue.concurrentPerform(iterations: groups) { group in
            var slab = [Float](repeating: 0, count: (rows + 2 * radius) * rowLength)
            kernel.withUnsafeBufferPointer { weights in
                slab.withUnsafeMutableBufferPointer { slab in
                    for r in 0..<(rows + 2 * radius) {
                        let source = offset(group, min(rows - 1, max(0, r - radius)))
                        for i in 0..<rowLength { slab[r * rowLength + i] = data[source + i] }
                    }
                    for r in 0..<rows {
                        convolve(weights, source: UnsafePointer(slab.baseAddress! + r * rowLength), tapStride: rowLength,
                                 count: rowLength, into: data.base + offset(group, r))
                    }
                }
            }
        }
    }

    /// target[t] = Σ_w weights[w] · source[t + w · tapStride] for t < count: eight outputs at a time in explicit
    /// vectors (the compiler keeps the tap loop scalar), each lane summing its taps in the same order as the tail.
    private static func convolve(_ weights: UnsafeBufferPointer<Float>, source: UnsafePointer<Float>, tapStride: Int,
                                 count: Int, into target: UnsafeMutablePointer<Float>) {
        let raw = UnsafeRawPointer(source)
        var t = 0
        while t + 8 <= count {
            var sum = SIMD8<Float>()
            for w in 0..<weights.count {
                sum += weights[w] * raw.loadUnaligned(fromByteOffset: (t + w * tapStride) * 4, as: SIMD8<Float>.self)
            }
            UnsafeMutableRawPointer(target + t).storeBytes(of: sum, as: SIMD8<Float>.self)
            t += 8
        }
        while t < count {
            var sum: Float = 0
            for w in 0..<weights.count { sum += weights[w] * source[t + w * tapStride] }
            target[t] = sum
            t += 1
        }
    }
}
