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
        let g = volume.geometry
        let threshold = Int16(max(-32768, min(32767, thresholdHU.rounded(.up))))
        let voxels = volume.voxels.withUnsafeBufferPointer { values in values.indices.filter { values[$0] >= threshold } }
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

/// Cement volume with partial volume accounted for: the HU mass above the local background, divided by the
/// contrast of pure cement.
///
/// Blur and partial volume move HU between voxels but keep their sum; so over a region R that holds all of the
/// cement's blurred signal, Σ_R (v − B)/(C − B) equals the cement volume in voxels, where B is what the voxel
/// would read without cement and C the HU of pure cement. B is estimated locally by normalised Gaussian
/// smoothing (σ 2 mm) of the voxels outside R; C is the median HU of voxels at least 2 mm inside the cement
/// (or the 95th percentile of the cement voxels when none are that deep). R is the cement dilated by 2 mm (at
/// least one voxel along each axis). Each voxel's contribution is returned, to be split between inside and
/// outside the vertebral body.
struct PartialVolumeCement {
    /// Per-voxel cement fraction (unclipped) on the grid, zero outside R, and the pure-cement HU used. The work is
    /// done in the box around the seeds that R and the background smoothing can reach (8 mm margin).
    static func fractions(_ grid: Grid, seeds: Mask) -> (fractions: [Float], cementHU: Double, backgroundHU: Double) {
        var low = grid.size, high = SIMD3<Int>(repeating: -1)
        for k in 0..<grid.size.z {
            for j in 0..<grid.size.y {
                for i in 0..<grid.size.x where seeds[i, j, k] {
                    low = pointwiseMin(low, SIMD3(i, j, k))
                    high = pointwiseMax(high, SIMD3(i, j, k))
                }
            }
        }
        guard high.x >= 0 else { return ([Float](repeating: 0, count: grid.count), .nan, .nan) }
        let margin = SIMD3<Int>((SIMD3<Double>(repeating: 8) / grid.spacing).rounded(.up))
        low = pointwiseMax(low &- margin, SIMD3(repeating: 0))
        high = pointwiseMin(high &+ margin, grid.size &- 1)
        let size = high &- low &+ 1
        var box = Grid(size: size, spacing: grid.spacing, offset: grid.offset &+ low,
                       values: [Float](repeating: 0, count: size.x * size.y * size.z))
        var boxSeeds = Mask(size: size)
        for k in 0..<size.z {
            for j in 0..<size.y {
                for i in 0..<size.x {
                    let source = grid.index(i + low.x, j + low.y, k + low.z)
                    box.values[box.index(i, j, k)] = grid.values[source]
                    boxSeeds.bits[box.index(i, j, k)] = seeds.bits[source]
                }
            }
        }
        let (boxFractions, cement, background) = boxFractions(box, seeds: boxSeeds)
        var fractions = [Float](repeating: 0, count: grid.count)
        for k in 0..<size.z {
            for j in 0..<size.y {
                for i in 0..<size.x { fractions[grid.index(i + low.x, j + low.y, k + low.z)] = boxFractions[box.index(i, j, k)] }
            }
        }
        return (fractions, cement, background)
    }

    private static func boxFractions(_ grid: Grid, seeds: Mask) -> (fractions: [Float], cementHU: Double, backgroundHU: Double) {
        let region = seeds.dilated(radius: SIMD3(repeating: 2), spacing: grid.spacing)
        let core = coreVoxels(seeds, spacing: grid.spacing, depth: 2)
        var cementValues = core.map { grid.values[$0] }
        if cementValues.count < 5 {
            cementValues = seeds.bits.indices.filter { seeds.bits[$0] }.map { grid.values[$0] }.sorted()
            let index = Int(0.95 * Double(cementValues.count - 1))
            cementValues = cementValues.isEmpty ? [] : [cementValues[index]]
        }
        let cement = Double(median(cementValues))
        // Normalised convolution: smooth (value × outside) and (outside), divide.
        var weighted = grid, weights = grid
        for n in grid.values.indices {
            let outside: Float = region.bits[n] ? 0 : 1
            weighted.values[n] = grid.values[n] * outside
            weights.values[n] = outside
        }
        let sigma = SIMD3<Double>(repeating: 2)
        let numerator = weighted.smoothed(sigma: sigma), denominator = weights.smoothed(sigma: sigma)
        var fractions = [Float](repeating: 0, count: grid.count)
        var backgroundSum = 0.0, backgroundCount = 0.0
        for n in grid.values.indices where region.bits[n] {
            let background = denominator.values[n] > 1e-3 ? Double(numerator.values[n] / denominator.values[n]) : 0
            backgroundSum += background
            backgroundCount += 1
            fractions[n] = Float((Double(grid.values[n]) - background) / max(1, cement - background))
        }
        return (fractions, cement, backgroundCount > 0 ? backgroundSum / backgroundCount : .nan)
    }

    /// Seed voxels at least `depth` mm from the nearest non-seed voxel (checked on an ellipsoidal neighbourhood).
    static func coreVoxels(_ seeds: Mask, spacing: SIMD3<Double>, depth: Double) -> [Int] {
        var outside = seeds
        outside.bits = seeds.bits.map { !$0 }
        let grown = outside.dilated(radius: SIMD3(repeating: depth), spacing: spacing)
        return seeds.bits.indices.filter { seeds.bits[$0] && !grown.bits[$0] }
    }

    static func median(_ values: [Float]) -> Float {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
