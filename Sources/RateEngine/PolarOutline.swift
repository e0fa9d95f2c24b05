import CementCore
import Foundation

/// The vertebral body's cross-section: the closed outline of its cortical shell on the body's mid-height slab,
/// found as the best path around the cement in polar coordinates (dynamic programming over rays).
///
/// The slices of the middle half of the cement's extent along the body's axis are averaged (cement excluded),
/// which lowers noise and trabecular texture; what is left of both is measured on the average, in the
/// cancellous bone around the cement. Along each ray from the centre, a sample scores as the wall where the profile forms a ridge
/// (the blurred cortex) or a falling step (bone to soft tissue) that stands out against that noise. The path
/// maximises the summed score less a penalty for radius changes between neighbouring rays and for crossing an
/// inner wall to reach an outer one (a rib head, a pedicle, the lamina lie outside the body's first wall). Where
/// cement or its blur hides the wall, the samples score nothing and the path bridges them from the rays on either
/// side. The body's surface is the ridge's centre plus half a cortical thickness, or the step's half-way point.
struct PolarOutline: Sendable {
    /// The stage's settings, echoed in `parameters.outline` of `rate --json`.
    struct Parameters: Sendable, Codable, Equatable {
        /// Rays around the centre (2° apart).
        var rays = 180
        /// Farthest radius searched (mm): half the width of the largest lumbar bodies (about 55 mm) plus room.
        var maximumRadiusMM = 40.0
        /// Sample step along a ray (mm).
        var stepMM = 0.25
        /// Thickness of the cortical shell (mm): a few tenths of a millimetre (Silva et al. 1994), under a voxel,
        /// so the blurred ridge's centre is the shell's centre and the surface lies half this beyond it.
        var corticalThicknessMM = 0.6
        /// A wall must stand out by this many standard deviations of the slab's noise to score at all.
        var ridgeNoiseMultiple = 4.0
        /// Scores are capped at this many noise standard deviations: a dense rib or lamina counts no more than a
        /// clear cortex.
        var scoreCap = 8.0
        /// Width (degrees) of the angular window over which neighbouring rays' profiles are averaged before
        /// scoring: the cement's metal-like streaks are a few degrees wide and radial, so they vanish in the mean,
        /// while the wall, across the rays, changes its radius by under 0.5 mm within the window.
        var angularWindowDegrees = 8.0
        /// Cost of crossing a wall that scored to reach one farther out, per unit of the crossed wall's score: an
        /// outer wall wins only where it scores more than twice the inner one.
        var crossingPenalty = 1.0
        /// Cost per mm² of radius change between neighbouring rays: a jump of 2 mm costs as much as a clear wall
        /// gains; the body's outline changes by under 1 mm per 2° (the kidney-shaped posterior wall included).
        var smoothnessPerMM2 = 2.0
        /// Voxels within this distance (mm, in 3D) of the level's cement are left out of the slab average, and
        /// pixels left with under a quarter of the slab score nothing and count in no wall's surroundings: the
        /// cement's blurred shoulder reaches about 3 σ of the widest soft-kernel PSF (0.8 mm) beyond its half-way
        /// edge, and its interdigitated fringe 1–3 mm.
        var cementClearanceMM = 3.0
        /// A falling step found this far (mm) outside the ellipse through the cortex's ridges is taken for another
        /// structure's edge (the fat beyond the psoas) seen where cement hides the body's own wall, and bridged: a
        /// body's outline departs from an ellipse inwards (the posterior wall's concavity), by under 3 mm outwards.
        var outwardExcursionMM = 3.0

        enum CodingKeys: String, CodingKey {
            case rays, maximumRadiusMM = "maximum_radius_mm", stepMM = "step_mm", corticalThicknessMM = "cortical_thickness_mm"
            case ridgeNoiseMultiple = "ridge_noise_multiple", scoreCap = "score_cap", crossingPenalty = "crossing_penalty"
            case smoothnessPerMM2 = "smoothness_per_mm2", angularWindowDegrees = "angular_window_degrees", cementClearanceMM = "cement_clearance_mm"
            case outwardExcursionMM = "outward_excursion_mm"
        }
    }

