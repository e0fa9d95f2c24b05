import Foundation

/// A nominal 90 % uncertainty interval of the DR, from the uncertainties of its two volumes.
///
/// Body: each wall is placed to within `wallSigmaMM` and each endplate to within `endplateSigmaMM` (both scaled
/// up with the noise beyond `referenceNoiseHU`); on thick slices each endplate adds a uniform ±(w − 1.5)/2 mm
/// (`thick_slices`); where a check on the body's segmentation failed, the body's relative uncertainty is at
/// least `flaggedBodySigma`, the size of the errors such failures bring. Cement: a relative `cementSigma` and the
/// DR's change with the threshold ±50 HU (taken as uniform). Segmentation: the DR's largest change under perturbed
/// segmentation parameters (`SegmentationStability`), taken as `stabilitySigmas` standard deviations. The parts add
/// in quadrature; the interval is the DR ± 1.645 σ, clipped at zero.
struct DistributionRateInterval: Sendable {
    /// The stage's settings, echoed in `parameters.interval`.
    struct Parameters: Sendable, Codable, Equatable {
        /// Standard deviation (mm) of a wall's position on an ordinary scan (tuning set, world phantoms: body
        /// errors of unflagged levels median 5 %).
        var wallSigmaMM = 0.5
        /// Standard deviation (mm) of an endplate's position on thin slices.
        var endplateSigmaMM = 0.5
        /// Noise (HU) up to which those hold; above it they grow in proportion.
        var referenceNoiseHU = 30.0
        /// Relative standard deviation of the cement in the body.
        var cementSigma = 0.02
        /// Least relative standard deviation of a body whose segmentation failed a check (tuning set, world
        /// phantoms: flagged levels' DR errors median 24 % of the DR).
        var flaggedBodySigma = 0.35
        /// How many standard deviations of the DR the largest change under perturbed segmentation parameters is
        /// taken for: each perturbation moves every parameter together by about its own uncertainty, so the larger
        /// of the two changes is about two (tuning set, world phantoms: at one, 98 % coverage).
        var stabilitySigmas = 2.0
        /// The standard normal quantile of the interval: 1.645 for 90 %.
        var z = 1.645
        /// An interval wider than this (percentage points) is flagged `wide_interval`.
        var wideIntervalPP = 5.0

        enum CodingKeys: String, CodingKey {
            case wallSigmaMM = "wall_sigma_mm", endplateSigmaMM = "endplate_sigma_mm"
            case referenceNoiseHU = "reference_noise_hu", cementSigma = "cement_sigma"
            case flaggedBodySigma = "flagged_body_sigma", stabilitySigmas = "stability_sigmas", z
            case wideIntervalPP = "wide_interval_pp"
        }
    }

    /// The flags that say the body's segmentation itself is in doubt.
    static let bodyFlags: Set<QCFlag> = [
        .implausibleBodyVolume, .implausibleBodyHeight, .irregularBodyOutline, .bodyTouchesFieldOfView,
        .bodyLargerThanSearchBox, .endplatesMostlyHiddenByCement, .bodyUnlikeNeighbours, .highNoise,
        .unstableSegmentation, .estimatesDisagree, .cementOutsideBody, .endplateWithoutDisc,
    ]

    let lower: Double, upper: Double

    /// - Parameters: `rate` DR (%); `bodyML`, `outlineAreaMM2` the body; `thresholdRange` the DR at ±50 HU;
    ///   `endplateAmbiguityMM` the thick-slice half-range per endplate; `noiseHU` the scan's noise; `stabilityPP`
    ///   the DR's largest change under perturbed segmentation parameters (nil when not measured); `flags` so far.
    init(rate: Double, bodyML: Double, outlineAreaMM2: Double, thresholdRange: [Double], endplateAmbiguityMM: Double,
         noiseHU: Double?, stabilityPP: Double? = nil, flags: [QCFlag], parameters p: Parameters) {
        let volume = bodyML * 1000, area = max(outlineAreaMM2, 1)
        let height = volume / area
        // The outline's perimeter from its area, as for an ellipse of axis ratio 1.3 (2 % above a circle's).
        let perimeter = 1.02 * 2 * (Double.pi * area).squareRoot()
        let noise = max(1, (noiseHU ?? p.referenceNoiseHU) / p.referenceNoiseHU)
        let walls = perimeter * height * p.wallSigmaMM * noise
        let endplates = 2 * area * area * (pow(p.endplateSigmaMM * noise, 2) + endplateAmbiguityMM * endplateAmbiguityMM / 3)
        var body = (walls * walls + endplates).squareRoot() / volume
        if !Self.bodyFlags.isDisjoint(with: flags) { body = max(body, p.flaggedBodySigma) }
        let threshold = (thresholdRange[1] - thresholdRange[0]) / 2 / 3.squareRoot()
        // A perturbation that found no body at all says nothing finite: the flagged body's share covers it.
        let stability = (stabilityPP ?? 0).isFinite ? (stabilityPP ?? 0) / p.stabilitySigmas : 0
        let sigma = (pow(rate * body, 2) + pow(rate * p.cementSigma, 2) + threshold * threshold + stability * stability).squareRoot()
        lower = max(0, rate - p.z * sigma)
        upper = rate + p.z * sigma
    }
}
