import CementCore
import Foundation
import Imaging

/// Segments the treated vertebral body around its cement and returns each voxel's fractional occupancy.
///
/// The body is modelled as a cross-section (a star-shaped outline about the body's axis, the slice normal of a
/// grid that `RateEngine` has turned into the vertebra's frame when the body is tilted) between a superior and an
/// inferior endplate surface. Pixels finer than about 0.7 mm are binned first; the model is drawn back on the full
/// grid.
/// 1. The cross-section (`PolarOutline`): the cortical shell on the average of the middle half of the slices
///    through the cement, with the cement and its 3D surroundings left out, found by dynamic programming over
///    rays from the cement as the smooth closed path through the walls (ridges or falling steps that stand out
///    against the slab's own noise); arcs that cement hides are bridged by an ellipse through the walls seen.
/// 2. A bone mask (in-plane smoothed HU ≥ 180, or cement) serves only as the endplates' fallback guide: the slice
///    where filled bone stops covering the outline's core.
/// 3. Endplates: the guide is where the cortical shell ends along the axis (`ShellExtent`): the wall seen at
///    mid-body runs on past a sclerotic band to the endplate. Near that end, the slice where most columns show a
///    ridge; where the shell gives no end, the nearest slice a fifth of the columns agree on for the first ridge
///    outwards from the middle that stands out against the cancellous bone and the disc (or the slice where filled
///    bone stops covering the outline, when too few columns show a ridge). Around it each column's
///    endplate ridge (HU centroid of the excess over the disc's level beyond the peak and the cancellous level
///    before it, plus half a wall; at least 50 HU above the disc) is located, skipping columns where
///    cement hides it; a robust plane fit fills those in (or, where cement leaked through the endplate, the
///    leak's inner edge, since leaked cement lies on the endplate).
/// 4. Occupancy = in-plane fraction inside the outline (4 × 4 subsamples near the edge) × fraction of the slice
///    between the endplates, so thick slices contribute partial voxels.
struct VertebralBodySegmenter {
    /// Bone threshold (HU) of the mask whose coverage of the outline's core is the endplates' fallback guide.
    var boneThresholdHU: Float = 180
    /// Along a column only cement itself (and its 1.5 mm surroundings) hides the endplate.
    var cementThresholdHU: Float = 1000
    /// Endplate thickness assumed when placing the body's surface outside an endplate ridge's centroid (mm).
    var wallThickness = 1.25
    /// The cross-section's stage.
    var outline = PolarOutline.Parameters()
    /// The independent estimate of the endplates' slices that the column-wise endplates are checked against.
    var endplateSheets = EndplateSheets.Parameters()
    /// How far the cortical shell runs along the axis, which guides the endplates.
    var shellExtent = ShellExtent.Parameters()
    /// Pixels much finer than this are binned in-plane before segmenting, and the fitted body is drawn back on the
    /// full grid: walls and endplates are located as well on 0.7 mm pixels, at a quarter of the cost or less.
    var workingPixelMM = 0.7
    /// How far (HU) an endplate's ridge must rise above the cancellous bone and the disc beside it to count.
    var ridgeProminenceHU = 50.0

