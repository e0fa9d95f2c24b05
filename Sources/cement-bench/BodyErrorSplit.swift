import Imaging
import Phantom
import RateEngine

/// Where a body volume error lies: in the body's cross-section (the outline) or at its ends (the endplates).
///
/// Voxels are placed along the true body's axis; the middle 60 % of the true body's height is the mid-body. The
/// outline error is the engine's mid-body volume against the truth's there; the ends error is the rest of the body
/// error (both in % of the true body volume).
struct BodyErrorSplit {
    var outlinePercent: Double
    var endsPercent: Double

    /// `truthLabel` selects the level's body in the truth masks; `fraction` is the engine's body fraction map.
    init?(truth: LabelVolume, truthLabel: UInt8, level: LevelTruth, fraction: FractionMap) {
        guard level.bodyCentre.count == 3, level.axis.count == 3 else { return nil }
        let g = truth.geometry
        let centre = SIMD3(level.bodyCentre[0], level.bodyCentre[1], level.bodyCentre[2])
        var axis = SIMD3(level.axis[0], level.axis[1], level.axis[2])
        axis /= (axis * axis).sum().squareRoot()
        func height(_ i: Int, _ j: Int, _ k: Int) -> Double {
            ((g.patientPosition(ofIndex: SIMD3(Double(i), Double(j), Double(k))) - centre) * axis).sum()
        }
        var truthVoxels: [(h: Double, weight: Double)] = []
        for k in 0..<g.size.z {
            for j in 0..<g.size.y {
                for i in 0..<g.size.x where truth[i, j, k] == truthLabel { truthVoxels.append((height(i, j, k), 1)) }
            }
        }
        guard let low = truthVoxels.map(\.h).min(), let high = truthVoxels.map(\.h).max(), high > low else { return nil }
        let band = (low + 0.2 * (high - low))...(high - 0.2 * (high - low))
        var engineMid = 0.0, engineAll = 0.0
        for k in 0..<fraction.size.z {
            for j in 0..<fraction.size.y {
                for i in 0..<fraction.size.x {
                    let (gi, gj, gk) = (i + fraction.low.x, j + fraction.low.y, k + fraction.low.z)
                    let value = Double(fraction[gi, gj, gk])
                    guard value > 0 else { continue }
                    engineAll += value
                    if band.contains(height(gi, gj, gk)) { engineMid += value }
                }
            }
        }
        let truthAll = Double(truthVoxels.count)
        let truthMid = Double(truthVoxels.filter { band.contains($0.h) }.count)
        outlinePercent = 100 * (engineMid - truthMid) / truthAll
        endsPercent = 100 * ((engineAll - engineMid) - (truthAll - truthMid)) / truthAll
    }
}
