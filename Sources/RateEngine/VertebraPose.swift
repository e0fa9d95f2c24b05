import Foundation
import Imaging

/// The axis of a treated vertebral body, from the gradient structure tensor of the bone around its cement.
///
/// A vertebral body is a squat cylinder capped by two endplates, with a disc and the next endplate beyond each:
/// four plates whose gradients all point along the body's axis, and a thin wall whose gradients lie across it.
/// The eigenvector of the largest eigenvalue of Σ w ∇I ∇Iᵀ over the gradients within a cone around the slice
/// normal (the plates'; the walls' would make the tensor nearly isotropic on faint osteoporotic anatomy), with HU
/// clamped to the range of bone and soft tissue so fat and air edges weigh little, voxels near cement left out and
/// a Gaussian window around the cement, is therefore the body's axis, whatever the pitch (lordosis, kyphosis) or
/// roll (scoliosis).
struct VertebraPose: Sendable {
    /// The stage's settings, echoed in `parameters.pose`.
    struct Parameters: Sendable, Codable, Equatable {
        /// The tensor is taken on isotropic voxels of this size (mm), or of the slice step where that is larger.
        var workingPixelMM = 1.0
        /// Gaussian smoothing before the gradients (mm; at least half a voxel): suppresses noise and trabecular
        /// texture, keeps plates.
        var smoothingSigmaMM = 1.0
        /// Standard deviation (mm) of the Gaussian window around the cement centre: about a body's radius, so
        /// the body's own plates and its neighbours' nearest ones dominate.
        var windowSigmaMM = 15.0
        /// Only gradients within this angle (degrees) of the grid's slice normal count: the plates' (endplates,
        /// discs), not the walls', whose gradients lie across the axis. The grid turns with the estimate, so the
        /// cone stays centred on the plates; it must exceed the largest tilt measured in one step.
        var plateConeDegrees = 35.0
        /// Voxels within this distance (mm) of cement are left out: cement edges point every way.
        var cementExclusionMM = 3.0
        /// HU are clamped to this range first: bone and disc edges count, fat, air and cement edges little.
        var clampLowHU = 0.0
        var clampHighHU = 800.0
        /// Below this tilt (degrees) the body is measured in the scanner's frame, where no resampling blurs it: on
        /// 2.5–3 mm slices untilted bodies read up to about 3°.
        var minimumTiltDegrees = 5.0
        /// Above this tilt (degrees), more than lordosis, kyphosis or scoliosis bring to one body, the estimate is
        /// taken to have failed (the plates did not dominate the window) and the scanner's frame is kept.
        var maximumTiltDegrees = 35.0
        /// The estimate is repeated on a grid resampled along the last axis until the residual tilt falls below
        /// this (degrees), at most `refinements` times.
        var refinementToleranceDegrees = 0.5
        var refinements = 3

        enum CodingKeys: String, CodingKey {
            case workingPixelMM = "working_pixel_mm", smoothingSigmaMM = "smoothing_sigma_mm"
            case windowSigmaMM = "window_sigma_mm", cementExclusionMM = "cement_exclusion_mm"
            case plateConeDegrees = "plate_cone_degrees"
            case clampLowHU = "clamp_low_hu", clampHighHU = "clamp_high_hu"
            case minimumTiltDegrees = "minimum_tilt_degrees", maximumTiltDegrees = "maximum_tilt_degrees"
            case refinementToleranceDegrees = "refinement_tolerance_degrees", refinements
        }
    }

    /// Unit vector of the body's axis in patient coordinates (LPS), on the side of the series' slice direction.
    var axis: SIMD3<Double>
    /// Angle (degrees) between the axis and the series' slice direction.
    var tiltDegrees: Double
    /// Largest eigenvalue over the sum of the other two: well above 1 when plates dominate the window.
    var anisotropy: Double

