import Foundation
import Imaging

/// The cross-sections of the untreated vertebral bodies above and below a treated one, which the treated body's is
/// checked against (QC flag `body_unlike_neighbours`).
///
/// Adjacent thoracolumbar bodies have similar cross-sections: the area grows caudally by a few per cent per level,
/// and a compression fracture lowers a body, it does not narrow it (it may bulge a little). Each neighbour's outline
/// is traced by `PolarOutline` on a slab at the neighbour's expected mid-height, a disc and half a body beyond the
/// treated body's endplate, from the treated body's axis; there no cement hides the walls. A treated cross-section
/// unlike both neighbours' has lost part of the body (cement hid its walls) or taken in something else.
struct NeighbourCrossSections: Sendable {
    /// The stage's settings, echoed in `parameters.neighbours` of `rate --json`.
    struct Parameters: Sendable, Codable, Equatable {
        /// Distance (mm) from the treated body's endplate surface to the middle of the neighbour's slab: a disc
        /// (5–12 mm) plus half an adjacent body's height (10–15 mm).
        var offsetMM = 20.0
        /// Half the slab's thickness (mm; at least one slice): thin enough to stay inside a neighbour of 20 mm
        /// whose middle lies up to 5 mm from where it is expected.
        var slabHalfMM = 3.0
        /// Half the width (mm) of the square traced around the axis: the widest lumbar bodies are about 55 mm.
        var halfWidthMM = 45.0
        /// The treated cross-section is unlike its neighbours when its area over that of each neighbour found lies
        /// outside this range: adjacent bodies differ by under about 10 %, and an outline traced on the same
        /// anatomy varies by about 5 %; a quarter more or a fifth less than both is another structure.
        var minimumAreaRatio = 0.8
        var maximumAreaRatio = 1.25

        enum CodingKeys: String, CodingKey {
            case offsetMM = "offset_mm", slabHalfMM = "slab_half_mm", halfWidthMM = "half_width_mm"
            case minimumAreaRatio = "minimum_area_ratio", maximumAreaRatio = "maximum_area_ratio"
        }
    }

    var parameters = Parameters()
    /// The outline stage the neighbours are traced with (the treated body's, so both are measured alike).
    var outline = PolarOutline.Parameters()
    /// Voxels at or above this CT number (HU) are cement (a neighbour treated before), hidden from the trace.
    var cementThresholdHU: Float = 1000
    /// Pixels much finer than this are binned in-plane first, as for the treated body.
    var workingPixelMM = 0.7

    /// The areas (mm²) of the neighbours' cross-sections found on `volume`: the treated body's axis passes through
    /// the pixel `centre` (index coordinates), and its endplate surfaces at its axis lie at index `top` and
    /// `bottom` along the slices. A neighbour whose slab leaves the scan, or whose outline is not found, is left
    /// out.
    func areas(_ volume: HUVolume, centre: SIMD2<Double>, top: Double, bottom: Double) -> [Double] {
        let g = volume.geometry
        let half = SIMD2((parameters.halfWidthMM / g.spacing.x).rounded(.up), (parameters.halfWidthMM / g.spacing.y).rounded(.up))
        let slabHalf = max(1, Int((parameters.slabHalfMM / g.spacing.z).rounded()))
        var found: [Double] = []
        for (surface, direction) in [(top, 1.0), (bottom, -1.0)] {
            let middle = Int((surface + direction * parameters.offsetMM / g.spacing.z).rounded())
            guard middle - slabHalf >= 0, middle + slabHalf < g.size.z else { continue }
            let low = SIMD3(Int(centre.x - half.x), Int(centre.y - half.y), middle - slabHalf)
            let high = SIMD3(Int(centre.x + half.x), Int(centre.y + half.y), middle + slabHalf)
            let box = GridBox(g, low: low, high: high)
            guard box.size.x >= 8, box.size.y >= 8 else { continue }
            let factor = box.binning(toward: workingPixelMM)
            let grid = Grid(volume, box: box, binning: factor).smoothed(sigma: SIMD3(0.4, 0.4, 0))
            // The trace starts from the axis; cement of a neighbour treated before is hidden like the treated
            // body's own.
            var seeds = Mask(size: grid.size)
            let axis = SIMD2(Int(((centre.x - Double(box.offset.x)) / Double(factor)).rounded()),
                             Int(((centre.y - Double(box.offset.y)) / Double(factor)).rounded()))
            guard axis.x >= 0, axis.y >= 0, axis.x < grid.size.x, axis.y < grid.size.y else { continue }
            for k in 0..<grid.size.z {
                seeds[axis.x, axis.y, k] = true
                for j in 0..<grid.size.y {
                    for i in 0..<grid.size.x where grid.values[grid.index(i, j, k)] >= cementThresholdHU { seeds[i, j, k] = true }
                }
            }
            guard let traced = PolarOutline(parameters: outline).outline(grid, seeds: seeds, slab: Array(0..<grid.size.z)),
                  traced.radii.allSatisfy(\.isFinite) else { continue }
            let step = 2 * Double.pi / Double(traced.radii.count)
            found.append(traced.radii.reduce(0) { $0 + $1 * $1 } * step / 2)
        }
        return found
    }

    /// Whether a treated cross-section is unlike every neighbour found, given its area over each neighbour's
    /// (`ratios`, at least one).
    func isUnlike(_ ratios: [Double]) -> Bool {
        !ratios.isEmpty && ratios.allSatisfy { $0 < parameters.minimumAreaRatio || $0 > parameters.maximumAreaRatio }
    }
}
