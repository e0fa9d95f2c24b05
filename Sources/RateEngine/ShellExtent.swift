import CementCore
import Foundation

/// How far along the body's axis its cortical shell runs: the slices where the wall found at mid-body still stands
/// out, which guide the search for the endplates.
///
/// The thin cortical wall encloses the body from one endplate to the other and no farther: beyond an endplate lies
/// the disc, whose annulus is soft tissue. A sclerotic band inside the body brightens the slices it crosses, but the
/// wall goes on past it to the true endplate, where a ridge search along the axis cannot tell the band from the
/// endplate. Per slice, the radial profile across the mid-body outline is averaged over the rays whose wall was seen
/// and that cement does not hide; the wall's prominence is its peak near the outline over the mean of the levels
/// inside and outside (so bright band and endplate slices, where the inside is as dense as the wall, keep their
/// rim). The shell ends where the prominence falls below half its mid-body value.
struct ShellExtent: Sendable {
    /// The stage's settings, echoed in `parameters.shell_extent` of `rate --json`.
    struct Parameters: Sendable, Codable, Equatable {
        /// The wall's peak is sought within this distance (mm) of the mid-body outline: the body's waist narrows it
        /// by 1–2 mm at mid-height against the endplates' rims.
        var peakReachMM = 2.0
        /// The levels inside and outside the wall are read between these distances (mm) from the outline: beyond
        /// a blurred wall (PSF σ up to 0.8 mm) and within the body's and the soft tissue's first few millimetres.
        var levelNearMM = 2.5
        var levelFarMM = 4.5
        /// The shell ends where the wall's prominence falls below this fraction of its mid-body value: the disc's
        /// annulus (70–100 HU) against fat or psoas stands out by well under half as much as a cortex.
        var endFraction = 0.5
        /// A slice counts only where at least this share of the seen walls' rays are clear of cement.
        var minimumRayShare = 0.25
        /// The mid-body wall must stand out by this many times the prominence's own scatter over the slab's
        /// slices; a fainter wall (heavy noise, an outline that missed the wall) gives no extent.
        var minimumSignalToScatter = 4.0
        /// No end is taken farther than this (mm) from the slab's middle: the tallest lumbar bodies stand about
        /// 35 mm, and the cement, whose middle the slab's is, may lie near one endplate. A wall running on beyond
        /// it has crossed a disc that thick slices or osteophytes hid.
        var maximumReachMM = 30.0

        enum CodingKeys: String, CodingKey {
            case peakReachMM = "peak_reach_mm", levelNearMM = "level_near_mm", levelFarMM = "level_far_mm"
            case endFraction = "end_fraction", minimumRayShare = "minimum_ray_share"
            case minimumSignalToScatter = "minimum_signal_to_scatter", maximumReachMM = "maximum_reach_mm"
        }
    }

    var parameters = Parameters()

    /// The shell's ends (slice positions in mm from the grid's first slice, superior then inferior; nil where the
    /// wall does not fall off before the grid ends) on `grid`, around the `outline` traced on the `slab` slices;
    /// voxels of `hidden` (the cement and its surroundings) are not read.
    func ends(_ grid: Grid, outline: PolarOutline.Outline, hidden: Mask, slab: [Int]) -> (top: Double?, bottom: Double?) {
        let (nx, ny, nz) = (grid.size.x, grid.size.y, grid.size.z)
        let p = parameters, step = 0.5
        let offsets = stride(from: -p.levelFarMM, through: p.levelFarMM, by: step).map { $0 }
        let rays = outline.radii.indices.filter { outline.wallSeen[$0] && outline.radii[$0].isFinite }
        guard rays.count >= 8 else { return (nil, nil) }
        // Sample positions (pixel coordinates) per ray and offset.
        let points = rays.map { ray -> [SIMD2<Double>] in
            let theta = 2 * Double.pi * Double(ray) / Double(outline.radii.count)
            let direction = SIMD2(cos(theta) / grid.spacing.x, sin(theta) / grid.spacing.y)
            return offsets.map { outline.centre + (outline.radii[ray] + $0) * direction }
        }
        func prominence(_ k: Int) -> Double? {
            var sums = [Double](repeating: 0, count: offsets.count), used = 0
            rayLoop: for ray in points.indices {
                var profile = [Double](repeating: 0, count: offsets.count)
                for (s, q) in points[ray].enumerated() {
                    let i = Int(q.x.rounded()), j = Int(q.y.rounded())
                    guard i >= 0, j >= 0, i < nx, j < ny, !hidden[i, j, k] else { continue rayLoop }
                    let i0 = min(max(Int(q.x.rounded(.down)), 0), nx - 2), j0 = min(max(Int(q.y.rounded(.down)), 0), ny - 2)
                    let fx = min(max(q.x - Double(i0), 0), 1), fy = min(max(q.y - Double(j0), 0), 1)
                    func v(_ a: Int, _ b: Int) -> Double { Double(grid.values[grid.index(a, b, k)]) }
                    profile[s] = (1 - fx) * (1 - fy) * v(i0, j0) + fx * (1 - fy) * v(i0 + 1, j0)
                        + (1 - fx) * fy * v(i0, j0 + 1) + fx * fy * v(i0 + 1, j0 + 1)
                }
                for s in offsets.indices { sums[s] += profile[s] }
                used += 1
            }
            guard Double(used) >= p.minimumRayShare * Double(rays.count) else { return nil }
            let mean = sums.map { $0 / Double(used) }
            let peak = zip(offsets, mean).filter { abs($0.0) <= p.peakReachMM }.map(\.1).max() ?? .nan
            let inside = zip(offsets, mean).filter { -$0.0 >= p.levelNearMM }.map(\.1).median() ?? .nan
            let outside = zip(offsets, mean).filter { $0.0 >= p.levelNearMM }.map(\.1).median() ?? .nan
            let value = peak - (inside + outside) / 2
            return value.isFinite ? value : nil
        }
        let profile = (0..<nz).map(prominence)
        let inSlab = slab.compactMap { profile[$0] }
        guard let middle = inSlab.median(), middle > 0 else { return (nil, nil) }
        // The scatter of a slice's prominence: the robust spread over the slab's slices, or over neighbouring
        // slices where the slab holds too few to tell.
        let deviations = inSlab.map { abs($0 - middle) }
        let scatter = inSlab.count >= 3 ? 1.4826 * (deviations.median() ?? 0) : 0
        guard middle >= p.minimumSignalToScatter * scatter else { return (nil, nil) }
        let level = p.endFraction * middle
        let start = slab[slab.count / 2]
        func end(_ direction: Int) -> Double? {
            // Outwards from the slab's middle; slices cement hides are passed over.
            var k = start, last = k
            while k + direction >= 0, k + direction < nz, Double(abs(k + direction - start)) * grid.spacing.z <= p.maximumReachMM {
                k += direction
                guard let value = profile[k] else { continue }
                if value < level {
                    // Between the last slice above the level and this one, where the prominence crosses it.
                    let above = profile[last] ?? middle
                    let t = above > value ? (above - level) / (above - value) : 0.5
                    return (Double(last) + t * Double(k - last)) * grid.spacing.z
                }
                last = k
            }
            return nil
        }
        return (end(1), end(-1))
    }
}