    /// Estimates the axis of the body around the cement `seeds` (on `box` of `volume`), centred at `centre` (a
    /// continuous index of the box). The tensor is taken on an isotropic grid of voxels no smaller than the
    /// slices (finite differences on anisotropic voxels bias the axis away from the coarse direction), first in
    /// the series' frame, then on grids turned with the estimate — the bias of the estimate grows with the tilt
    /// against the grid — until the residual tilt is below `refinementToleranceDegrees`.
    static func estimate(_ volume: HUVolume, box: GridBox, seeds: Mask, centre: SIMD3<Double>,
                         parameters p: Parameters) -> VertebraPose? {
        let g = volume.geometry
        let middle = g.patientPosition(ofIndex: centre + SIMD3<Double>(box.offset))
        let step = max(p.workingPixelMM, g.spacing.z)
        var frame = (row: g.rowDirection, column: g.columnDirection, slice: g.sliceDirection)
        var pose: VertebraPose?
        for _ in 0...p.refinements {
            let resampler = FrameResampler(source: g, centre: middle, frame: frame,
                                           halfExtent: SIMD3(repeating: 3 * p.windowSigmaMM), spacing: SIMD3(repeating: step))
            let resampled = resampler.resample(volume)
            let r = resampled.geometry
            var near = Mask(size: r.size)
            for k in 0..<r.size.z {
                for j in 0..<r.size.y {
                    for i in 0..<r.size.x {
                        let q = SIMD3<Int>((resampler.sourceIndex(of: SIMD3(i, j, k), in: g) - SIMD3<Double>(box.offset))
                            .rounded(.toNearestOrAwayFromZero))
                        guard q.min() >= 0, q.x < box.size.x, q.y < box.size.y, q.z < box.size.z else { continue }
                        near[i, j, k] = seeds[q.x, q.y, q.z]
                    }
                }
            }
            near = near.dilated(radius: SIMD3(repeating: p.cementExclusionMM), spacing: r.spacing)
            guard let (local, anisotropy) = principalAxis(resampled, excluding: near, parameters: p) else { return pose }
            var axis = local.x * r.rowDirection + local.y * r.columnDirection + local.z * r.sliceDirection
            if (axis * g.sliceDirection).sum() < 0 { axis = -axis }
            let tilt = acos(min(1, abs((axis * g.sliceDirection).sum()))) * 180 / .pi
            pose = VertebraPose(axis: axis, tiltDegrees: tilt, anisotropy: anisotropy)
            let residual = acos(min(1, abs(local.z))) * 180 / .pi
            if tilt < p.minimumTiltDegrees || residual < p.refinementToleranceDegrees { break }
            frame = pose!.frame(of: g)
        }
        return pose
    }

    private init(axis: SIMD3<Double>, tiltDegrees: Double, anisotropy: Double) {
        self.axis = axis
        self.tiltDegrees = tiltDegrees
        self.anisotropy = anisotropy
    }

