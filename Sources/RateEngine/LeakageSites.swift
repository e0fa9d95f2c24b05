import Imaging

/// Where the cement outside the body lies (ml): above or below the body (the discs), behind it within the
/// canal's width, in front of it, or beside it (paravertebral, veins).
///
/// Each voxel's cement outside the body (its fraction times one minus its share inside the body,
/// `PartialVolumeCement.bodyShare`) goes to a site by its
/// position relative to the body: over or under the body's footprint is the disc; elsewhere the direction from
/// the body's centre in patient coordinates (LPS) decides: posterior within 10 mm of the midline is the canal,
/// anterior within 45° of straight ahead is anterior, the rest paravertebral. Only positive contributions count
/// (noise makes some fractions negative), so the sites add up to about `leakage_ml`, not exactly.
public struct LeakageSites: Sendable, Codable, Equatable {
    public var disc = 0.0
    public var canal = 0.0
    public var anterior = 0.0
    public var paravertebral = 0.0

    init(cement: PartialVolumeCement, body: Occupancy, share: Occupancy, geometry: VolumeGeometry) {
        let box = body.box
        var footprint = [Bool](repeating: false, count: box.plane)
        var centre = SIMD3<Double>(), weight = 0.0
        for k in body.low.z..<(body.low.z + body.size.z) {
            for j in body.low.y..<(body.low.y + body.size.y) {
                for i in body.low.x..<(body.low.x + body.size.x) where body[i, j, k] > 0 {
                    footprint[j * box.size.x + i] = true
                    centre += Double(body[i, j, k]) * SIMD3(Double(i), Double(j), Double(k))
                    weight += Double(body[i, j, k])
                }
            }
        }
        guard weight > 0 else { return }
        let middle = geometry.patientPosition(ofIndex: centre / weight + SIMD3<Double>(box.offset))
        let voxelML = box.voxelVolume / 1000
        for (n, fraction) in cement.contributions {
            let outside = Double(fraction) * Double(1 - share[index: n]) * voxelML
            guard outside > 0 else { continue }
            let i = n % box.size.x, j = (n / box.size.x) % box.size.y, k = n / box.plane
            if footprint[j * box.size.x + i] {
                disc += outside
                continue
            }
            let d = geometry.patientPosition(ofIndex: SIMD3(Double(i), Double(j), Double(k)) + SIMD3<Double>(box.offset)) - middle
            if d.y > 0, abs(d.x) <= 10 {
                canal += outside
            } else if d.y < 0, abs(d.x) <= -d.y {
                anterior += outside
            } else {
                paravertebral += outside
            }
        }
    }
}
