import Foundation
import Imaging

/// Resamples part of a CT volume onto a grid in another orientation (the vertebra's own frame), trilinearly.
///
/// The partial-volume cement estimate and the body's fractional occupancy are sums of HU and of fractions, and
/// trilinear interpolation conserves such sums to first order, so a level measured on the resampled grid keeps
/// its volumes; only the blur grows slightly.
struct FrameResampler: Sendable {
    /// Grid of the resampled volume.
    let geometry: VolumeGeometry
    /// Whether part of the new grid lies outside the source volume (filled with `outsideHU`).
    let reachesOutside: Bool
    /// HU given to positions outside the source volume: air, as a scan's padding.
    static let outsideHU: Int16 = -1024

    /// A grid centred at `centre` (patient mm) along `frame`, reaching `halfExtent` mm each way, with `spacing`,
    /// and `padding` whole voxels more each way (which leaves the positions of the other voxels as they are).
    init(source: VolumeGeometry, centre: SIMD3<Double>,
         frame: (row: SIMD3<Double>, column: SIMD3<Double>, slice: SIMD3<Double>),
         halfExtent: SIMD3<Double>, spacing: SIMD3<Double>, padding: SIMD3<Int> = .zero) {
        let size = SIMD3<Int>((2 * halfExtent / spacing).rounded(.up)) &+ 1 &+ 2 &* padding
        let origin = centre - (Double(size.x - 1) / 2 * spacing.x) * frame.row - (Double(size.y - 1) / 2 * spacing.y) * frame.column
            - (Double(size.z - 1) / 2 * spacing.z) * frame.slice
        geometry = VolumeGeometry(size: size, spacing: spacing, origin: origin, rowDirection: frame.row,
                                  columnDirection: frame.column, sliceDirection: frame.slice)
        var outside = false
        for corner in 0..<8 {
            let index = SIMD3<Double>(corner & 1 == 0 ? 0 : Double(size.x - 1), corner & 2 == 0 ? 0 : Double(size.y - 1),
                                      corner & 4 == 0 ? 0 : Double(size.z - 1))
            let p = source.index(ofPatientPosition: geometry.patientPosition(ofIndex: index))
            if p.min() < 0 || p.x > Double(source.size.x - 1) || p.y > Double(source.size.y - 1)
                || p.z > Double(source.size.z - 1) { outside = true }
        }
        reachesOutside = outside
    }

    /// Continuous index in the source volume of voxel `n` of the new grid.
    func sourceIndex(of p: SIMD3<Int>, in source: VolumeGeometry) -> SIMD3<Double> {
        source.index(ofPatientPosition: geometry.patientPosition(ofIndex: SIMD3<Double>(p)))
    }

    /// The source's HU on the new grid, rounded to whole HU.
    func resample(_ volume: HUVolume) -> HUVolume {
        let g = geometry, source = volume.geometry, size = g.size
        var voxels = [Int16](repeating: Self.outsideHU, count: g.count)
        // Index steps of the new grid in the source's index space: positions are stepped, not recomputed.
        let origin = source.index(ofPatientPosition: g.origin)
        let stepI = source.index(ofPatientPosition: g.origin + g.spacing.x * g.rowDirection) - origin
        let stepJ = source.index(ofPatientPosition: g.origin + g.spacing.y * g.columnDirection) - origin
        let stepK = source.index(ofPatientPosition: g.origin + g.spacing.z * g.sliceDirection) - origin
        volume.voxels.withUnsafeBufferPointer { input in
            let values = SharedBuffer(UnsafeMutableBufferPointer(mutating: input))
            voxels.withUnsafeMutableBufferPointer { output in
                let out = SharedBuffer(output)
                DispatchQueue.concurrentPerform(iterations: size.z) { k in
                    let nx = source.size.x, ny = source.size.y, nz = source.size.z
                    for j in 0..<size.y {
                        var p = origin + Double(k) * stepK + Double(j) * stepJ
                        for i in 0..<size.x {
                            defer { p += stepI }
                            let f = p.rounded(.down)
                            let a = SIMD3<Int>(f)
                            guard a.x >= 0, a.y >= 0, a.z >= 0, a.x < nx, a.y < ny, a.z < nz else { continue }
                            let b = pointwiseMin(a &+ 1, SIMD3(nx - 1, ny - 1, nz - 1))
                            guard p.x <= Double(nx - 1), p.y <= Double(ny - 1), p.z <= Double(nz - 1) else { continue }
                            let t = p - f
                            func v(_ x: Int, _ y: Int, _ z: Int) -> Double { Double(values[(z * ny + y) * nx + x]) }
                            let c00 = v(a.x, a.y, a.z) * (1 - t.x) + v(b.x, a.y, a.z) * t.x
                            let c10 = v(a.x, b.y, a.z) * (1 - t.x) + v(b.x, b.y, a.z) * t.x
                            let c01 = v(a.x, a.y, b.z) * (1 - t.x) + v(b.x, a.y, b.z) * t.x
                            let c11 = v(a.x, b.y, b.z) * (1 - t.x) + v(b.x, b.y, b.z) * t.x
                            let c0 = c00 * (1 - t.y) + c10 * t.y, c1 = c01 * (1 - t.y) + c11 * t.y
                            out[(k * size.y + j) * size.x + i] = Int16((c0 * (1 - t.z) + c1 * t.z).rounded())
                        }
                    }
                }
            }
        }
        return HUVolume(geometry: g, voxels: voxels)
    }
}