    /// Segments the body in `full`, a box of `volume` around the cement `fullSeeds` (given on the box).
    func segment(_ volume: HUVolume, box full: GridBox, seeds fullSeeds: Mask) -> BodySegmentation? {
        // Endplates are ridges along the slices: a column needs a slice on each side of one.
        guard full.size.z >= 3 else { return nil }
        let factor = full.binning(toward: workingPixelMM)
        let grid = Grid(volume, box: full, binning: factor)
        let seeds = factor > 1 ? fullSeeds.binnedInPlane(factor) : fullSeeds
        let (nx, ny, nz) = (grid.size.x, grid.size.y, grid.size.z)
        let spacing2 = SIMD2(grid.spacing.x, grid.spacing.y)
        let smooth = grid.smoothed(sigma: SIMD3(0.4, 0.4, 0))
        var bone = Mask(size: grid.size)
        for n in grid.values.indices { bone.bits[n] = smooth.values[n] >= boneThresholdHU || seeds.bits[n] }
        var seedSlices: [Int] = []
        var centroid = SIMD3<Double>(), seedCount = 0.0
        for k in 0..<nz {
            var any = false
            for j in 0..<ny {
                for i in 0..<nx where seeds[i, j, k] {
                    any = true
                    centroid += SIMD3(Double(i), Double(j), Double(k))
                    seedCount += 1
                }
            }
            if any { seedSlices.append(k) }
        }
        guard seedCount > 0 else { return nil }
        let kc = Int((centroid.z / seedCount).rounded())
        func slice(_ mask: Mask, _ k: Int) -> [Bool] { Array(mask.bits[(k * nx * ny)..<((k + 1) * nx * ny)]) }

        // 1. The outline: the cortical shell on the mid-body slab, the middle half of the slices through the cement.
        let quarter = seedSlices.count / 4
        let slab = Array(seedSlices[quarter..<(seedSlices.count - quarter)])
        // The cement and its blurred surroundings, which neither the walls' nor the shell's profiles read.
        let clearance = self.outline.cementClearanceMM
        let cleared = seeds.dilated(radius: SIMD3(clearance, clearance, max(clearance, grid.spacing.z)), spacing: grid.spacing)
        guard let outline = PolarOutline(parameters: outline).outline(smooth, seeds: seeds, near: cleared, slab: slab)
        else { return nil }
        let (cx, cy) = (outline.centre.x, outline.centre.y)
        let columnsSmooth = grid.smoothed(sigma: SIMD3(0.8, 0.8, 0))
        let radii = outline.radii, rays = radii.count
        let smoothedRadii = (0..<rays).map { ray -> Double in
            (-3...3).map { radii[(ray + $0 + rays) % rays] }.filter(\.isFinite).median() ?? 0
        }
        func radius(atAngle theta: Double) -> Double {
            let t = (theta < 0 ? theta + 2 * .pi : theta) / (2 * .pi) * Double(rays)
            let a = Int(t.rounded(.down)) % rays, b = (a + 1) % rays
            let f = t - t.rounded(.down)
            return (1 - f) * smoothedRadii[a] + f * smoothedRadii[b]
        }
        /// Distance (mm) inside the outline along the ray through (x, y), in binned pixel coordinates.
        func edgeGap(_ x: Double, _ y: Double) -> Double {
            let dx = (x - cx) * grid.spacing.x, dy = (y - cy) * grid.spacing.y
            return radius(atAngle: atan2(dy, dx)) - (dx * dx + dy * dy).squareRoot()
        }
        func inside(_ x: Double, _ y: Double, margin: Double = 0) -> Bool { edgeGap(x, y) > margin }
        let reference = (0..<(nx * ny)).map { inside(Double($0 % nx), Double($0 / nx)) }

        // 3. Endplates.
        let near = seeds.dilated(radius: SIMD3(1.5, 1.5, max(1.5, grid.spacing.z)), spacing: grid.spacing)
        func profile(_ i: Int, _ j: Int) -> [Float] {
            (0..<nz).map { k in
                let n = grid.index(i, j, k)
                return columnsSmooth.values[n] >= cementThresholdHU || near.bits[n] ? .nan : columnsSmooth.values[n]
            }
        }
        let core = PlaneMorphology.erode(reference, width: nx, height: ny, radius: 1.5, spacing: spacing2)
        let coreCount = max(1, core.filter { $0 }.count)
        func coverage(_ k: Int) -> Double {
            let filled = PlaneMorphology.fillHoles(slice(bone, k), width: nx, height: ny)
            return Double(zip(filled, core).filter { $0 && $1 }.count) / Double(coreCount)
        }
        func lastInside(_ direction: Int) -> Int {
            var k = kc
            while k + direction >= 0, k + direction < nz, coverage(k + direction) >= 0.5 { k += direction }
            return k
        }
        let topSlice = lastInside(1), bottomSlice = lastInside(-1)
        var columns: [(x: Double, y: Double, i: Int, j: Int)] = []
        for j in 0..<ny { for i in 0..<nx where inside(Double(i), Double(j), margin: 1) { columns.append((Double(i) * grid.spacing.x, Double(j) * grid.spacing.y, i, j)) } }
        guard columns.count >= 10 else { return nil }
        // The slice where filled bone stops covering the body is a poor guide where the cortical ring stays open
        // (thick slices, thin cortex). The first prominent ridge outwards from the middle, column by column, is the
        // endplate where it stands out and the next vertebra's where it does not: the guide is the nearest slice
        // (±1) that a fifth of the columns with a ridge agree on.
        let profiles = columns.map { profile($0.i, $0.j) }
        func guide(_ direction: Int, fallback: Int) -> Int {
            let ridges = profiles.compactMap { firstRidge($0, from: kc, direction: direction, dz: grid.spacing.z) }
            guard ridges.count >= columns.count / 5 else { return fallback }
            var counts = [Int](repeating: 0, count: nz)
            for k in ridges { counts[k] += 1 }
            var k = kc
            while k >= 0, k < nz {
                let near = (k - 1...k + 1).filter { $0 >= 0 && $0 < nz }.reduce(0) { $0 + counts[$1] }
                if 5 * near >= ridges.count {
                    // The busiest of the three slices.
                    return (k - 1...k + 1).filter { $0 >= 0 && $0 < nz }.max { counts[$0] < counts[$1] }!
                }
                k += direction
            }
            return fallback
        }
        // Where the cortical shell ends is the better guide: a sclerotic band inside the body is a ridge along the
        // columns too, but the wall runs on past it. The guide is then the slice near the shell's end (within its
        // uncertainty: the ridge lies within a wall's thickness and half a slice of it, or a slice on thick slices)
        // where most columns show a ridge, and each column's endplate is sought within that uncertainty only.
        let shell = ShellExtent(parameters: shellExtent).ends(smooth, outline: outline, hidden: cleared, slab: slab)
        let shellReach = max(wallThickness + grid.spacing.z / 2, grid.spacing.z)
        func shellGuide(_ end: Double?, direction: Int) -> Int? {
            guard let end else { return nil }
            let ridge = end - Double(direction) * wallThickness / 2
            var counts = [Int](repeating: 0, count: nz)
            for p in profiles {
                for k in prominentRidges(p, from: kc, direction: direction, dz: grid.spacing.z) { counts[k] += 1 }
            }
            let near = (0..<nz).filter { abs(Double($0) * grid.spacing.z - ridge) <= shellReach }
            if let best = near.max(by: { (counts[$0], -abs(Double($0) * grid.spacing.z - ridge)) < (counts[$1], -abs(Double($1) * grid.spacing.z - ridge)) }),
               5 * counts[best] >= columns.count {
                return best
            }
            return min(nz - 1, max(0, Int((ridge / grid.spacing.z).rounded())))
        }
        let topShell = shellGuide(shell.top, direction: 1), bottomShell = shellGuide(shell.bottom, direction: -1)
        let topGuide = topShell ?? guide(1, fallback: topSlice), bottomGuide = bottomShell ?? guide(-1, fallback: bottomSlice)
        var tops = [Double](repeating: .nan, count: columns.count), bottoms = tops
        for (c, p) in profiles.enumerated() {
            tops[c] = endplate(p, around: topGuide, direction: 1, dz: grid.spacing.z, reachMM: topShell == nil ? 4.5 : shellReach)
            bottoms[c] = endplate(p, around: bottomGuide, direction: -1, dz: grid.spacing.z,
                                  reachMM: bottomShell == nil ? 4.5 : shellReach)
        }
        let visibleTop = Double(tops.filter(\.isFinite).count) / Double(columns.count)
        let visibleBottom = Double(bottoms.filter(\.isFinite).count) / Double(columns.count)
        guard let topPlane = RobustPlane(columns.map { ($0.x, $0.y) }, tops),
              let bottomPlane = RobustPlane(columns.map { ($0.x, $0.y) }, bottoms) else { return nil }
        // The independent estimate: the sheets of the median profile of the columns, against the fitted planes at
        // the outline's centre (both at the ridge, half an endplate inside the surface).
        let median = (0..<nz).map { k -> Double in
            let values = profiles.map { Double($0[k]) }.filter(\.isFinite)
            return 10 * values.count >= 3 * profiles.count ? values.median() ?? .nan : .nan
        }
        let sheets = EndplateSheets(parameters: endplateSheets)
        let (centreX, centreY) = (cx * grid.spacing.x, cy * grid.spacing.y)
        var disagreement: Double?
        for (direction, plane) in [(1, topPlane), (-1, bottomPlane)] {
            guard let sheet = sheets.sheet(median, from: kc, direction: direction, dz: grid.spacing.z) else { continue }
            let ridge = plane.value(centreX, centreY) - Double(direction) * wallThickness / 2
            disagreement = max(disagreement ?? 0, abs(ridge - Double(sheet) * grid.spacing.z))
        }
        var topMap = [Double](repeating: .nan, count: nx * ny), bottomMap = topMap
        for j in 0..<ny {
            for i in 0..<nx {
                let x = Double(i) * grid.spacing.x, y = Double(j) * grid.spacing.y
                topMap[j * nx + i] = topPlane.value(x, y)
                bottomMap[j * nx + i] = bottomPlane.value(x, y)
            }
        }
        for (c, column) in columns.enumerated() {
            let n = column.j * nx + column.i
            if tops[c].isFinite, topPlane.accepts(column.x, column.y, tops[c]) { topMap[n] = tops[c] }
            if bottoms[c].isFinite, bottomPlane.accepts(column.x, column.y, bottoms[c]) { bottomMap[n] = bottoms[c] }
            guard !tops[c].isFinite || !bottoms[c].isFinite else { continue }
            let values = (0..<nz).map { Double(columnsSmooth.values[grid.index(column.i, column.j, $0)]) }
            if !tops[c].isFinite, let edge = leakedCementEdge(values, plane: topMap[n], direction: 1, dz: grid.spacing.z) {
                topMap[n] = edge
            }
            if !bottoms[c].isFinite,
               let edge = leakedCementEdge(values, plane: bottomMap[n], direction: -1, dz: grid.spacing.z) {
                bottomMap[n] = edge
            }
        }

        // 4. Occupancy, on the full grid: pixel (i, j) of the full grid sits at (i − (f − 1)/2) / f of the binned one.
        //    The in-plane fractions come first, so that only the box that holds the body is stored.
        var fractions = [Double](repeating: 0, count: full.plane)
        var low = full.size, high = SIMD3<Int>(repeating: -1)
        var area = 0.0
        var touches = false
        let f = Double(factor), shift = Double(factor - 1) / 2
        let diagonal = (full.spacing.x * full.spacing.x + full.spacing.y * full.spacing.y).squareRoot()
        func column(_ i: Int, _ j: Int) -> (top: Double, bottom: Double) {
            let n = min(ny - 1, j / factor) * nx + min(nx - 1, i / factor)
            return (topMap[n], bottomMap[n])
        }
        func sliceRange(_ top: Double, _ bottom: Double) -> ClosedRange<Int> {
            let first = max(0, Int((bottom / grid.spacing.z - 0.5).rounded(.down)))
            return first...max(first, min(nz - 1, Int((top / grid.spacing.z + 0.5).rounded(.up))))
        }
        for j in 0..<full.size.y {
            for i in 0..<full.size.x {
                // Pixels whose centre lies more than a pixel diagonal from the outline are wholly in or out.
                let gap = edgeGap((Double(i) - shift) / f, (Double(j) - shift) / f)
                var fraction = gap > diagonal ? 1.0 : 0.0
                if abs(gap) <= diagonal {
                    for b in 0..<4 {
                        let y = (Double(j) + (Double(b) + 0.5) / 4 - 0.5 - shift) / f
                        for a in 0..<4 where inside((Double(i) + (Double(a) + 0.5) / 4 - 0.5 - shift) / f, y) {
                            fraction += 1.0 / 16
                        }
                    }
                }
                guard fraction > 0 else { continue }
                if i == 0 || j == 0 || i == full.size.x - 1 || j == full.size.y - 1 { touches = true }
                area += fraction * full.spacing.x * full.spacing.y
                let (top, bottom) = column(i, j)
                guard top > bottom else { continue }
                if bottom < 0 || top > Double(nz - 1) * grid.spacing.z { touches = true }
                fractions[j * full.size.x + i] = fraction
                let range = sliceRange(top, bottom)
                low = pointwiseMin(low, SIMD3(i, j, range.lowerBound))
                high = pointwiseMax(high, SIMD3(i, j, range.upperBound))
            }
        }
        var occupancy = Occupancy(box: full, low: low, high: high)
        var endplates = [SIMD2<Double>](repeating: SIMD2(.nan, .nan), count: full.plane)
        var volume = 0.0
        for j in 0..<full.size.y {
            for i in 0..<full.size.x where fractions[j * full.size.x + i] > 0 {
                let fraction = fractions[j * full.size.x + i], (top, bottom) = column(i, j)
                endplates[j * full.size.x + i] = SIMD2(top, bottom)
                for k in sliceRange(top, bottom) {
                    let low = (Double(k) - 0.5) * grid.spacing.z, high = (Double(k) + 0.5) * grid.spacing.z
                    let overlap = max(0, min(high, top) - max(low, bottom)) / grid.spacing.z
                    if overlap > 0 {
                        occupancy[i, j, k] = Float(fraction * overlap)
                        volume += fraction * overlap * full.voxelVolume
                    }
                }
            }
        }
        return BodySegmentation(occupancy: occupancy, volumeML: volume / 1000, visibleColumns: (visibleTop, visibleBottom),
                      outlineAreaMM2: area, touchesBoxEdge: touches,
                      solidity: Self.solidity(radii: smoothedRadii), endplates: endplates,
                      endplateDisagreementMM: disagreement,
                      axis: (SIMD2(cx, cy) * f + shift, topPlane.value(centreX, centreY), bottomPlane.value(centreX, centreY)))
    }

