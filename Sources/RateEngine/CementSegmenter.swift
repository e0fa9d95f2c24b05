import Foundation
import Imaging

/// Finds bone cement: voxels at or above a threshold, grouped into 26-connected components, and components
/// grouped into vertebral levels by their overlap along the slice axis.
struct CementSegmenter {
    var thresholdHU: Double
    /// Components smaller than this (ml) are noise or metal specks, not cement.
    var minimumComponentML = 0.01

    struct Component {
        var voxels: [Int]
        var low: SIMD3<Int>
        var high: SIMD3<Int>
    }

    func components(_ volume: HUVolume) -> [Component] {
        let threshold = Int16(max(-32768, min(32767, thresholdHU.rounded(.up))))
        return components(of: Self.indices(of: volume, atLeast: threshold), in: volume.geometry)
    }

    /// The components of a cement mask's non-zero voxels.
    func components(mask: LabelVolume) -> [Component] {
        components(of: mask.voxels.indices.filter { mask.voxels[$0] != 0 }, in: mask.geometry)
    }

    /// The 26-connected components of `voxels` (ascending linear indices), small ones dropped.
    private func components(of voxels: [Int], in g: VolumeGeometry) -> [Component] {
        let labels = ConnectedComponents(voxels: voxels, size: g.size)
        let minimumVoxels = Int((minimumComponentML * 1000 / g.voxelVolume).rounded(.up))
        var components: [Component] = labels.sizes.map { _ in Component(voxels: [], low: g.size, high: SIMD3(repeating: -1)) }
        for (position, label) in labels.labels.enumerated() {
            let n = voxels[position]
            let p = SIMD3(n % g.size.x, (n / g.size.x) % g.size.y, n / (g.size.x * g.size.y))
            components[Int(label) - 1].voxels.append(n)
            components[Int(label) - 1].low = pointwiseMin(components[Int(label) - 1].low, p)
            components[Int(label) - 1].high = pointwiseMax(components[Int(label) - 1].high, p)
        }
        return components.filter { $0.voxels.count >= minimumVoxels }
    }

    /// Ascending linear indices of the voxels at or above `threshold`. This scan is the only step that reads the
    /// whole series, so it runs in parallel over slab ranges and skips 32 voxels at a time where none qualifies
    /// (cement is well under 1 % of a scan).
    static func indices(of volume: HUVolume, atLeast threshold: Int16) -> [Int] {
        let count = volume.voxels.count
        let chunks = max(1, min(64, count / (1 << 16)))
        var found = [[Int]](repeating: [], count: chunks)
        volume.voxels.withUnsafeBufferPointer { values in
            let source = SharedBuffer(UnsafeMutableBufferPointer(mutating: values))
            found.withUnsafeMutableBufferPointer { buffer in
                let results = SharedBuffer(buffer)
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    let start = count * chunk / chunks, end = count * (chunk + 1) / chunks
                    let limit = SIMD32<Int16>(repeating: threshold)
                    let raw = UnsafeRawPointer(source.base)
                    var list: [Int] = []
                    var n = start
                    while n + 32 <= end {
                        let lanes = raw.loadUnaligned(fromByteOffset: n * 2, as: SIMD32<Int16>.self)
                        if any(lanes .>= limit) {
                            for m in n..<(n + 32) where source[m] >= threshold { list.append(m) }
                        }
                        n += 32
                    }
                    for m in n..<end where source[m] >= threshold { list.append(m) }
                    results[chunk] = list
                }
            }
        }
        return Array(found.joined())
    }

    /// Components whose slice ranges lie within `gap` mm of each other form one level; levels are returned
    /// largest first.
    func levels(_ components: [Component], spacing: SIMD3<Double>, gap: Double = 10) -> [[Component]] {
        let sorted = components.sorted { ($0.low.z, $0.voxels[0]) < ($1.low.z, $1.voxels[0]) }
        var levels: [[Component]] = []
        var currentHigh = Int.min
        for component in sorted {
            if let _ = levels.last, Double(component.low.z - currentHigh) * spacing.z <= gap {
                levels[levels.count - 1].append(component)
                currentHigh = max(currentHigh, component.high.z)
            } else {
                levels.append([component])
                currentHigh = component.high.z
            }
        }
        return levels.sorted { a, b in
            (a.reduce(0) { $0 + $1.voxels.count }, b[0].low.z) > (b.reduce(0) { $0 + $1.voxels.count }, a[0].low.z)
        }
    }
}
