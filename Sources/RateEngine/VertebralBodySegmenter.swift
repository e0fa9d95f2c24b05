import Foundation
import Imaging

/// Segments the treated vertebral body around its cement and returns each voxel's fractional occupancy.
///
/// The body is modelled as a cross-section (a star-shaped outline about the body's axis, which is taken along
/// the slice normal) between a superior and an inferior endplate surface. Pixels finer than about 0.7 mm are
/// binned first; the model is drawn back on the full grid.
/// 1. Bone = in-plane smoothed HU ≥ 180 (then 150, 125, 100 until the cortical ring closes) or cement. In slices
///    through the cement, the bone mask is closed with a 1 mm disk (bridging gaps of a faint cortex), its holes
///    are filled except holes farther than 2 mm from the cement (the spinal canal), and an opening with a 5.5 mm
///    disk cuts the pedicles and the posterior arch off; the component over the cement is the body's outline.
/// 2. The outline is refined along 180 rays from its centre: the outer cortex is the ridge of the HU profile
///    near the coarse edge, or the first prominent ridge outwards from the centre where the coarse edge lies
///    beyond it; the body edge is its centroid plus half a wall thickness (1.25 mm assumed). Beside cement the
///    strongest value is the cement's blurred shoulder: the wall is then a ridge beyond the valley that follows
///    it (looked for up to 8 mm out where the coarse edge is cement, since cancellous bone between cement and a
///    faint cortex falls under every bone threshold), or, where cement runs into the wall and hides it, the
///    cement's half-way edge plus a wall thickness. Shape rules then clean the outline: no deep notches, a smooth
///    outline where no wall was found, no bulge of leaked cement (a leak lying on the wall ends the outline where
///    the leak begins), no pedicle left attached.
/// 3. Endplates: in each column the first ridge outwards from the middle that stands out against the cancellous
///    bone and the disc is found; the nearest slice a fifth of the columns agree on guides the search (the slice
///    where filled bone stops covering the outline, when too few columns show a ridge). Around it each column's
///    endplate ridge (HU centroid of the excess over the disc's level beyond the peak and the cancellous level
///    before it, plus half a wall; at least 50 HU above the higher of the two) is located, skipping columns where
///    cement hides it; a robust plane fit fills those in (or, where cement leaked through the endplate, the
///    leak's inner edge, since leaked cement lies on the endplate).
/// 4. Occupancy = in-plane fraction inside the outline (4 × 4 subsamples near the edge) × fraction of the slice
///    between the endplates, so thick slices contribute partial voxels.
struct VertebralBodySegmenter {
    /// Bone thresholds tried in turn for the outline, until the cortical ring closes (a thin 300 HU cortex over
    /// 60 HU cancellous bone blurs to under 125 HU).
    var boneThresholds: [Float] = [180, 150, 125, 100]
    /// Above this a wall's profile is taken for cement.
    var cementExclusionHU: Float = 700
    /// Along a column only cement itself (and its 1.5 mm surroundings) hides the endplate: dense endplates reach
    /// 900 HU, above `cementExclusionHU`.
    var cementThresholdHU: Float = 1000
    /// Cortical wall and endplate thickness assumed when placing the body's surface outside a wall's centroid.
    var wallThickness = 1.25
    /// How far beyond the coarse outline a wall is looked for where that outline ends in cement (mm).
    var wallSearchPastCement = 8.0
    var openingRadius = 5.5
    var closingRadius = 1.0
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
        for n in grid.values.indices { bone.bits[n] = smooth.values[n] >= boneThresholds[0] || seeds.bits[n] }
        var footprint = [Bool](repeating: false, count: nx * ny)
        var seedSlices: [Int] = []
        var centroid = SIMD3<Double>(), seedCount = 0.0
        for k in 0..<nz {
            var any = false
            for j in 0..<ny {
                for i in 0..<nx where seeds[i, j, k] {
                    footprint[j * nx + i] = true
                    any = true
                    centroid += SIMD3(Double(i), Double(j), Double(k))
                    seedCount += 1
                }
            }
            if any { seedSlices.append(k) }
        }
        guard seedCount > 0 else { return nil }
        let kc = Int((centroid.z / seedCount).rounded())
        // Holes within 2 mm of the cement are the body's interior; 3 mm reached the canal behind a thin posterior
        // wall with cement close in front of it.
        footprint = PlaneMorphology.dilate(footprint, width: nx, height: ny, radius: 2, spacing: spacing2)
        func slice(_ mask: Mask, _ k: Int) -> [Bool] { Array(mask.bits[(k * nx * ny)..<((k + 1) * nx * ny)]) }

