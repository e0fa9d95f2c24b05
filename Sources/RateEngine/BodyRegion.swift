import Imaging

/// Where a measured level's vertebral body lies, grown by a margin: cement within it belongs to that level (its
/// own cement, or a leak lying on the body), cement beyond it to another vertebra or to none.
struct BodyRegion: Sendable {
    /// The grid the body was measured on (the series, or the vertebra's frame).
    let geometry: VolumeGeometry
    let box: GridBox
    /// Voxels at least half inside the body, dilated by the margin, on `box`.
    let near: Mask
    /// Occupancy-weighted centre of the body (patient mm, LPS).
    let centroid: SIMD3<Double>

    init(occupancy: Occupancy, geometry: VolumeGeometry, marginMM: Double) {
        let box = occupancy.box
        var body = Mask(size: box.size)
        var sum = SIMD3<Double>(), weight = 0.0
        for k in occupancy.low.z..<(occupancy.low.z + occupancy.size.z) {
            for j in occupancy.low.y..<(occupancy.low.y + occupancy.size.y) {
                for i in occupancy.low.x..<(occupancy.low.x + occupancy.size.x) {
                    let f = Double(occupancy[i, j, k])
                    guard f > 0 else { continue }
                    sum += f * SIMD3(Double(i), Double(j), Double(k))
                    weight += f
                    if f >= 0.5 { body[i, j, k] = true }
                }
            }
        }
        self.geometry = geometry
        self.box = box
        near = body.dilated(radius: SIMD3(repeating: marginMM), spacing: box.spacing)
        centroid = geometry.patientPosition(ofIndex: sum / max(weight, 1e-12) + SIMD3<Double>(box.offset))
    }

    /// Whether a patient position (mm) lies in the grown body.
    func contains(_ p: SIMD3<Double>) -> Bool {
        let q = SIMD3<Int>(geometry.index(ofPatientPosition: p).rounded(.toNearestOrAwayFromZero)) &- box.offset
        guard q.min() >= 0, q.x < box.size.x, q.y < box.size.y, q.z < box.size.z else { return false }
        return near[q.x, q.y, q.z]
    }

    /// The share of a level's cement voxels (linear indices of `series`) that lies in the grown body.
    func share(of voxels: [Int], in series: VolumeGeometry) -> Double {
        guard !voxels.isEmpty else { return 0 }
        let inside = voxels.reduce(0) { count, n in
            let p = series.patientPosition(ofIndex: SIMD3(Double(n % series.size.x), Double((n / series.size.x) % series.size.y),
                                                          Double(n / (series.size.x * series.size.y))))
            return count + (contains(p) ? 1 : 0)
        }
        return Double(inside) / Double(voxels.count)
    }
}