    /// The outline: its centre (pixel coordinates of the grid), the body's radius (mm) per ray, and which rays
    /// found a wall of their own (the others were bridged).
    struct Outline: Sendable {
        var centre: SIMD2<Double>
        var radii: [Double]
        var wallSeen: [Bool]
        /// Noise standard deviation (HU) of the mid-body slab average.
        var slabNoiseHU: Double
    }

    var parameters = Parameters()

    /// The outline on `grid`'s slices `slab` around the cement `seeds`; `near`, when the caller has it, is the
    /// cement dilated by `cementClearanceMM`.
    func outline(_ grid: Grid, seeds: Mask, near given: Mask? = nil, slab: [Int]) -> Outline? {
        let (nx, ny) = (grid.size.x, grid.size.y)
        guard !slab.isEmpty, nx >= 4, ny >= 4 else { return nil }
        // The slab average without the cement and its surroundings in 3D: a blob of cement in only some of the
        // slab's slices would otherwise leave its blurred shoulder in the average as a bright patch whose falling
        // edge looks like a wall. A pixel with too few voxels clear of cement is hidden (it scores nothing).
        // The cement is the level's own cement mask, not a HU threshold: a dense cortex or endplate reaches 1000 HU.
        let clearance = parameters.cementClearanceMM
        let near = given ?? seeds.dilated(radius: SIMD3(clearance, clearance, max(clearance, grid.spacing.z)), spacing: grid.spacing)
        let kept = max(1, (slab.count + 3) / 4)
        var average = [Double](repeating: .nan, count: nx * ny)
        var hidden = [Bool](repeating: false, count: nx * ny), anyCement = hidden
        var centroid = SIMD2<Double>(), seedCount = 0.0
        for j in 0..<ny {
            for i in 0..<nx {
                var sum = 0.0, count = 0, touched = false
                for k in slab {
                    let n = grid.index(i, j, k)
                    if seeds.bits[n] {
                        centroid += SIMD2(Double(i), Double(j))
                        seedCount += 1
                        touched = true
                    }
                    if !near.bits[n] {
                        sum += Double(grid.values[n])
                        count += 1
                    }
                }
                if touched { anyCement[j * nx + i] = true }
                if count < kept { hidden[j * nx + i] = true } else { average[j * nx + i] = sum / Double(count) }
            }
        }
        guard seedCount > 0 else { return nil }
        let noise = slabNoise(average, cement: anyCement, nx, ny, spacing: SIMD2(grid.spacing.x, grid.spacing.y))
        var centre = centroid / seedCount
        var result: Outline?
        // The cement's centroid may lie off the body's centre (one pedicle's side); the outline's own centroid,
        // found from it, is a better centre for the rays.
        for _ in 0..<2 {
            guard let found = trace(average, hidden: hidden, nx: nx, ny: ny, spacing: SIMD2(grid.spacing.x, grid.spacing.y),
                                    centre: centre, noise: noise) else { return result }
            result = found
            centre = polygonCentroid(found, spacing: SIMD2(grid.spacing.x, grid.spacing.y))
        }
        return result
    }

    /// Noise of the slab average as a wall search meets it: the robust spread (1.4826 × MAD) of the average
    /// against its own 3 mm box mean, away from the cement (6 mm from any cement of the slab). It holds the
    /// trabecular texture and the correlated noise up to the scale of a wall's surroundings, which differences of
    /// neighbouring pixels would miss; the anatomy's edges are too few to move the median.
    private func slabNoise(_ a: [Double], cement: [Bool], _ nx: Int, _ ny: Int, spacing: SIMD2<Double>) -> Double {
        let away = PlaneMorphology.dilate(cement, width: nx, height: ny, radius: 6, spacing: spacing)
        let hx = max(1, Int((1.5 / spacing.x).rounded())), hy = max(1, Int((1.5 / spacing.y).rounded()))
        var residuals: [Double] = []
        for j in stride(from: hy, to: ny - hy, by: 1) {
            for i in stride(from: hx, to: nx - hx, by: 1) where !away[j * nx + i] && a[j * nx + i].isFinite {
                var sum = 0.0, count = 0.0
                for y in (j - hy)...(j + hy) {
                    for x in (i - hx)...(i + hx) where a[y * nx + x].isFinite {
                        sum += a[y * nx + x]
                        count += 1
                    }
                }
                residuals.append(abs(a[j * nx + i] - sum / count))
            }
        }
        guard residuals.count >= 20, let spread = residuals.median() else { return 20 }
        return max(2, 1.4826 * spread)
    }

