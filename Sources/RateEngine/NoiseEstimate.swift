import CementCore
import Foundation
import Imaging

/// The image noise of a scan, estimated where it is flat: the robust spread of each voxel's difference from the
/// mean of its four in-plane neighbours, over soft tissue and fat (HU in `softTissueRangeHU`, wide enough to keep the noise's tails) away from cement.
///
/// For white noise of standard deviation σ that difference has standard deviation σ·√(1 + 1/4); the estimate
/// divides it out. Spatially correlated noise reads lower (its neighbours share part of it), as it should: what the
/// segmentation meets is the noise that does not average out over neighbouring voxels.
struct NoiseEstimate: Sendable {
    /// The stage's settings, echoed in `parameters.noise`.
    struct Parameters: Sendable, Codable, Equatable {
        /// Voxels in this HU range, and their four neighbours, are sampled: tissue without edges of bone or air.
        var softTissueRangeHU: ClosedRange<Double> = -400...400
        /// Above this noise (HU) — low-dose or obese patients; ordinary doses give 10–40 — the body's faint walls
        /// and endplates are not reliably found: the level is flagged.
        var highNoiseHU = 45.0

        enum CodingKeys: String, CodingKey {
            case softTissueRangeHU = "soft_tissue_range_hu", highNoiseHU = "high_noise_hu"
        }
    }

    /// Estimated noise standard deviation (HU); nil when too few voxels qualified.
    let sigmaHU: Double?

    init(_ volume: HUVolume, box: GridBox, excluding cement: Mask, parameters: Parameters) {
        let (low, high) = (Int16(parameters.softTissueRangeHU.lowerBound), Int16(parameters.softTissueRangeHU.upperBound))
        let nx = box.size.x, ny = box.size.y
        // Every second row and column of every slice: plenty for a robust spread, and fast.
        var residuals: [Float] = []
        residuals.reserveCapacity(box.count / 4)
        for k in 0..<box.size.z {
            for j in stride(from: 1, to: ny - 1, by: 2) {
                for i in stride(from: 1, to: nx - 1, by: 2) where !cement[i, j, k] {
                    let p = box.offset &+ SIMD3(i, j, k)
                    let c = volume[p.x, p.y, p.z]
                    let n = [volume[p.x - 1, p.y, p.z], volume[p.x + 1, p.y, p.z], volume[p.x, p.y - 1, p.z], volume[p.x, p.y + 1, p.z]]
                    guard c >= low, c <= high, n.allSatisfy({ $0 >= low && $0 <= high }) else { continue }
                    residuals.append(Float(c) - Float(n.reduce(0) { $0 + Int($1) }) / 4)
                }
            }
        }
        guard residuals.count >= 200 else { sigmaHU = nil; return }
        let mad = Double(residuals.map(abs).median() ?? 0)
        // MAD of a normal deviate is 0.6745 σ.
        sigmaHU = mad / 0.6745 / (1.25).squareRoot()
    }
}
