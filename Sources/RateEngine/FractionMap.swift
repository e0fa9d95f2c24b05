import Imaging

/// The fraction of each voxel of the series grid that a measured region fills (vertebral body, cement in it, leaked
/// cement), stored for the sub-box that holds the region (zero elsewhere). Its sum times the voxel volume is the
/// region's reported volume: the map reproduces the numbers, a mask thresholded at 0.5 only approximately.
public struct FractionMap: Sendable {
    /// The series grid.
    public let geometry: VolumeGeometry
    /// First voxel and size of the stored sub-box on the series grid.
    public let low: SIMD3<Int>, size: SIMD3<Int>
    /// Fractions of the sub-box, i fastest. Cement fractions are the partial-volume estimate and may stray a little
    /// outside 0–1 in noise; body fractions lie in 0–1.
    public private(set) var values: [Float]

    /// A zero map on the sub-box from `low` of `size` voxels (clipped to the grid).
    public init(geometry: VolumeGeometry, low: SIMD3<Int>, size: SIMD3<Int>) {
        self.geometry = geometry
        let first = pointwiseMax(low, SIMD3(repeating: 0))
        let last = pointwiseMin(low &+ size, geometry.size)
        self.low = first
        self.size = pointwiseMax(last &- first, SIMD3(repeating: 0))
        values = [Float](repeating: 0, count: self.size.x * self.size.y * self.size.z)
    }

    /// The fraction at voxel (i, j, k) of the series grid; zero outside the sub-box, where it cannot be set.
    public subscript(i: Int, j: Int, k: Int) -> Float {
        get {
            let (a, b, c) = (i - low.x, j - low.y, k - low.z)
            guard a >= 0, b >= 0, c >= 0, a < size.x, b < size.y, c < size.z else { return 0 }
            return values[(c * size.y + b) * size.x + a]
        }
        set {
            let (a, b, c) = (i - low.x, j - low.y, k - low.z)
            guard a >= 0, b >= 0, c >= 0, a < size.x, b < size.y, c < size.z else { return }
            values[(c * size.y + b) * size.x + a] = newValue
        }
    }

    /// This map plus `other` voxel by voxel, on this map's sub-box (where `other` is zero outside its own).
    public func adding(_ other: FractionMap) -> FractionMap {
        var sum = self
        for k in 0..<size.z {
            for j in 0..<size.y {
                for i in 0..<size.x {
                    sum.values[(k * size.y + j) * size.x + i] += other[i + low.x, j + low.y, k + low.z]
                }
            }
        }
        return sum
    }

    /// Σ fraction × voxel volume (ml).
    public var volumeML: Double {
        values.reduce(0.0) { $0 + Double($1) } * geometry.voxelVolume / 1000
    }

    /// The map on the whole series grid (for NIfTI export).
    public func dense() -> Volume<Float> {
        var volume = Volume<Float>(geometry: geometry, repeating: 0)
        for k in 0..<size.z {
            for j in 0..<size.y {
                for i in 0..<size.x { volume[i + low.x, j + low.y, k + low.z] = values[(k * size.y + j) * size.x + i] }
            }
        }
        return volume
    }

    /// A binary mask (1 inside) at the volume-preserving level: the voxels with the largest fractions, as many as
    /// make up `targetML` (the reported volume) counted whole, so that a 3D Slicer or ITK-SNAP labelmap count of the
    /// mask reproduces the number; the 0.5 level does so only approximately (it gains or loses the partial voxels of
    /// one side of a curved surface). `threshold` is the smallest fraction taken. Where many voxels share that
    /// fraction (a slice cutting an endplate gives a whole layer of equal values), every (n/m)-th of them in voxel
    /// order is taken, spreading the part of the layer that is needed evenly over it.
    public func binaryMask(preserving targetML: Double) -> (mask: LabelVolume, threshold: Float, volumeML: Double) {
        let positive = values.filter { $0 > 0 }.sorted(by: >)
        let voxelML = geometry.voxelVolume / 1000
        let wanted = max(0, min(positive.count, Int((targetML / voxelML).rounded())))
        let threshold = wanted == 0 ? Float.infinity : positive[wanted - 1]
        let above = positive.prefix { $0 > threshold }.count
        let ties = wanted == 0 ? 0 : positive[above...].prefix { $0 == threshold }.count
        let fromTies = wanted - above
        var mask = LabelVolume(geometry: geometry, repeating: 0)
        var count = 0, tie = 0
        for k in 0..<size.z {
            for j in 0..<size.y {
                for i in 0..<size.x {
                    let value = values[(k * size.y + j) * size.x + i]
                    guard value >= threshold else { continue }
                    if value == threshold {
                        // Take tie m (0-based) when ⌊(m + 1)·n/t⌋ > ⌊m·n/t⌋: n of the t ties, evenly spaced.
                        defer { tie += 1 }
                        guard (tie + 1) * fromTies / ties > tie * fromTies / ties else { continue }
                    }
                    mask[i + low.x, j + low.y, k + low.z] = 1
                    count += 1
                }
            }
        }
        return (mask, threshold, Double(count) * voxelML)
    }
}
