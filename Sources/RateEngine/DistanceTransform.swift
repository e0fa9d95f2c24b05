import Foundation
import Imaging

/// Exact Euclidean distance transform (Felzenszwalb & Huttenlocher's lower envelope of parabolas), separable
/// over the axes with anisotropic spacing: O(N) instead of O(N·r³) for morphology with large balls.
enum DistanceTransform {
    /// Squared distance (mm²) from every voxel to the nearest voxel where `target` is true (∞ if none).
    static func squaredDistance(to target: [Bool], size: SIMD3<Int>, spacing: SIMD3<Double>) -> [Double] {
        var d = [Double](repeating: .infinity, count: target.count)
        let axes = (0..<3).filter { size[$0] > 1 }
        guard let first = axes.first else {
            for n in target.indices where target[n] { d[n] = 0 }
            return d
        }
        d.withUnsafeMutableBufferPointer { buffer in
            let field = SharedBuffer(buffer)
            target.withUnsafeBufferPointer { target in
                let flags = SharedBuffer(UnsafeMutableBufferPointer(mutating: target))
                for axis in axes {
                    let length = size[axis]
                    let stride = axis == 0 ? 1 : (axis == 1 ? size.x : size.x * size.y)
                    let weight = spacing[axis] * spacing[axis]
                    let lines = target.count / length
                    // Big volumes are split over the cores; a slice's transform (already run per slice in
                    // parallel by its callers) stays on one thread.
                    let groups = target.count >= 1 << 18 ? min(lines, 2 * ProcessInfo.processInfo.activeProcessorCount) : 1
                    let work: @Sendable (Int) -> Void = { group in
                        let scratch = Scratch(length: length)
                        defer { scratch.deallocate() }
                        for o in (lines * group / groups)..<(lines * (group + 1) / groups) {
                            let start: Int
                            switch axis {
                            case 0: start = o * size.x
                            case 1: start = (o / size.x) * size.x * size.y + o % size.x
                            default: start = o
                            }
                            if axis == first {
                                nearestAlongLine(flags, start: start, step: stride, length: length, weight: weight,
                                                 into: field)
                                continue
                            }
                            var finite = false
                            for t in 0..<length {
                                scratch.line[t] = field[start + t * stride]
                                finite = finite || scratch.line[t].isFinite
                            }
                            // A line with no target voxel within reach stays infinite.
                            guard finite else { continue }
                            envelope(scratch, length: length, weight: weight)
                            for t in 0..<length { field[start + t * stride] = scratch.out[t] }
                        }
                    }
                    if groups == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: groups, execute: work) }
                }
            }
        }
        return d
    }

    /// First axis of a binary target: weight·(distance to the nearest target voxel along the line)², by one
    /// sweep each way.
    private static func nearestAlongLine(_ target: SharedBuffer<Bool>, start: Int, step: Int, length: Int,
                                         weight: Double, into field: SharedBuffer<Double>) {
        var last = -1
        for t in 0..<length {
            if target[start + t * step] { last = t }
            if last >= 0 {
                let d = Double(t - last)
                field[start + t * step] = weight * d * d
            }
        }
        last = -1
        for t in (0..<length).reversed() {
            if target[start + t * step] { last = t }
            if last >= 0 {
                let d = Double(last - t)
                field[start + t * step] = min(field[start + t * step], weight * d * d)
            }
        }
    }

    /// One line's working storage, reused along the lines of a pass (unchecked pointers: the envelope's inner
    /// loop is the hot path of every morphology step).
    private struct Scratch {
        let line: UnsafeMutablePointer<Double>, out: UnsafeMutablePointer<Double>
        let v: UnsafeMutablePointer<Int>, z: UnsafeMutablePointer<Double>

        init(length: Int) {
            line = .allocate(capacity: length)
            out = .allocate(capacity: length)
            v = .allocate(capacity: length)
            z = .allocate(capacity: length + 1)
        }

        func deallocate() {
            line.deallocate()
            out.deallocate()
            v.deallocate()
            z.deallocate()
        }
    }

    /// 1D transform of `scratch.line` into `scratch.out`: out[q] = min_p (f[p] + weight·(q − p)²).
    private static func envelope(_ scratch: Scratch, length n: Int, weight: Double) {
        let (f, out, v, z) = (scratch.line, scratch.out, scratch.v, scratch.z)
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
        var j = 0
        for q in 0..<n {
            while z[j + 1] < Double(q) { j += 1 }
            let d = Double(q - v[j])
            out[q] = f[v[j]] + weight * d * d
        }
    }
}
