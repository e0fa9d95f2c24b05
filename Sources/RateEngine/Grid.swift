import Foundation
import Imaging

/// Where a box sits in a volume: its size, the voxel spacing and the index of its first voxel in the volume.
struct GridBox: Sendable, Equatable {
    var size: SIMD3<Int>
    var spacing: SIMD3<Double>
    var offset: SIMD3<Int>

    var count: Int { size.x * size.y * size.z }
    var plane: Int { size.x * size.y }
    var voxelVolume: Double { spacing.x * spacing.y * spacing.z }

    @inline(__always) func index(_ i: Int, _ j: Int, _ k: Int) -> Int { (k * size.y + j) * size.x + i }

    /// The in-plane binning factor that brings the pixels nearest to `pixelMM` without going below 1.
    func binning(toward pixelMM: Double) -> Int { max(1, Int((pixelMM / min(spacing.x, spacing.y)).rounded())) }

    /// The part of a volume between `low` and `high` (inclusive, clipped to the volume).
    init(_ geometry: VolumeGeometry, low: SIMD3<Int>, high: SIMD3<Int>) {
        offset = pointwiseMax(low, SIMD3(repeating: 0))
        size = pointwiseMin(high, geometry.size &- 1) &- offset &+ 1
        spacing = geometry.spacing
    }

    init(size: SIMD3<Int>, spacing: SIMD3<Double>, offset: SIMD3<Int>) {
        self.size = size
        self.spacing = spacing
        self.offset = offset
    }
}

/// A box cut out of a volume: values as Float, with the box's offset in the parent and the voxel spacing.
struct Grid: Sendable {
    var size: SIMD3<Int>
    var spacing: SIMD3<Double>
    /// Index of the box's first voxel in the parent volume.
    var offset: SIMD3<Int>
    var values: [Float]

    var count: Int { size.x * size.y * size.z }
    var plane: Int { size.x * size.y }
    var voxelVolume: Double { spacing.x * spacing.y * spacing.z }

    @inline(__always) func index(_ i: Int, _ j: Int, _ k: Int) -> Int { (k * size.y + j) * size.x + i }

    /// The voxels of `box` as Float, averaged over `binning` × `binning` pixel blocks of every slice when
    /// `binning` > 1 (partial blocks at the far edges average what they hold); the offset stays the box's.
    init(_ volume: HUVolume, box: GridBox, binning factor: Int = 1) {
        let fine = box.size
        size = SIMD3((fine.x + factor - 1) / factor, (fine.y + factor - 1) / factor, fine.z)
        spacing = box.spacing * SIMD3(Double(factor), Double(factor), 1)
        offset = box.offset
        let origin = box.offset
        values = volume.voxels.withUnsafeBufferPointer { source in
            let input = SharedBuffer(UnsafeMutableBufferPointer(mutating: source))
            return Self.blockMeans(fine: fine, factor: factor) { j, k, row in
                let start = volume.offset(origin.x, origin.y + j, origin.z + k)
                for i in row.indices { row[i] = Float(input[start + i]) }
            }
        }
    }

    init(size: SIMD3<Int>, spacing: SIMD3<Double>, offset: SIMD3<Int>, values: [Float]) {
        self.size = size
        self.spacing = spacing
        self.offset = offset
        self.values = values
    }

    /// Means over `factor` × `factor` pixel blocks of every slice (partial blocks at the far edges average what
    /// they hold); the offset stays that of the full grid.
    func binnedInPlane(_ factor: Int) -> Grid {
        let fine = size
        let means = values.withUnsafeBufferPointer { source in
            let input = SharedBuffer(UnsafeMutableBufferPointer(mutating: source))
            return Self.blockMeans(fine: fine, factor: factor) { j, k, row in
                let start = (k * fine.y + j) * fine.x
                for i in row.indices { row[i] = input[start + i] }
            }
        }
        return Grid(size: SIMD3((fine.x + factor - 1) / factor, (fine.y + factor - 1) / factor, fine.z),
                    spacing: spacing * SIMD3(Double(factor), Double(factor), 1), offset: offset, values: means)
    }