    /// Area of the star-shaped outline given by radii at equally spaced angles over the area of its convex hull.
    static func solidity(radii: [Double]) -> Double {
        let points = radii.enumerated().map { ray, r -> SIMD2<Double> in
            let theta = 2 * Double.pi * Double(ray) / Double(radii.count)
            return SIMD2(r * cos(theta), r * sin(theta))
        }
        func area(_ polygon: [SIMD2<Double>]) -> Double {
            abs(polygon.indices.reduce(0.0) { sum, n in
                let a = polygon[n], b = polygon[(n + 1) % polygon.count]
                return sum + a.x * b.y - a.y * b.x
            }) / 2
        }
        // Andrew's monotone chain.
        let sorted = points.sorted { ($0.x, $0.y) < ($1.x, $1.y) }
        func cross(_ o: SIMD2<Double>, _ a: SIMD2<Double>, _ b: SIMD2<Double>) -> Double {
            (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
        }
        var lower: [SIMD2<Double>] = [], upper: [SIMD2<Double>] = []
        for p in sorted {
            while lower.count >= 2, cross(lower[lower.count - 2], lower[lower.count - 1], p) <= 0 { lower.removeLast() }
            lower.append(p)
        }
        for p in sorted.reversed() {
            while upper.count >= 2, cross(upper[upper.count - 2], upper[upper.count - 1], p) <= 0 { upper.removeLast() }
            upper.append(p)
        }
        let hull = Array(lower.dropLast()) + Array(upper.dropLast())
        let hullArea = area(hull)
        return hullArea > 0 ? area(points) / hullArea : 1
    }

    /// The body's surface (mm from the first slice) in a column where cement hides the endplate because it leaked
    /// through it: the inner edge of cement reaching more than 1 mm beyond the fitted `plane`, half-way between the
    /// cement's peak and the lowest value within 3 mm inside, when that edge lies up to 2.5 mm inside the plane; nil
    /// otherwise. Leaked cement lies on the endplate's outer surface, which a plane through the visible columns
    /// overshoots at the endplate's concave centre (there 0.03–0.09 ml of a disc leak was counted inside the body).
    func leakedCementEdge(_ p: [Double], plane: Double, direction: Int, dz: Double) -> Double? {
        let cement = Double(cementThresholdHU)
        let start = Int(((plane + Double(direction)) / dz).rounded(direction > 0 ? .up : .down))
        guard start >= 0, start < p.count, p[start] >= cement else { return nil }
        var peak = p[start], k = start
        while k + direction >= 0, k + direction < p.count, p[k + direction] >= cement {
            k += direction
            peak = max(peak, p[k])
        }
        let inside = (1...Int((3 / dz).rounded(.up))).map { start - direction * $0 }.filter { $0 >= 0 && $0 < p.count }
        let half = (peak + (inside.map { p[$0] }.min() ?? peak)) / 2
        var i = start
        while i - direction >= 0, i - direction < p.count, p[i - direction] >= half { i -= direction }
        guard i - direction >= 0, i - direction < p.count else { return nil }
        let edge = Self.crossing((Double(i) * dz, p[i]), (Double(i - direction) * dz, p[i - direction]), at: half)
        let depth = (plane - edge) * Double(direction)
        return depth >= 0 && depth <= 2.5 ? edge : nil
    }

    /// Where the line through two (position, HU) samples crosses `level`.
    private static func crossing(_ a: (Double, Double), _ b: (Double, Double), at level: Double) -> Double {
        a.0 + (b.0 - a.0) * (level - a.1) / (b.1 - a.1)
    }

    /// The first ridge of a column's profile outwards from the body's middle `k0` that stands out against both the
    /// cancellous bone inside and the disc outside (≥ 50 HU each way): the treated body's endplate, since the next
    /// vertebra's lies beyond the disc. Nil when none does or cement hides the inside of the first one.
    func firstRidge(_ p: [Float], from k0: Int, direction: Int, dz: Double) -> Int? {
        for ridge in ridgesOverOutside(p, from: k0, direction: direction, dz: dz) {
            guard let inner = ridge.innerProminence else { return nil }
            if inner >= ridgeProminenceHU { return ridge.slice }
        }
        return nil
    }

    /// Every ridge of a column's profile outwards from `k0` that stands out against both sides, as `firstRidge`
    /// requires of the first.
    func prominentRidges(_ p: [Float], from k0: Int, direction: Int, dz: Double) -> [Int] {
        ridgesOverOutside(p, from: k0, direction: direction, dz: dz)
            .filter { ($0.innerProminence ?? -.infinity) >= ridgeProminenceHU }.map(\.slice)
    }

    /// The local maxima of a column's profile outwards from `k0` (within 22 mm) that rise ≥ 50 HU above the
    /// outside, with how far they rise above the inside (nil where cement hides it). Each side's level is the lowest
    /// of the samples within 3 mm, but at least two: an endplate split across two 3 mm slices does not stand out
    /// against its own second slice.
    private func ridgesOverOutside(_ p: [Float], from k0: Int, direction: Int, dz: Double)
        -> [(slice: Int, innerProminence: Double?)]
    {
        let reach = max(2, Int((3 / dz).rounded(.up))), limit = Int((22 / dz).rounded(.up))
        func value(_ k: Int) -> Double? { k >= 0 && k < p.count && p[k].isFinite ? Double(p[k]) : nil }
        var found: [(slice: Int, innerProminence: Double?)] = []
        var k = k0 + direction
        while abs(k - k0) <= limit, k - direction >= 0, k + direction >= 0, k + direction < p.count {
            defer { k += direction }
            guard let here = value(k), let before = value(k - direction), let after = value(k + direction),
                  here >= before, here >= after,
                  let outer = (1...reach).compactMap({ value(k + direction * $0) }).min(),
                  here - outer >= ridgeProminenceHU else { continue }
            found.append((k, (1...reach).compactMap { value(k - direction * $0) }.min().map { here - $0 }))
        }
        return found
    }

    /// An endplate's outer surface in one column (mm from the first slice), or NaN when hidden by cement: the
    /// strongest ridge within `reachMM` of `k0`, located by the HU centroid of its excess plus half a wall.
    func endplate(_ p: [Float], around k0: Int, direction: Int, dz: Double, reachMM: Double = 4.5) -> Double {
        let half = Int((reachMM / dz).rounded(.up))
        let first = max(1, k0 - half), last = min(p.count - 2, k0 + half)
        guard first <= last else { return .nan }
        var best = -1
        for k in first...last {
            guard p[k].isFinite, p[k - 1].isFinite, p[k + 1].isFinite, p[k] >= p[k - 1], p[k] >= p[k + 1] else { continue }
            if best < 0 || p[k] > p[best] || (p[k] == p[best] && abs(k - k0) < abs(best - k0)) { best = k }
        }
        guard best >= 0 else { return .nan }
        let reach = Int((3 / dz).rounded(.up))
        let window = max(0, best - reach)...min(p.count - 1, best + reach)
        guard window.allSatisfy({ p[$0].isFinite }) else { return .nan }
        // The level on each side: the disc outside, the cancellous bone inside. Excess is counted above the higher
        // of the two, so that cancellous bone denser than the disc does not pull the centroid inwards (the more so
        // the thicker the slices, as the blurred ridge sinks towards the levels around it).
        func level(_ side: Int) -> Double? {
            // At least 1.5 slices away, so that a thick slice straddling the endplate does not count as the level.
            let near = Int((max(2.5, 1.5 * dz) / dz).rounded(.up)), far = max(near, Int((5 / dz).rounded(.up)))
            let values = (near...far).map { best + side * $0 }
                .filter { $0 >= 0 && $0 < p.count && p[$0].isFinite }.map { Double(p[$0]) }
            return values.median()
        }
        guard let outside = level(direction) else { return .nan }
        let inside = level(-direction) ?? outside, base = max(outside, inside)
        // A ridge that barely rises above the disc is noise in the disc, found where cement hides the endplate. (Not
        // above the inside's level: a sclerotic band just inside can be as dense as the endplate's blurred ridge.)
        guard Double(p[best]) - outside >= ridgeProminenceHU else { return .nan }
        // In thick slices the endplate's partial volume spreads over few samples: the low ones count too.
        let threshold = (dz >= 1.5 ? 0.1 : 0.25) * max(0, Double(p[best]) - base)
        var weight = 0.0, moment = 0.0
        // Each side's partial-volume samples count over that side's own level: beyond the peak the disc's, so that
        // denser cancellous bone does not cut them off; before it the cancellous bone's, so that a disc denser than
        // the cancellous bone does not (its level there pushed the surface up to 0.6 mm out on 2 mm slices).
        for k in window {
            let side = (k - best) * direction
            let excess = Double(p[k]) - (side > 0 ? outside : (side < 0 ? inside : base))
            guard excess >= threshold, excess > 0 else { continue }
            weight += excess
            moment += excess * Double(k) * dz
        }
        guard weight > 0 else { return .nan }
        return moment / weight + Double(direction) * wallThickness / 2
    }
}

/// z = a + b·x + c·y fitted by least squares with repeated rejection of points beyond 3 robust SDs (MAD).
struct RobustPlane {
    var a = 0.0, b = 0.0, c = 0.0
    var tolerance = 0.5

    init?(_ points: [(Double, Double)], _ z: [Double]) {
        var keep = z.map(\.isFinite)
        guard keep.filter({ $0 }).count >= 3 else { return nil }
        for _ in 0..<5 {
            let kept = points.indices.filter { keep[$0] }
            guard let solution = LinearSystem.leastSquares(kept.map { [1, points[$0].0, points[$0].1] }, kept.map { z[$0] })
            else { return nil }
            (a, b, c) = (solution[0], solution[1], solution[2])
            let residuals = kept.map { abs(z[$0] - value(points[$0].0, points[$0].1)) }
            let mad = (residuals.median() ?? 0) * 1.4826
            tolerance = max(3 * mad, 0.5)
            keep = points.indices.map { z[$0].isFinite && abs(z[$0] - value(points[$0].0, points[$0].1)) < tolerance }
            guard keep.filter({ $0 }).count >= 3 else { return nil }
        }
    }

    func value(_ x: Double, _ y: Double) -> Double { a + b * x + c * y }
    func accepts(_ x: Double, _ y: Double, _ z: Double) -> Bool { abs(z - value(x, y)) < tolerance }
}
