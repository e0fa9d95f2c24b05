import Foundation
import Imaging

/// The axis of a treated vertebral body, from the gradient structure tensor of the bone around its cement.
///
/// A vertebral body is a squat cylinder capped by two endplates, with a disc and the next endplate beyond each:
/// four plates whose gradients all point along the body's axis, against a thin wall whose gradients spread over
/// every direction across it. The eigenvector of the largest eigenvalue of Σ w ∇I ∇Iᵀ (HU clamped to the range of
/// bone and soft tissue so fat and air edges weigh little, voxels near cement left out, a Gaussian window around
/// the cement) is therefore the body's axis, whatever the pitch (lordosis, kyphosis) or roll (scoliosis).
struct VertebraPose: Sendable {
    /// The stage's settings, echoed in `parameters.pose`.
    struct Parameters: Sendable, Codable, Equatable {
        /// Voxels are binned in-plane toward this size (mm) before the gradients are taken.
        var workingPixelMM = 1.0
        /// Gaussian smoothing before the gradients (mm): suppresses noise and trabecular texture, keeps plates.
        var smoothingSigmaMM = 1.0
        /// Standard deviation (mm) of the Gaussian window around the cement centre: about a body's radius, so
        /// the body's own plates and its neighbours' nearest ones dominate.
        var windowSigmaMM = 15.0
        /// Voxels within this distance (mm) of cement are left out: cement edges point every way.
        var cementExclusionMM = 3.0
        /// HU are clamped to this range first: bone and disc edges count, fat, air and cement edges little.
        var clampLowHU = 0.0
        var clampHighHU = 800.0
        /// Below this tilt (degrees) the body is measured in the scanner's frame, where no resampling blurs it.
        var minimumTiltDegrees = 4.0
        /// Finite differences on anisotropic voxels bias the axis away from the coarse direction by about a sixth
        /// of the tilt; the estimate is repeated on a grid resampled along the last axis until the residual tilt
        /// falls below this (degrees), at most `refinements` times.
        var refinementToleranceDegrees = 0.5
        var refinements = 3

        enum CodingKeys: String, CodingKey {
            case workingPixelMM = "working_pixel_mm", smoothingSigmaMM = "smoothing_sigma_mm"
            case windowSigmaMM = "window_sigma_mm", cementExclusionMM = "cement_exclusion_mm"
            case clampLowHU = "clamp_low_hu", clampHighHU = "clamp_high_hu"
            case minimumTiltDegrees = "minimum_tilt_degrees"
            case refinementToleranceDegrees = "refinement_tolerance_degrees", refinements
        }
    }

    /// Unit vector of the body's axis in patient coordinates (LPS), on the side of the series' slice direction.
    var axis: SIMD3<Double>
    /// Angle (degrees) between the axis and the series' slice direction.
    var tiltDegrees: Double
    /// Largest eigenvalue over the sum of the other two: well above 1 when plates dominate the window.
    var anisotropy: Double

    /// Estimates the axis in `box` of `volume` around the cement `seeds` (on the box) centred at `centre`
    /// (a continuous index of the box).
    init?(_ volume: HUVolume, box: GridBox, seeds: Mask, centre: SIMD3<Double>, parameters: Parameters) {
        let factor = box.binning(toward: parameters.workingPixelMM)
        var grid = Grid(volume, box: box, binning: factor)
        for n in grid.values.indices {
            grid.values[n] = min(Float(parameters.clampHighHU), max(Float(parameters.clampLowHU), grid.values[n]))
        }
        let smooth = grid.smoothed(sigma: SIMD3(repeating: parameters.smoothingSigmaMM))
        let near = (factor > 1 ? seeds.binnedInPlane(factor) : seeds)
            .dilated(radius: SIMD3(repeating: parameters.cementExclusionMM), spacing: grid.spacing)
        let size = grid.size, h = grid.spacing
        guard size.x >= 3, size.y >= 3, size.z >= 3 else { return nil }
        let c = SIMD3((centre.x - Double(factor - 1) / 2) / Double(factor), (centre.y - Double(factor - 1) / 2) / Double(factor),
                      centre.z)
        let window = 1 / (2 * parameters.windowSigmaMM * parameters.windowSigmaMM)
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
                            Double(smooth.values[smooth.index(i + 1, j, k)] - smooth.values[smooth.index(i - 1, j, k)]) / (2 * h.x),
                            Double(smooth.values[smooth.index(i, j + 1, k)] - smooth.values[smooth.index(i, j - 1, k)]) / (2 * h.y),
                            Double(smooth.values[smooth.index(i, j, k + 1)] - smooth.values[smooth.index(i, j, k - 1)]) / (2 * h.z))
                        // Weighted by the voxel's volume, so that the tensor does not depend on the sampling.
                        let v = w * h.x * h.y * h.z
                        t[0] += v * g.x * g.x; t[1] += v * g.y * g.y; t[2] += v * g.z * g.z
                        t[3] += v * g.x * g.y; t[4] += v * g.x * g.z; t[5] += v * g.y * g.z
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
        let g = volume.geometry
        let patient = local.x * g.rowDirection + local.y * g.columnDirection + local.z * g.sliceDirection
        axis = patient / (patient * patient).sum().squareRoot()
        tiltDegrees = acos(min(1, abs(local.z))) * 180 / .pi
        anisotropy = values[order[0]] / max(1e-12, values[order[1]] + values[order[2]])
    }

    /// The axis estimated on the series grid, then again on grids resampled along the last estimate (1 mm voxels,
    /// ±45 mm) until the residual tilt is below `refinementToleranceDegrees`: the bias of the estimate grows with
    /// the tilt against the grid, so it vanishes as the grid turns with the body.
    static func estimate(_ volume: HUVolume, box: GridBox, seeds: Mask, centre: SIMD3<Double>,
                         parameters: Parameters) -> VertebraPose? {
        guard var pose = VertebraPose(volume, box: box, seeds: seeds, centre: centre, parameters: parameters) else { return nil }
        guard pose.tiltDegrees >= parameters.minimumTiltDegrees else { return pose }
        let g = volume.geometry
        let middle = g.patientPosition(ofIndex: centre + SIMD3<Double>(box.offset))
        for _ in 0..<parameters.refinements {
            let resampler = FrameResampler(source: g, centre: middle, frame: pose.frame(of: g),
                                           halfExtent: SIMD3(repeating: 45), spacing: SIMD3(1, 1, max(1, g.spacing.z)))
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
            let whole = GridBox(size: r.size, spacing: r.spacing, offset: SIMD3(repeating: 0))
            guard let residual = VertebraPose(resampled, box: whole, seeds: near, centre: SIMD3<Double>(r.size &- 1) / 2,
                                              parameters: parameters) else { break }
            var axis = residual.axis
            if (axis * g.sliceDirection).sum() < 0 { axis = -axis }
            pose.axis = axis
            pose.tiltDegrees = acos(min(1, abs((axis * g.sliceDirection).sum()))) * 180 / .pi
            pose.anisotropy = residual.anisotropy
            if residual.tiltDegrees < parameters.refinementToleranceDegrees { break }
        }
        return pose
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