    private func trace(_ a: [Double], hidden: [Bool], nx: Int, ny: Int, spacing: SIMD2<Double>, centre: SIMD2<Double>,
                       noise: Double) -> Outline?
    {
        let p = parameters
        let samples = Int(p.maximumRadiusMM / p.stepMM)
        guard samples > 8 else { return nil }
        func value(_ x: Double, _ y: Double) -> Double? {
            guard x >= 0, y >= 0, x <= Double(nx - 1), y <= Double(ny - 1) else { return nil }
            let i = min(Int(x), nx - 2), j = min(Int(y), ny - 2)
            let fx = x - Double(i), fy = y - Double(j)
            let corners = [(i, j, (1 - fx) * (1 - fy)), (i + 1, j, fx * (1 - fy)), (i, j + 1, (1 - fx) * fy), (i + 1, j + 1, fx * fy)]
            var sum = 0.0, weight = 0.0, covered = 0.0
            for (ci, cj, w) in corners where w > 0 {
                let n = cj * nx + ci
                if hidden[n] { covered += w } else if a[n].isFinite {
                    sum += w * a[n]
                    weight += w
                }
            }
            if covered >= 0.5 || weight == 0 { return .nan }
            return sum / weight
        }
        let inner = (Int(1 / p.stepMM), Int(3 / p.stepMM)), outer = (Int(0.75 / p.stepMM), Int(2.5 / p.stepMM))
        let flank = Int(1.5 / p.stepMM)
        // Per ray and sample: the wall score and the radius offset of the body's surface from the sample.
        var score = [[Double]](repeating: [Double](repeating: 0, count: samples), count: p.rays)
        var offset = score
        var raw = [[Double]](repeating: [Double](repeating: .nan, count: samples), count: p.rays)
        for ray in 0..<p.rays {
            let theta = 2 * Double.pi * Double(ray) / Double(p.rays)
            let direction = SIMD2(cos(theta) / spacing.x, sin(theta) / spacing.y)
            for s in 0..<samples {
                let r = Double(s + 1) * p.stepMM
                guard let sample = value(centre.x + r * direction.x, centre.y + r * direction.y) else { break }
                raw[ray][s] = sample
            }
        }
        // Each ray's profile is the mean over its neighbours within the angular window: streaks from the cement run
        // along the rays and change across them, the wall runs across them.
        let reach = max(0, Int((p.angularWindowDegrees / 2 / (360 / Double(p.rays))).rounded()))
        for ray in 0..<p.rays {
            var profile = [Double](repeating: .nan, count: samples)
            for s in 0..<samples where raw[ray][s].isFinite {
                var sum = 0.0, count = 0.0
                for d in -reach...reach {
                    let v = raw[(ray + d + p.rays) % p.rays][s]
                    if v.isFinite {
                        sum += v
                        count += 1
                    }
                }
                profile[s] = sum / count
            }
            let end = (profile.lastIndex { $0.isFinite } ?? -1) + 1
            /// The mean of the known samples in `range`, when they are at least half of it.
            func mean(_ range: Range<Int>) -> Double? {
                let values = range.clamped(to: 0..<end).map { profile[$0] }.filter(\.isFinite)
                return values.isEmpty || 2 * values.count < range.count ? nil : values.reduce(0, +) / Double(values.count)
            }
            var ridge = [Double](repeating: 0, count: samples)
            for s in 1..<max(1, end - 1) where profile[s].isFinite {
                // A ridge: a local maximum above the bone inside and the tissue outside. Both neighbours must be
                // known: next to the cement's cleared zone a falling shoulder is no peak.
                let here = profile[s]
                if here >= profile[s - 1], here >= profile[s + 1], let outside = mean((s + outer.0)..<(s + outer.1)) {
                    let inside = mean((s - inner.1)..<(s - inner.0)) ?? outside
                    ridge[s] = min(here - inside, here - outside) / noise
                }
            }
            func descent(_ s: Int) -> Double {
                s >= 1 && s + 1 < end && profile[s - 1].isFinite && profile[s + 1].isFinite ? profile[s - 1] - profile[s + 1] : -.infinity
            }
            for s in 1..<max(1, end - 1) where profile[s].isFinite {
                var best = ridge[s], shift = p.corticalThicknessMM / 2
                // A falling step (bone inside, tissue outside) where the profile falls fastest, unless a wall's
                // ridge lies just inside: its outer flank is no wall of its own.
                let ridgeInside = ((s - flank)..<s).contains { $0 >= 0 && ridge[$0] >= p.ridgeNoiseMultiple }
                if !ridgeInside, descent(s) >= descent(s - 1), descent(s) >= descent(s + 1),
                   let inside = mean((s - flank)..<s), let outside = mean((s + 1)..<(s + 1 + flank)) {
                    let step = (inside - outside) / noise / 2
                    if step > best {
                        best = step
                        shift = 0
                    }
                }
                if best >= p.ridgeNoiseMultiple {
                    score[ray][s] = min(best, p.scoreCap)
                    offset[ray][s] = shift
                }
            }
        }
        // The strongest wall crossed on the way to each sample: the highest score peak at least 1 mm before it
        // (the highest, not the sum, so that chance peaks inside do not add up to block the wall).
        let beyond = Int((1 / p.stepMM).rounded())
        var crossed = score
        for ray in 0..<p.rays {
            var sum = 0.0
            for s in 0..<samples {
                let back = s - beyond
                if back >= 0, score[ray][back] > 0, back == 0 || score[ray][back] >= score[ray][back - 1],
                   score[ray][back] > score[ray][back + 1] {
                    sum = max(sum, score[ray][back])
                }
                crossed[ray][s] = sum
            }
        }
        // Dynamic programming around three turns; the middle turn is closed on itself to within the smoothness.
        let maxJump = Int((2.5 / p.stepMM).rounded())
        let lambda = p.smoothnessPerMM2 * p.stepMM * p.stepMM
        let turns = 3 * p.rays
        var gain = (0..<samples).map { s in score[0][s] - p.crossingPenalty * crossed[0][s] }
        var from = [[Int32]](repeating: [Int32](repeating: 0, count: samples), count: turns)
        for step in 1..<turns {
            let ray = step % p.rays
            var next = [Double](repeating: -.infinity, count: samples)
            for s in 0..<samples {
                var bestValue = -Double.infinity, bestFrom = s
                for t in max(0, s - maxJump)...min(samples - 1, s + maxJump) {
                    let d = Double(s - t)
                    let v = gain[t] - lambda * d * d
                    if v > bestValue {
                        bestValue = v
                        bestFrom = t
                    }
                }
                next[s] = bestValue + score[ray][s] - p.crossingPenalty * crossed[ray][s]
                from[step][s] = Int32(bestFrom)
            }
            gain = next
        }
        var path = [Int](repeating: 0, count: turns)
        path[turns - 1] = gain.indices.max { gain[$0] < gain[$1] } ?? 0
        for step in stride(from: turns - 1, to: 0, by: -1) { path[step - 1] = Int(from[step][path[step]]) }
        var radii = [Double](repeating: 0, count: p.rays), seen = [Bool](repeating: false, count: p.rays)
        var cortex = seen
        for ray in 0..<p.rays {
            let s = path[p.rays + ray]
            radii[ray] = Double(s + 1) * p.stepMM + offset[ray][s]
            seen[ray] = score[ray][s] > 0
            cortex[ray] = seen[ray] && offset[ray][s] > 0
        }
        guard seen.filter({ $0 }).count * 4 >= p.rays else { return nil }
        bridgeWithEllipse(&radii, seen: seen, cortex: cortex)
        return Outline(centre: centre, radii: radii, wallSeen: seen, slabNoiseHU: noise)
    }