        // 1. Outlines on the slices through the cement; the median-area one is the reference. A dim, thin cortex
        //    can leave the ring open at the first bone threshold; lower ones are tried until the ring encloses
        //    cancellous bone next to the cement.
        //    Slices are independent: they are done in parallel.
        let (slices, around) = (seedSlices, footprint)
        var found = [[Bool]?](repeating: nil, count: slices.count)
        found.withUnsafeMutableBufferPointer { buffer in
            let results = SharedBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: slices.count) { index in
                let k = slices[index]
                var chosen: [Bool]?
                for threshold in boneThresholds {
                    let boneSlice = (0..<(nx * ny)).map { n -> Bool in
                        let voxel = k * nx * ny + n
                        return smooth.values[voxel] >= threshold || seeds.bits[voxel]
                    }
                    guard let (outline, enclosed) = outlineOf(boneSlice, footprint: around, width: nx, height: ny,
                                                              spacing: spacing2) else { continue }
                    if chosen == nil { chosen = outline }
                    if Double(enclosed) * spacing2.x * spacing2.y >= 20 {
                        chosen = outline
                        break
                    }
                }
                results[index] = chosen
            }
        }
        var outlines: [(area: Int, k: Int, mask: [Bool])] = []
        for (index, k) in seedSlices.enumerated() {
            if let chosen = found[index] { outlines.append((chosen.filter { $0 }.count, k, chosen)) }
        }
        guard !outlines.isEmpty else { return nil }
        outlines.sort { ($0.area, $0.k) < ($1.area, $1.k) }
        let reference = outlines[outlines.count / 2].mask
        var sumX = 0.0, sumY = 0.0, cn = 0.0
        for n in reference.indices where reference[n] {
            sumX += Double(n % nx)
            sumY += Double(n / nx)
            cn += 1
        }
        let cx = sumX / cn, cy = sumY / cn
        let central = outlines[(outlines.count / 4)...(3 * outlines.count / 4)].map(\.k)

        // 2. Ray refinement of the outline radius. Where the posterior wall is open in a slice, the body's interior
        //    and the spinal canal form one hole, which is filled, and the coarse outline runs past the wall; the
        //    first cortical ridge outwards from the centre, where one stands out, marks the wall instead.
        let columnsSmooth = grid.smoothed(sigma: SIMD3(0.8, 0.8, 0))
        @Sendable func firstWall(_ k: Int, _ direction: SIMD2<Double>, limit: Double) -> Double? {
            let positions = Array(stride(from: 1.0, through: limit, by: 0.2))
            let values = positions.map { bilinear(columnsSmooth, k, cx + $0 * direction.x, cy + $0 * direction.y) }
            let cement = Double(cementExclusionHU), reach = 15, quiet = 10
            for n in 1..<(values.count - 1) where values[n] < cement && values[n] >= values[n - 1] && values[n] >= values[n + 1] {
                let before = values[max(0, n - reach)..<n], after = values[(n + 1)...min(values.count - 1, n + reach)]
                guard !values[max(0, n - quiet)..<n].contains(where: { $0 >= cement }),
                      let inner = before.min(), let outer = after.min() else { continue }
                if values[n] - inner >= 40, values[n] - outer >= 60 { return positions[n] }
            }
            return nil
        }
        let rays = 180
        // Per ray: its radius, whether cement forms its edge, whether a wall was found along it, and the inner surface
        // of the outermost cement mass where cement forms the edge (NaN where it does not in most slices).
        var rayResults = [(radius: Double, cementAtEdge: Bool, wallSeen: Bool, outerCement: Double)](
            repeating: (.nan, false, false, .nan), count: rays)
        // Rays are independent: they are refined in parallel.
        rayResults.withUnsafeMutableBufferPointer { buffer in
            let results = SharedBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: rays) { ray in
                let theta = 2 * Double.pi * Double(ray) / Double(rays)
                let direction = SIMD2(cos(theta) / grid.spacing.x, sin(theta) / grid.spacing.y)
                var coarse = -1.0
                var s = 0.0
                while s < 45 {
                    let i = Int((cx + s * direction.x).rounded()), j = Int((cy + s * direction.y).rounded())
                    if i < 0 || j < 0 || i >= nx || j >= ny { break }
                    if reference[j * nx + i] { coarse = s }
                    s += 0.1
                }
                guard coarse > 0 else { return }
                var estimates: [Double] = []
                var cementSlices = 0, wallSlices = 0
                var outerCement: [Double] = []
                for k in central {
                    func hu(_ s: Double) -> Double { bilinear(grid, k, cx + s * direction.x, cy + s * direction.y) }
                    func cement(from start: Double, to end: Double) -> Bool {
                        stride(from: start, through: end, by: 0.25).contains { hu($0) >= Double(cementExclusionHU) }
                    }
                    var guess = coarse
                    if let wall = firstWall(k, direction, limit: coarse + 4), wall < coarse - 2.5 { guess = wall }
                    // Where the coarse outline ends in cement, the wall can lie several millimetres farther out
                    // (cancellous bone between cement and a faint cortex stays below the bone threshold).
                    let endsInCement = cement(from: guess - 1.5, to: guess)
                    let reach = endsInCement ? wallSearchPastCement : 4
                    let samples = stride(from: guess - 3, through: guess + reach, by: 0.1).map { ($0, hu($0)) }
                    var estimate = guess
                    if let edge = wallEdge(samples, cementBefore: cement(from: guess - 4.5, to: guess - 3)),
                       edge - guess > -2.5, edge - guess < (endsInCement ? reach - 1 : 2.5) {
                        estimate = edge
                        wallSlices += 1
                    } else if let edge = cementFlankEdge(samples, before: guess) {
                        estimate = min(estimate, edge)
                    }
                    estimates.append(estimate)
                    if cement(from: estimate - 1.5, to: estimate) {
                        cementSlices += 1
                        // From farther in: the coarse edge of a leak lies several millimetres beyond the wall.
                        let wide = stride(from: max(1, guess - 12), through: guess + reach, by: 0.1).map { ($0, hu($0)) }
                        if let edge = outerCementInnerEdge(wide) { outerCement.append(edge) }
                    }
                }
                results[ray] = (estimates.sorted()[estimates.count / 2], 2 * cementSlices > central.count,
                                2 * wallSlices > central.count,
                                2 * outerCement.count > central.count ? outerCement.sorted()[outerCement.count / 2] : .nan)
            }
        }
        var radii = rayResults.map(\.radius)
        let cementAtEdge = rayResults.map(\.cementAtEdge), wallSeen = rayResults.map(\.wallSeen)
        guard radii.contains(where: { $0.isFinite }) else { return nil }
        // Pedicles join the body posterolaterally: rays within 35–55° of the lateral direction, towards the back
        // (patient +y), in the image plane.
        let pedicleBase = (0..<rays).map { ray -> Bool in
            let theta = 2 * Double.pi * Double(ray) / Double(rays)
            let d = cos(theta) * volume.geometry.rowDirection + sin(theta) * volume.geometry.columnDirection
            let degrees = atan2(d.y, abs(d.x)) * 180 / Double.pi
            return degrees >= 35 && degrees <= 55
        }
        OutlineShapeRules.apply(to: &radii, cementAtEdge: cementAtEdge, wallSeen: wallSeen, pedicleBase: pedicleBase,
                                outerCementEdge: rayResults.map(\.outerCement))
        let smoothedRadii = (0..<rays).map { ray -> Double in
            let window = (-3...3).map { radii[(ray + $0 + rays) % rays] }.filter(\.isFinite).sorted()
            return window.isEmpty ? 0 : window[window.count / 2]
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
        let topGuide = guide(1, fallback: topSlice), bottomGuide = guide(-1, fallback: bottomSlice)
        var tops = [Double](repeating: .nan, count: columns.count), bottoms = tops
        for (c, p) in profiles.enumerated() {
            tops[c] = endplate(p, around: topGuide, direction: 1, dz: grid.spacing.z)
            bottoms[c] = endplate(p, around: bottomGuide, direction: -1, dz: grid.spacing.z)
        }
        let visibleTop = Double(tops.filter(\.isFinite).count) / Double(columns.count)
        let visibleBottom = Double(bottoms.filter(\.isFinite).count) / Double(columns.count)
        guard let topPlane = RobustPlane(columns.map { ($0.x, $0.y) }, tops),
              let bottomPlane = RobustPlane(columns.map { ($0.x, $0.y) }, bottoms) else { return nil }
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
                      solidity: Self.solidity(radii: smoothedRadii), endplates: endplates)
    }

    /// The body outline in one slice: holes of the bone mask are filled except those away from the cement (the
    /// canal), an opening cuts off the pedicles, and the part over the cement is kept. Also returns how many
    /// hole pixels next to the cement were filled (zero when the cortical ring is open).
    private func outlineOf(_ boneSlice: [Bool], footprint: [Bool], width nx: Int, height ny: Int, spacing: SIMD2<Double>)
        -> ([Bool], Int)?
    {
        // Small gaps in a thin cortex are bridged first, so that the body's interior and the spinal canal stay
        // separate holes where the posterior wall is faint.
        let bridged = PlaneMorphology.close(boneSlice, width: nx, height: ny, radius: closingRadius, spacing: spacing)
        var filled = PlaneMorphology.fillHoles(bridged, width: nx, height: ny)
        let holes = zip(filled, bridged).map { $0 && !$1 }
        let (labels, count) = PlaneMorphology.components(holes, width: nx, height: ny)
        var enclosed = 0
        if count > 0 {
            var nearCement = [Bool](repeating: false, count: count + 1)
            for n in labels.indices where labels[n] > 0 && footprint[n] { nearCement[labels[n]] = true }
            for n in labels.indices where labels[n] > 0 {
                if nearCement[labels[n]] { enclosed += 1 } else { filled[n] = false }
            }
        }
        let opened = PlaneMorphology.open(filled, width: nx, height: ny, radius: openingRadius, spacing: spacing)
        let (parts, partCount) = PlaneMorphology.components(opened, width: nx, height: ny)
        guard partCount > 0 else { return nil }
        var overlap = [Int](repeating: 0, count: partCount + 1)
        for n in parts.indices where parts[n] > 0 && footprint[n] { overlap[parts[n]] += 1 }
        guard let best = (1...partCount).max(by: { (overlap[$0], -$0) < (overlap[$1], -$1) }), overlap[best] > 0 else {
            return nil
        }
        return (parts.map { $0 == best }, enclosed)
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

    /// Bilinear HU in slice k at continuous pixel coordinates (clamped to the grid).
    private func bilinear(_ grid: Grid, _ k: Int, _ x: Double, _ y: Double) -> Double {
        let xc = min(max(x, 0), Double(grid.size.x - 1)), yc = min(max(y, 0), Double(grid.size.y - 1))
        let i = min(Int(xc), grid.size.x - 2), j = min(Int(yc), grid.size.y - 2)
        let fx = xc - Double(i), fy = yc - Double(j)
        let v00 = Double(grid.values[grid.index(i, j, k)]), v10 = Double(grid.values[grid.index(i + 1, j, k)])
        let v01 = Double(grid.values[grid.index(i, j + 1, k)]), v11 = Double(grid.values[grid.index(i + 1, j + 1, k)])
        return (1 - fy) * ((1 - fx) * v00 + fx * v10) + fy * ((1 - fx) * v01 + fx * v11)
    }

    /// Where cement runs into the wall and hides it: the cement's outer edge (the half-way crossing between the
    /// cement's peak and the level outside, which blur leaves in place) plus a wall thickness. Nil when no sample
    /// before `before` reaches the cement threshold.
    private func cementFlankEdge(_ samples: [(Double, Double)], before limit: Double) -> Double? {
        let inside = samples.filter { $0.0 <= limit }
        guard let peak = inside.indices.max(by: { inside[$0].1 < inside[$1].1 }), inside[peak].1 >= Double(cementThresholdHU) else { return nil }
        let tail = samples.suffix(30).map(\.1).sorted()
        let half = (inside[peak].1 + tail[tail.count / 2]) / 2
        var n = peak
        while n + 1 < samples.count, samples[n + 1].1 >= half { n += 1 }
        guard n + 1 < samples.count else { return nil }
        return Self.crossing(samples[n], samples[n + 1], at: half) + wallThickness
    }

    /// The inner surface of the outermost cement mass on a profile running outwards, which is where the body's wall
    /// ends if that cement leaked out through it (mm along the profile; nil when no sample reaches the cement
    /// threshold or cement runs back to the profile's start). Inwards the mass ends at a dip of at least 250 HU
    /// followed by more cement, or at 3 mm of samples under the cement threshold. A dip that stays above the
    /// threshold is a thin wall between cement in the body and the leak: the surface is its bottom plus half a
    /// wall. Otherwise it is the half-way crossing between the mass's peak and the dip's bottom, or the median of
    /// the samples 1–3 mm inside the mass.
    func outerCementInnerEdge(_ samples: [(Double, Double)]) -> Double? {
        let values = samples.map(\.1), cement = Double(cementThresholdHU)
        guard let last = values.lastIndex(where: { $0 >= cement }) else { return nil }
        var top = last, bottom = last, belowSince: Int?
        var n = last - 1
        while n >= 0 {
            // A new maximum before any dip continues the mass.
            if values[n] > values[top], bottom == top || values[n] >= values[bottom] { (top, bottom) = (n, n) }
            if values[n] < values[bottom] { bottom = n }
            if values[n] >= cement, values[n] - values[bottom] >= 250, values[top] - values[bottom] >= 250 { break }
            if values[n] < cement { belowSince = belowSince ?? n } else { belowSince = nil }
            if let since = belowSince, since - n >= 30 { break }
            n -= 1
        }
        guard bottom < top else { return nil }
        let level: Double
        if n >= 0, values[n] >= cement {
            if values[bottom] >= cement { return samples[bottom].0 + wallThickness / 2 }
            level = values[bottom]
        } else {
            guard let since = belowSince, since - 10 > n else { return nil }
            let bone = values[(n + 1)...(since - 10)].sorted()
            level = bone[bone.count / 2]
        }
        let half = (values[top] + level) / 2
        var k = top
        while k > bottom, values[k - 1] >= half { k -= 1 }
        guard k > bottom else { return nil }
        return Self.crossing(samples[k - 1], samples[k], at: half)
    }

    /// Where the line through two (position, HU) samples crosses `level`.
    private static func crossing(_ a: (Double, Double), _ b: (Double, Double), at level: Double) -> Double {
        a.0 + (b.0 - a.0) * (level - a.1) / (b.1 - a.1)
    }

    /// The outer edge of a cortical wall on a profile running outwards: centroid of the HU excess over the
    /// outside level around the strongest ridge (cement excluded), plus half a wall thickness. `cementBefore`: cement
    /// lies just inside the profile's start, so a maximum at the start is its shoulder.
    private func wallEdge(_ samples: [(Double, Double)], cementBefore: Bool) -> Double? {
        let values = samples.map(\.1)
        let tail = values.suffix(30).sorted()
        // Excess over the higher of the levels outside (soft tissue) and inside (cancellous bone, cement excluded),
        // so that dense cancellous bone does not pull the edge inwards.
        let head = values.prefix(20).filter { $0 < Double(cementExclusionHU) }.sorted()
        let outside = max(tail[tail.count / 2], head.isEmpty ? -.infinity : head[head.count / 2])
        let cement = Double(cementExclusionHU)
        var peakIndex = -1
        for (n, value) in values.enumerated() where value < cement && (peakIndex < 0 || value > values[peakIndex]) {
            peakIndex = n
        }
        guard peakIndex >= 0 else { return nil }
        var innerLimit = 0
        // A "peak" right beside cement, or at the start of a profile that cement precedes, is the blurred shoulder of
        // cement. The wall is then the strongest ridge beyond the valley that follows, if one rises out of it; cement
        // against the wall hides the wall, and the coarse outline's edge stands.
        let shoulder = (peakIndex == 0 && cementBefore) || (peakIndex > 0 && values[peakIndex - 1] >= cement)
            || (peakIndex < values.count - 1 && values[peakIndex + 1] >= cement)
        if shoulder {
            let lastCement = values.lastIndex(where: { $0 >= cement }) ?? 0
            var best: (ridge: Int, valley: Int)?
            var valley = lastCement + 1
            for n in stride(from: lastCement + 2, to: values.count, by: 1) {
                if values[n - 1] < values[valley] { valley = n - 1 }
                // A local maximum, not the rising flank of cement farther out (leaked through the wall).
                guard values[n] >= values[n - 1], n + 1 < values.count, values[n] >= values[n + 1],
                      !values[n...].prefix(4).contains(where: { $0 >= cement }) else { continue }
                if values[n] - values[valley] >= 40, best.map({ values[n] > values[$0.ridge] }) ?? true { best = (n, valley) }
            }
            guard let best else { return nil }
            // Between in-body cement and its wall lies cancellous bone, denser than the soft tissue outside; beyond
            // cement that leaked out lies soft tissue.
            let between = values[(lastCement + 1)..<best.ridge].filter { $0 < values[best.ridge] }.sorted()
            guard between.isEmpty || between[between.count / 2] >= outside + 30 else { return nil }
            (peakIndex, innerLimit) = best
        }
        guard values[peakIndex] - outside >= 40 else { return nil }
        let threshold = 0.25 * (values[peakIndex] - outside)
        var low = peakIndex, high = peakIndex
        while low > innerLimit, values[low - 1] - outside > threshold, values[low - 1] < cement { low -= 1 }
        while high < values.count - 1, values[high + 1] - outside > threshold { high += 1 }
        var weight = 0.0, moment = 0.0
        for n in low...high {
            let excess = max(0, values[n] - outside)
            weight += excess
            moment += excess * samples[n].0
        }
        return weight > 0 ? moment / weight + wallThickness / 2 : nil
    }

    /// The first ridge of a column's profile outwards from the body's middle `k0` that stands out against both the
    /// cancellous bone inside and the disc outside (≥ 50 HU each way): the treated body's endplate, since the next
    /// vertebra's lies beyond the disc. Nil when none does or cement hides the inside of the first one. Each side's
    /// level is the lowest of the samples within 3 mm, but at least two: an endplate split across two 3 mm slices
    /// does not stand out against its own second slice.
    func firstRidge(_ p: [Float], from k0: Int, direction: Int, dz: Double) -> Int? {
        let reach = max(2, Int((3 / dz).rounded(.up))), limit = Int((22 / dz).rounded(.up))
        func value(_ k: Int) -> Double? { k >= 0 && k < p.count && p[k].isFinite ? Double(p[k]) : nil }
        var k = k0 + direction
        while abs(k - k0) <= limit, k - direction >= 0, k + direction >= 0, k + direction < p.count {
            defer { k += direction }
            guard let here = value(k), let before = value(k - direction), let after = value(k + direction),
                  here >= before, here >= after else { continue }
            guard let outer = (1...reach).compactMap({ value(k + direction * $0) }).min(), here - outer >= ridgeProminenceHU else { continue }
            guard let inner = (1...reach).compactMap({ value(k - direction * $0) }).min() else { return nil }
            if here - inner >= ridgeProminenceHU { return k }
        }
        return nil
    }

    /// An endplate's outer surface in one column (mm from the first slice), or NaN when hidden by cement: the
    /// strongest ridge within 4.5 mm of `k0`, located by the HU centroid of its excess plus half a wall.
    func endplate(_ p: [Float], around k0: Int, direction: Int, dz: Double) -> Double {
        let half = Int((4.5 / dz).rounded(.up))
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
                .filter { $0 >= 0 && $0 < p.count && p[$0].isFinite }.map { Double(p[$0]) }.sorted()
            return values.isEmpty ? nil : values[values.count / 2]
        }
        guard let outside = level(direction) else { return .nan }
        let inside = level(-direction) ?? outside, base = max(outside, inside)
        // A ridge that barely rises above the disc is noise in the disc, found where cement hides the endplate.
        guard Double(p[best]) - base >= ridgeProminenceHU else { return .nan }
        // In thick slices the endplate's partial volume spreads over few samples: the low ones count too.
        let threshold = (dz >= 1.5 ? 0.1 : 0.25) * (Double(p[best]) - base)
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
            let residuals = kept.map { abs(z[$0] - value(points[$0].0, points[$0].1)) }.sorted()
            let mad = residuals[residuals.count / 2] * 1.4826
            tolerance = max(3 * mad, 0.5)
            keep = points.indices.map { z[$0].isFinite && abs(z[$0] - value(points[$0].0, points[$0].1)) < tolerance }
            guard keep.filter({ $0 }).count >= 3 else { return nil }
        }
    }

    func value(_ x: Double, _ y: Double) -> Double { a + b * x + c * y }
    func accepts(_ x: Double, _ y: Double, _ z: Double) -> Bool { abs(z - value(x, y)) < tolerance }
}
