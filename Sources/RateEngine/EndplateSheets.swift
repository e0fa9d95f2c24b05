import CementCore
import Foundation

/// An independent estimate of where the endplates lie: the dense sheets across the body in the median axial
/// profile of the body's columns, read against the spine's sequence along its axis. The segmenter locates each
/// endplate column by column; where this estimate disagrees with it, the level is flagged `estimates_disagree`.
///
/// Beyond a true endplate come the disc and, 3–14 mm on, the next vertebra's endplate, and after that the next
/// body's cancellous bone without a sheet for at least `bodyClearMM`. A sclerotic band inside the body is a sheet
/// too, but the sheet 3–14 mm beyond it (the true endplate) is followed by another within that distance (the
/// neighbour's endplate): so the endplate is the first sheet, outwards from the cement, that opens such a pair
/// with clear bone (or the scan's end) behind it; where no sheet does, the first sheet.
struct EndplateSheets: Sendable {
    /// The stage's settings, echoed in `parameters.endplate_sheets` of `rate --json`.
    struct Parameters: Sendable, Codable, Equatable {
        /// A sheet must stand out by this many standard deviations of the median profile's noise.
        var sheetNoiseMultiple = 3.0
        /// Disc height range (mm) between a vertebra's endplate and its neighbour's (thin degenerate to thick
        /// lumbar discs, with the endplates' blur).
        var discMinimumMM = 3.0, discMaximumMM = 14.0
        /// Sheet-free stretch (mm) expected beyond the neighbour's endplate: its body's cancellous bone.
        var bodyClearMM = 10.0
        /// Farthest distance (mm) from the cement's centre searched (a body's height is at most about 35 mm).
        var searchMM = 35.0
        /// The estimates disagree where an endplate of the segmentation lies farther than this (mm) from the
        /// sheet, or than one slice where slices are thicker: an endplate's thickness plus its concavity.
        var toleranceMM = 2.5

        enum CodingKeys: String, CodingKey {
            case sheetNoiseMultiple = "sheet_noise_multiple", discMinimumMM = "disc_minimum_mm"
            case discMaximumMM = "disc_maximum_mm", bodyClearMM = "body_clear_mm", searchMM = "search_mm"
            case toleranceMM = "tolerance_mm"
        }
    }

    var parameters = Parameters()

    /// The slice of the endplate on side `direction` (+1 up, −1 down) of slice `from` in the median profile
    /// `profile` (slice step `dz` mm; NaN where cement hides the columns); nil when no sheet stands out.
    func sheet(_ profile: [Double], from k0: Int, direction: Int, dz: Double) -> Int? {
        let noise = profileNoise(profile)
        let reach = max(1, Int((2.5 / dz).rounded()))
        let limit = Int((parameters.searchMM / dz).rounded(.up))
        func value(_ k: Int) -> Double? { k >= 0 && k < profile.count && profile[k].isFinite ? profile[k] : nil }
        // Sheets outwards from the cement, and where the profile ends on this side.
        var sheets: [Int] = []
        var end = k0
        var k = k0 + direction
        while abs(k - k0) <= limit, k >= 0, k < profile.count {
            end = k
            if let here = value(k), here >= (value(k - direction) ?? -.infinity), here >= (value(k + direction) ?? -.infinity),
               let inner = (1...reach).compactMap({ value(k - direction * $0) }).min(),
               let outer = (1...reach).compactMap({ value(k + direction * $0) }).min(),
               min(here - inner, here - outer) >= parameters.sheetNoiseMultiple * noise {
                sheets.append(k)
            }
            k += direction
        }
        guard let first = sheets.first else { return nil }
        func distance(_ a: Int, _ b: Int) -> Double { Double(abs(a - b)) * dz }
        for (n, candidate) in sheets.enumerated() where n + 1 < sheets.count {
            let neighbour = sheets[n + 1]
            let gap = distance(candidate, neighbour)
            guard gap >= parameters.discMinimumMM, gap <= parameters.discMaximumMM else { continue }
            let next = n + 2 < sheets.count ? sheets[n + 2] : nil
            let clear = next.map { distance($0, neighbour) >= parameters.bodyClearMM } ?? true
            if clear || distance(end, neighbour) < parameters.bodyClearMM { return candidate }
        }
        return first
    }

    /// The robust spread (1.4826 × MAD) of the profile against its 3-sample running mean, scaled to a sample's
    /// noise (the residual of a sample against the mean of itself and two neighbours has √(2/3) of its σ).
    private func profileNoise(_ p: [Double]) -> Double {
        var residuals: [Double] = []
        for k in 1..<max(1, p.count - 1) where p[k - 1].isFinite && p[k].isFinite && p[k + 1].isFinite {
            residuals.append(abs(p[k] - (p[k - 1] + p[k] + p[k + 1]) / 3))
        }
        guard let spread = residuals.median() else { return 10 }
        return max(2, 1.4826 * spread / (2.0 / 3).squareRoot())
    }
}