    /// Runs of at least `minimumRun` rays without a wall of their own (cement hides it, or the pedicles join
    /// there) take the radius of the conic A x² + B xy + C y² + D x + E y = 1 fitted by least squares to the rays
    /// whose wall is a cortical ridge (`cortex`; to all rays that saw a wall when fewer than a quarter are ridges):
    /// a body's cross-section is close to an ellipse, and the path's own bridge is straight in radius, which
    /// overshoots where the hidden arc curves (the flat front of an elliptic body).
    private func bridgeWithEllipse(_ radii: inout [Double], seen: [Bool], cortex: [Bool], minimumRun: Int = 3) {
        let n = radii.count
        func theta(_ ray: Int) -> Double { 2 * Double.pi * Double(ray) / Double(n) }
        func fit(_ rays: [Int]) -> [Double]? {
            guard rays.count >= 10 else { return nil }
            let points = rays.map { SIMD2(radii[$0] * cos(theta($0)), radii[$0] * sin(theta($0))) }
            return LinearSystem.leastSquares(points.map { [$0.x * $0.x, $0.x * $0.y, $0.y * $0.y, $0.x, $0.y] },
                                             [Double](repeating: 1, count: points.count))
        }
        func conicRadius(_ c: [Double], _ theta: Double) -> Double? {
            // Along direction u the conic gives (A u_x² + B u_x u_y + C u_y²) r² + (D u_x + E u_y) r − 1 = 0.
            let (ux, uy) = (cos(theta), sin(theta))
            let qa = c[0] * ux * ux + c[1] * ux * uy + c[2] * uy * uy, qb = c[3] * ux + c[4] * uy
            guard qa > 0 else { return nil }
            let r = (-qb + (qb * qb + 4 * qa).squareRoot()) / (2 * qa)
            return r > 0 && r.isFinite ? r : nil
        }
        // The ellipse is fitted to the rays whose wall is a cortex's ridge (when there are enough): a falling step
        // may be the body's edge, or the fat beyond the psoas seen through an arc whose own wall cement hides. A step
        // far outside that ellipse belongs to another structure and is bridged too; a ridge is kept.
        let ridges = (0..<n).filter { cortex[$0] }
        guard let c = fit(ridges.count >= n / 4 ? ridges : (0..<n).filter { seen[$0] }) else { return }
        var trusted = seen
        for ray in 0..<n where seen[ray] && !cortex[ray] {
            if let r = conicRadius(c, theta(ray)), radii[ray] > r + parameters.outwardExcursionMM { trusted[ray] = false }
        }
        guard let start = (0..<n).first(where: { trusted[$0] }) else { return }
        var ray = 0
        while ray < n {
            let first = (start + ray) % n
            guard !trusted[first] else {
                ray += 1
                continue
            }
            var length = 0
            while length < n, !trusted[(first + length) % n] { length += 1 }
            if length >= minimumRun {
                for k in 0..<length {
                    let index = (first + k) % n
                    if let r = conicRadius(c, theta(index)) { radii[index] = r }
                }
            }
            ray += length
        }
    }

    /// The centroid (pixel coordinates) of the star-shaped outline.
    private func polygonCentroid(_ outline: Outline, spacing: SIMD2<Double>) -> SIMD2<Double> {
        let n = outline.radii.count
        var area = 0.0, c = SIMD2<Double>()
        let points = outline.radii.enumerated().map { ray, r -> SIMD2<Double> in
            let theta = 2 * Double.pi * Double(ray) / Double(n)
            return SIMD2(r * cos(theta), r * sin(theta))
        }
        for k in 0..<n {
            let a = points[k], b = points[(k + 1) % n]
            let cross = a.x * b.y - b.x * a.y
            area += cross
            c += (a + b) * cross
        }
        guard abs(area) > 1e-9 else { return outline.centre }
        c /= 3 * area
        return outline.centre + SIMD2(c.x / spacing.x, c.y / spacing.y)
    }
}