    /// Means over `factor` × `factor` pixel blocks of every slice of a `fine`-sized box; `loadRow(j, k, row)` fills
    /// row j of slice k.
    private static func blockMeans(fine: SIMD3<Int>, factor: Int,
                                   loadRow: @Sendable (Int, Int, UnsafeMutableBufferPointer<Float>) -> Void) -> [Float] {
        let coarse = SIMD3((fine.x + factor - 1) / factor, (fine.y + factor - 1) / factor, fine.z)
        var means = [Float](repeating: 0, count: coarse.x * coarse.y * coarse.z)
        means.withUnsafeMutableBufferPointer { buffer in
            let target = SharedBuffer(buffer)
            // Slices are independent; this pass reads every voxel of the level's box.
            DispatchQueue.concurrentPerform(iterations: fine.z) { k in
                let line = UnsafeMutableBufferPointer<Float>.allocate(capacity: fine.x)
                defer { line.deallocate() }
                for j in 0..<fine.y {
                    loadRow(j, k, line)
                    let out = (k * coarse.y + j / factor) * coarse.x
                    var i = 0, block = 0
                    while i < fine.x {
                        let end = min(i + factor, fine.x)
                        var sum: Float = 0
                        while i < end {
                            sum += line[i]
                            i += 1
                        }
                        target[out + block] += sum
                        block += 1
                    }
                }
                guard factor > 1 else { return }
                for bj in 0..<coarse.y {
                    let rows = Float(min(fine.y, (bj + 1) * factor) - bj * factor)
                    for bi in 0..<coarse.x {
                        let columns = Float(min(fine.x, (bi + 1) * factor) - bi * factor)
                        target[(k * coarse.y + bj) * coarse.x + bi] /= rows * columns
                    }
                }
            }
        }
        return means
    }

    /// Gaussian smoothing with standard deviations in millimetres.
    func smoothed(sigma: SIMD3<Double>) -> Grid {
        let geometry = VolumeGeometry(size: size, spacing: spacing, origin: [0, 0, 0])
        var volume = Volume<Float>(geometry: geometry, voxels: values)
        GaussianBlur(sigma: sigma / spacing).apply(to: &volume)
        return Grid(size: size, spacing: spacing, offset: offset, values: volume.voxels)
    }
}

/// A binary mask on a grid.
struct Mask: Sendable {
    var size: SIMD3<Int>
    var bits: [Bool]

    init(size: SIMD3<Int>, repeating value: Bool = false) {
        self.size = size
        bits = [Bool](repeating: value, count: size.x * size.y * size.z)
    }

    @inline(__always) func index(_ i: Int, _ j: Int, _ k: Int) -> Int { (k * size.y + j) * size.x + i }
    subscript(i: Int, j: Int, k: Int) -> Bool {
        get { bits[index(i, j, k)] }
        set { bits[index(i, j, k)] = newValue }
    }
    var count: Int { bits.reduce(0) { $0 + ($1 ? 1 : 0) } }

    /// The first and last corner of the box holding every set voxel; `high` is −1 on every axis when none is set.
    var bounds: (low: SIMD3<Int>, high: SIMD3<Int>) {
        var low = size, high = SIMD3<Int>(repeating: -1)
        for (n, bit) in bits.enumerated() where bit {
            let p = SIMD3(n % size.x, (n / size.x) % size.y, n / (size.x * size.y))
            low = pointwiseMin(low, p)
            high = pointwiseMax(high, p)
        }
        return (low, high)
    }

    /// Set where any pixel of the `factor` × `factor` block is set, slice by slice (as `Grid.binnedInPlane`).
    func binnedInPlane(_ factor: Int) -> Mask {
        var result = Mask(size: SIMD3((size.x + factor - 1) / factor, (size.y + factor - 1) / factor, size.z))
        for (n, bit) in bits.enumerated() where bit {
            let i = n % size.x, j = (n / size.x) % size.y, k = n / (size.x * size.y)
            result[i / factor, j / factor, k] = true
        }
        return result
    }

    /// Dilation by an ellipsoid of semi-axes `radius` (mm), at least one voxel along every axis (computed as a
    /// distance transform on axes rescaled so the ellipsoid becomes a unit ball).
    /// Only the box around the foreground, grown by the radius, is transformed.
    func dilated(radius: SIMD3<Double>, spacing: SIMD3<Double>) -> Mask {
        let r = pointwiseMax(radius, spacing * 1.01)
        var (low, high) = bounds
        var result = Mask(size: size)
        guard high.x >= 0 else { return result }
        let reach = SIMD3<Int>((r / spacing).rounded(.up))
        low = pointwiseMax(low &- reach, SIMD3(repeating: 0))
        high = pointwiseMin(high &+ reach, size &- 1)
        let box = high &- low &+ 1
        var sub = [Bool](repeating: false, count: box.x * box.y * box.z)
        for k in 0..<box.z {
            for j in 0..<box.y {
                for i in 0..<box.x { sub[(k * box.y + j) * box.x + i] = self[i + low.x, j + low.y, k + low.z] }
            }
        }
        let distance = DistanceTransform.squaredDistance(to: sub, size: box, spacing: spacing / r)
        for k in 0..<box.z {
            for j in 0..<box.y {
                for i in 0..<box.x where distance[(k * box.y + j) * box.x + i] <= 1 + 1e-9 {
                    result[i + low.x, j + low.y, k + low.z] = true
                }
            }
        }
        return result
    }
}
