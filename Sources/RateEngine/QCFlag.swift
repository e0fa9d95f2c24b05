/// A reason to look at a measurement before using it. Flags need no ground truth: each is a check on the image,
/// the segmentation or the agreement of independent estimates.
public enum QCFlag: String, Codable, Sendable, CaseIterable {
    case noCement = "no_cement"
    case bodyNotFound = "body_not_found"
    case bodyMaskMissesCement = "body_mask_misses_cement"
    case bodyTouchesFieldOfView = "body_touches_field_of_view"
    case bodyLargerThanSearchBox = "body_larger_than_search_box"
    case implausibleBodyVolume = "implausible_body_volume"
    case implausibleBodyHeight = "implausible_body_height"
    case endplatesMostlyHiddenByCement = "endplates_mostly_hidden_by_cement"
    case irregularBodyOutline = "irregular_body_outline"
    case cementOutsideBody = "cement_outside_body"
    case implausibleDistributionRate = "implausible_distribution_rate"
    case heavyStreakArtefacts = "heavy_streak_artefacts"
    case thresholdSensitive = "threshold_sensitive"
    case thickSlices = "thick_slices"
    case bodyUnlikeNeighbours = "body_unlike_neighbours"
    case highNoise = "high_noise"
    case unstableSegmentation = "unstable_segmentation"
    case estimatesDisagree = "estimates_disagree"
    case wideInterval = "wide_interval"
    case endplateWithoutDisc = "endplate_without_disc"

    /// Whether the measurement needs a look before it is used. Notes (`thick_slices`, `wide_interval`) describe an
    /// uncertainty the DR interval already carries; so does `heavy_streak_artefacts`, whose effect on the edges
    /// the segmentation-stability check measures (on the tuning set it marked good levels and added no gross
    /// error to those the other checks flag). Every other flag asks for review.
    public var needsReview: Bool {
        switch self {
        case .thickSlices, .wideInterval, .heavyStreakArtefacts: false
        default: true
        }
    }

    /// What the flag means, for a reader of the measurement.
    public var description: String {
        switch self {
        case .noCement: "no voxel reaches the cement threshold"
        case .bodyNotFound: "no vertebral body could be segmented around the cement"
        case .bodyMaskMissesCement: "the supplied body mask holds none of the level's cement"
        case .bodyTouchesFieldOfView: "the body runs out of the scanned field of view"
        case .bodyLargerThanSearchBox: "the body reaches the edge of the region searched around the cement"
        case .implausibleBodyVolume: "body volume outside 5–80 ml"
        case .implausibleBodyHeight: "mean body height outside the range of treated thoracolumbar bodies"
        case .endplatesMostlyHiddenByCement: "cement hides most of an endplate, which is then interpolated"
        case .irregularBodyOutline: "the body outline is far from convex (canal taken in, or part of the body lost)"
        case .cementOutsideBody: "more than a tenth of the cement lies outside the body"
        case .implausibleDistributionRate: "DR above 40 %"
        case .heavyStreakArtefacts: "beam-hardening streaks around the cement blur its and the walls' edges"
        case .thresholdSensitive: "DR moves by more than 1 percentage point with the cement threshold ±50 HU"
        case .thickSlices: "slices thick enough to leave the endplates' position uncertain"
        case .bodyUnlikeNeighbours: "the body's cross-section or height is implausible against its neighbours"
        case .highNoise: "image noise high enough to make the segmentation unreliable"
        case .unstableSegmentation: "the body volume or the DR changes markedly when the segmentation's parameters are perturbed"
        case .estimatesDisagree: "independent estimates of the body disagree"
        case .wideInterval: "the DR uncertainty interval is wider than 5 percentage points"
        case .endplateWithoutDisc:
            "an endplate is not followed by a disc and the next vertebra's endplate (a sclerotic band, or the neighbour's endplate, taken for it)"
        }
    }
}
