import Foundation
import Imaging
import Phantom
import RateEngine

/// One true cemented level of a validation case and the engine's measurement matched to it (if any).
struct ValidationRow {
    var caseID: String
    var factors: PhantomFactors
    var truth: LevelTruth
    var measured: LevelMeasurement?
    /// Distance (mm) between the measured and the true cement centroids.
    var matchDistance: Double?
    /// The body error split into its mid-body (outline) and end (endplate) parts, when masks were compared.
    var split: BodyErrorSplit?

    /// A case is gross when DR is off by more than 2 percentage points or the body by more than 10 %.
    static let grossDR = 2.0, grossBody = 10.0

    var drError: Double? {
        guard let rate = measured?.distributionRatePercent else { return nil }
        return rate - truth.distributionRatePercent
    }

    var bodyError: Double? {
        guard let body = measured?.vertebralBodyML else { return nil }
        return 100 * (body / truth.vertebralBodyML - 1)
    }

    var cementError: Double? {
        guard let measured, truth.cementInBodyML > 0 else { return nil }
        return 100 * (measured.cementInBodyML / truth.cementInBodyML - 1)
    }

    /// Gross error, or no DR at all for a true level.
    var isGross: Bool {
        guard let dr = drError, let body = bodyError else { return true }
        return abs(dr) > Self.grossDR || abs(body) > Self.grossBody
    }

    var isFlagged: Bool { (measured?.qc.contains(where: \.needsReview) ?? false) || measured?.distributionRatePercent == nil }

    /// Whether the truth lies inside the engine's DR interval; nil when it gives none.
    var intervalHolds: Bool? {
        guard let interval = measured?.distributionRateIntervalPercent, interval.count == 2 else { return nil }
        return interval[0] <= truth.distributionRatePercent && truth.distributionRatePercent <= interval[1]
    }

    /// Matches measured levels to true ones by cement centroid, nearest pairs first, within 20 mm. Every true level
    /// gives a row (unmatched: no measurement); a measured level matching none gives none but is counted by its case.
    /// With `truthBodies` and `masks`, each matched row also gets its `split`.
    static func match(case caseID: String, truth: PhantomTruth, measured: [LevelMeasurement],
                      truthBodies: LabelVolume? = nil, masks: [LevelMasks] = []) -> [ValidationRow] {
        let levels = truth.levels ?? []
        guard let factors = truth.factors else { return [] }
        var pairs: [(Double, Int, Int)] = []
        for (t, level) in levels.enumerated() {
            for (m, measurement) in measured.enumerated() where measurement.cementCentroidMM.count == 3 {
                let d = zip(level.cementCentroid, measurement.cementCentroidMM).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
                if d < 20 { pairs.append((d, t, m)) }
            }
        }
        pairs.sort { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
        var usedTruth = Set<Int>(), usedMeasured = Set<Int>()
        var rows = levels.map { ValidationRow(caseID: caseID, factors: factors, truth: $0, measured: nil, matchDistance: nil) }
        for (d, t, m) in pairs where !usedTruth.contains(t) && !usedMeasured.contains(m) {
            usedTruth.insert(t)
            usedMeasured.insert(m)
            rows[t].measured = measured[m]
            rows[t].matchDistance = d
            if let truthBodies, let fraction = masks.first(where: { $0.levelIndex == measured[m].levelIndex })?.bodyFraction {
                rows[t].split = BodyErrorSplit(truth: truthBodies, truthLabel: UInt8(t + 1), level: levels[t], fraction: fraction)
            }
        }
        return rows
    }

    /// The per-case CSV: case, factors, truth, measurement, errors, flags.
    static func csv(_ rows: [ValidationRow]) -> String {
        let header = ["case", "level", "position", "realism", "pitch_deg", "roll_deg", "yaw_deg", "fracture", "wedge_ratio",
                      "sclerotic_band", "subchondral_hu", "texture_sd_hu", "cancellous_hu", "cortex_hu", "cortical_thickness_mm",
                      "cleft_gas", "disc_vacuum", "osteophytes", "ribs", "bowel_gas", "aorta_calcified", "noise_hu", "kernel",
                      "psf_mm", "slice_thickness_mm", "slice_spacing_mm", "pixel_mm", "matrix", "circular_fov", "saturates",
                      "neighbour_cut", "streak_hu", "cement_hu", "low_opacifier", "cement_fringe_mm", "pattern", "leakage",
                      "two_levels", "body_between", "true_body_ml", "true_cement_in_body_ml", "true_leakage_ml", "true_dr_percent",
                      "engine_body_ml", "engine_cement_in_body_ml", "engine_dr_percent", "engine_interval_low", "engine_interval_high",
                      "dr_error_pp", "body_error_percent", "body_outline_error_percent", "body_ends_error_percent", "cement_error_percent", "match_distance_mm",
                      "cross_section_to_neighbours", "qc"]
        var lines = [header.joined(separator: ",")]
        func f(_ x: Double?, _ digits: Int = 3) -> String { x.map { String(format: "%.\(digits)f", $0) } ?? "" }
        for row in rows {
            let x = row.factors, t = row.truth, m = row.measured
            let fields: [String] = [
                row.caseID, t.level, t.position, x.realism.rawValue, f(x.pitch, 2), f(x.roll, 2), f(x.yaw, 2), x.fracture.rawValue,
                f(x.wedgeRatio), String(x.scleroticBand), f(x.subchondralSclerosis, 1), f(x.textureSD, 1), f(x.cancellous, 1),
                f(x.cortex, 1), f(x.corticalThickness), String(x.cleftGas), String(x.discVacuum), String(x.osteophytes),
                String(x.ribs), String(x.bowelGas), String(x.aortaCalcified), f(x.noise, 1), x.kernel.rawValue, f(x.psf),
                f(x.sliceThickness), f(x.sliceSpacing), f(x.pixelSpacing), String(x.matrix), String(x.circularFieldOfView),
                String(x.saturates), String(x.neighbourCut), f(x.streaks, 1), f(x.cement, 0), String(x.lowOpacifierCement),
                f(x.cementFringe), x.pattern.rawValue, x.leakage.rawValue, String(x.twoCementedLevels), String(x.untreatedBodyBetween),
                f(t.vertebralBodyML, 4), f(t.cementInBodyML, 4), f(t.leakageML, 4), f(t.distributionRatePercent),
                f(m?.vertebralBodyML, 4), f(m?.cementInBodyML, 4), f(m?.distributionRatePercent),
                f(m?.distributionRateIntervalPercent?.first), f(m?.distributionRateIntervalPercent?.last),
                f(row.drError), f(row.bodyError, 2), f(row.split?.outlinePercent, 2), f(row.split?.endsPercent, 2), f(row.cementError, 2), f(row.matchDistance, 1),
                m?.crossSectionToNeighbours.map { $0.map { String(format: "%.3f", $0) }.joined(separator: ";") } ?? "",
                m.map { $0.qc.map(\.rawValue).joined(separator: ";") } ?? "no_match",
            ]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
