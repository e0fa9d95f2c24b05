import Foundation

/// How much the DR moves when the body segmentation's physical parameters are perturbed: the body is segmented
/// twice more, once with every parameter moved towards a larger body (lower bone thresholds, fainter walls and
/// endplate ridges accepted, a thicker cortex) and once towards a smaller one, and the DR recomputed with the same
/// cement. A segmentation that sits on a knife's edge — a faint cortex just closing, a sclerotic band just
/// outranking the endplate — moves a lot; a sound one hardly at all.
struct SegmentationStability: Sendable {
    /// The stage's settings, echoed in `parameters.stability`.
    struct Parameters: Sendable, Codable, Equatable {
        /// Relative change of the bone thresholds that outline the cortex (± this fraction): about the spread of
        /// the cortex's blurred peak between a soft and a sharp kernel.
        var boneThresholdChange = 0.2
        /// Change (HU) of how far an endplate's ridge must stand out above the cancellous bone and the disc:
        /// about one noise standard deviation of an ordinary scan.
        var ridgeProminenceChangeHU = 25.0
        /// Change of how far (noise standard deviations) a wall must stand out in the outline's slab.
        var wallNoiseMultipleChange = 1.0
        /// Change (mm) of the cortical thickness assumed outside the wall's centre: the shell's range is
        /// 0.3–1 mm, so ±0.3 mm spans it.
        var corticalThicknessChangeMM = 0.3
        /// A level whose DR moves by more than this (percentage points) under either perturbation is flagged
        /// `unstable_segmentation`.
        var maximumRateChangePP = 1.0
        /// A level whose body volume moves by more than this fraction under either perturbation is flagged.
        var maximumBodyChange = 0.08

        enum CodingKeys: String, CodingKey {
            case boneThresholdChange = "bone_threshold_change", ridgeProminenceChangeHU = "ridge_prominence_change_hu"
            case wallNoiseMultipleChange = "wall_noise_multiple_change", corticalThicknessChangeMM = "cortical_thickness_change_mm"
            case maximumRateChangePP = "maximum_rate_change_pp"
            case maximumBodyChange = "maximum_body_change"
        }
    }

    /// The two perturbed segmenters: towards a larger body, then towards a smaller one.
    static func perturbed(_ base: VertebralBodySegmenter, _ p: Parameters) -> [VertebralBodySegmenter] {
        [-1.0, 1.0].map { sign in
            var segmenter = base
            segmenter.boneThresholdHU = base.boneThresholdHU * Float(1 + sign * p.boneThresholdChange)
            segmenter.ridgeProminenceHU = max(10, base.ridgeProminenceHU + sign * p.ridgeProminenceChangeHU)
            segmenter.outline.ridgeNoiseMultiple = max(1, base.outline.ridgeNoiseMultiple + sign * p.wallNoiseMultipleChange)
            segmenter.outline.corticalThicknessMM = max(0, base.outline.corticalThicknessMM - sign * p.corticalThicknessChangeMM)
            return segmenter
        }
    }

    /// Largest change of the DR (percentage points) and of the body volume (fraction) under the perturbations;
    /// a perturbation that finds no body at all counts as an unbounded change.
    let rateChangePP: Double
    let bodyChange: Double
    let isUnstable: Bool

    /// - Parameters: `rate` and `bodyML` as measured; `perturbed` the DR and body of each perturbed segmentation
    ///   (nil where it found none).
    init(rate: Double, bodyML: Double, perturbed: [(rate: Double, bodyML: Double)?], parameters p: Parameters) {
        var rateChange = 0.0, bodyChange = 0.0
        for outcome in perturbed {
            guard let outcome else {
                rateChange = .infinity
                bodyChange = .infinity
                continue
            }
            rateChange = max(rateChange, abs(outcome.rate - rate))
            bodyChange = max(bodyChange, abs(outcome.bodyML / bodyML - 1))
        }
        rateChangePP = rateChange
        self.bodyChange = bodyChange
        isUnstable = rateChange > p.maximumRateChangePP || bodyChange > p.maximumBodyChange
    }
}