    /// The principal eigenvector of the windowed gradient structure tensor of `volume` (in its index frame, on
    /// the side of +k) and the anisotropy of the tensor.
    private static func principalAxis(_ volume: HUVolume, excluding near: Mask, parameters p: Parameters)
        -> (SIMD3<Double>, Double)?
    {
        let size = volume.geometry.size, h = volume.geometry.spacing
        guard size.x >= 3, size.y >= 3, size.z >= 3 else { return nil }
        let geometry = VolumeGeometry(size: size, spacing: h, origin: .zero)
        var clamped = Volume<Float>(geometry: geometry, voxels: volume.voxels.map {
            min(Float(p.clampHighHU), max(Float(p.clampLowHU), Float($0)))
        })
        GaussianBlur(sigma: SIMD3(repeating: max(p.smoothingSigmaMM, h.max() / 2)) / h).apply(to: &clamped)
        let smooth = clamped.voxels
        let c = SIMD3<Double>(size &- 1) / 2
        let window = 1 / (2 * p.windowSigmaMM * p.windowSigmaMM)
        let cone = pow(cos(p.plateConeDegrees * .pi / 180), 2)
        @Sendable func index(_ i: Int, _ j: Int, _ k: Int) -> Int { (k * size.y + j) * size.x + i }
        // Per slice: six sums of the tensor, added up afterwards so that the slices can run in parallel.
        var partial = [[Double]](repeating: [Double](repeating: 0, count: 6), count: size.z)
        partial.withUnsafeMutableBufferPointer { buffer in
            let sums = SharedBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: size.z - 2) { slab in
                let k = slab + 1
                var t = [Double](repeating: 0, count: 6)
                for j in 1..<(size.y - 1) {
                    for i in 1..<(size.x - 1) where !near[i, j, k] {
                        let d = (SIMD3(Double(i), Double(j), Double(k)) - c) * h
                        let w = exp(-(d * d).sum() * window)
                        guard w > 1e-3 else { continue }
                        let g = SIMD3(
                            Double(smooth[index(i + 1, j, k)] - smooth[index(i - 1, j, k)]) / (2 * h.x),
                            Double(smooth[index(i, j + 1, k)] - smooth[index(i, j - 1, k)]) / (2 * h.y),
                            Double(smooth[index(i, j, k + 1)] - smooth[index(i, j, k - 1)]) / (2 * h.z))
                        // Plates only: a wall's gradient lies across the axis, outside the cone.
                        let g2 = (g * g).sum()
                        guard g.z * g.z >= cone * g2, g2 > 0 else { continue }
                        t[0] += w * g.x * g.x; t[1] += w * g.y * g.y; t[2] += w * g.z * g.z
                        t[3] += w * g.x * g.y; t[4] += w * g.x * g.z; t[5] += w * g.y * g.z
                    }
                }
                sums[k] = t
            }
        }
        var t = [Double](repeating: 0, count: 6)
        for slice in partial { for n in 0..<6 { t[n] += slice[n] } }
        let tensor = SymmetricMatrix3(xx: t[0], yy: t[1], zz: t[2], xy: t[3], xz: t[4], yz: t[5])
        guard tensor.trace > 0 else { return nil }
        let (values, vectors) = tensor.eigen()
        let order = [0, 1, 2].sorted { values[$0] > values[$1] }
        var local = vectors[order[0]]
        if local.z < 0 { local = -local }
        return (local, values[order[0]] / max(1e-12, values[order[1]] + values[order[2]]))
    }

    /// Orthonormal frame whose third axis is the body's axis and whose first two stay as close as they can to the
    /// series' row and column directions (so the patient's posterior stays where the series has it).
    func frame(of geometry: VolumeGeometry) -> (row: SIMD3<Double>, column: SIMD3<Double>, slice: SIMD3<Double>) {
        func unit(_ v: SIMD3<Double>) -> SIMD3<Double> { v / (v * v).sum().squareRoot() }
        let w = axis
        let u = unit(geometry.rowDirection - (geometry.rowDirection * w).sum() * w)
        let v = unit(geometry.columnDirection - (geometry.columnDirection * w).sum() * w - (geometry.columnDirection * u).sum() * u)
        return (u, v, w)
    }
}

/// A symmetric 3 × 3 matrix with its eigen-decomposition (cyclic Jacobi rotations).
struct SymmetricMatrix3: Sendable {
    var xx, yy, zz, xy, xz, yz: Double

    var trace: Double { xx + yy + zz }

    /// Eigenvalues and unit eigenvectors (vector n belongs to value n), in no particular order.
    func eigen() -> (values: [Double], vectors: [SIMD3<Double>]) {
        var a = [[xx, xy, xz], [xy, yy, yz], [xz, yz, zz]]
        var v = [[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0]]
        for _ in 0..<50 {
            let off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2]
            if off <= 1e-30 * max(1e-300, a[0][0] * a[0][0] + a[1][1] * a[1][1] + a[2][2] * a[2][2]) { break }
            for (p, q) in [(0, 1), (0, 2), (1, 2)] where a[p][q] != 0 {
                let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for r in 0..<3 {
                    let arp = a[r][p], arq = a[r][q]
                    a[r][p] = c * arp - s * arq
                    a[r][q] = s * arp + c * arq
                }
                for r in 0..<3 {
                    let apr = a[p][r], aqr = a[q][r]
                    a[p][r] = c * apr - s * aqr
                    a[q][r] = s * apr + c * aqr
                }
                for r in 0..<3 {
                    let vrp = v[r][p], vrq = v[r][q]
                    v[r][p] = c * vrp - s * vrq
                    v[r][q] = s * vrp + c * vrq
                }
            }
        }
        return ([a[0][0], a[1][1], a[2][2]], (0..<3).map { SIMD3(v[0][$0], v[1][$0], v[2][$0]) })
    }
}
