import Foundation
import Imaging

/// One cemented vertebral level, measured.
public struct LevelMeasurement: Sendable, Codable, Equatable {
    public var levelIndex: Int
    public var distributionRatePercent: Double?
    public var vertebralBodyML: Double?
    public var cementInBodyML: Double
    public var leakageML: Double
    public var group: DRGroup?
    public var qc: [QCFlag]
    /// DR with the cement threshold 50 HU lower and higher.
    public var distributionRateRangePercent: [Double]?
    public var cementHU: Double
    /// Centre of the cement in patient coordinates (LPS, mm).
    public var cementCentroidMM: [Double]
    /// The label of a user-supplied body mask that gave the body; nil when the body was segmented automatically.
    public var bodyMaskLabel: Int?
    /// Streak artefacts: the excess HU spread of soft tissue around the cement on its slices (`StreakArtefacts`).
    public var streakHU: Double?
    /// Where the leaked cement lies (ml); nil without a body.
    public var leakageSitesML: LeakageSites?
    /// DR with both endplates moved outwards and inwards by the slice-thickness ambiguity of the body segmentation;
    /// nil on slices of 1.5 mm or less, where it vanishes, and with a user's body mask.
    public var distributionRateSliceRangePercent: [Double]? = nil
    /// Nominal 90 % uncertainty interval of the DR (%); nil where no body was measured.
    public var distributionRateIntervalPercent: [Double]? = nil
    /// Angle (degrees) between the vertebral body's axis and the slice normal; above
    /// `parameters.pose.minimum_tilt_degrees` the level was measured in the vertebra's own frame.
    public var vertebraTiltDegrees: Double? = nil
    /// The scan's noise around the level (HU, `NoiseEstimate`).
    public var noiseHU: Double? = nil
    /// The body's cross-section area over each untreated neighbour's found (`NeighbourCrossSections`; nearly 1
    /// for a plausible body); nil where no neighbour was traced or the body came from a mask.
    public var crossSectionToNeighbours: [Double]? = nil

    enum CodingKeys: String, CodingKey {
        case levelIndex = "level_index", distributionRatePercent = "distribution_rate_percent"
        case vertebralBodyML = "vertebral_body_ml", cementInBodyML = "cement_in_body_ml", leakageML = "leakage_ml", group, qc
        case distributionRateRangePercent = "distribution_rate_range_percent", cementHU = "cement_hu"
        case cementCentroidMM = "cement_centroid_mm", bodyMaskLabel = "body_mask_label", streakHU = "streak_hu"
        case leakageSitesML = "leakage_sites_ml", distributionRateSliceRangePercent = "distribution_rate_slice_range_percent"
        case distributionRateIntervalPercent = "distribution_rate_interval_percent"
        case vertebraTiltDegrees = "vertebra_tilt_degrees", noiseHU = "noise_hu"
        case crossSectionToNeighbours = "cross_section_to_neighbours"
    }
}

/// Masks of a measured level on the series grid, for export and figures.
public struct LevelMasks: Sendable {
    /// The level (`LevelMeasurement.levelIndex`) these masks belong to.
    public var levelIndex: Int
    /// 1 where the voxel is at least half inside the vertebral body.
    public var body: LabelVolume
    /// 1 for cement inside the body, 2 for cement outside it.
    public var cement: LabelVolume
    /// The share of each voxel inside the body: sums to `vertebralBodyML`.
    public var bodyFraction: FractionMap
    /// Each voxel's cement fraction times its share in the body: sums to `cementInBodyML`.
    public var cementInBodyFraction: FractionMap
    /// Each voxel's cement fraction times its share outside the body: sums to the cement outside the body
    /// (`leakageML`, which is clipped at zero).
    public var leakedCementFraction: FractionMap
}

/// Measures bone-cement volume, vertebral body volume and the distribution rate (DR) from a CT volume.
///
/// Cement: voxels ≥ `cementThresholdHU` (default 1000 HU: above cortical bone and endplates of the
/// osteoporotic spine, below barium-loaded PMMA at 1200–3000 HU) grouped into components and levels; the volume
/// is partial-volume corrected (`PartialVolumeCement`). Body: `VertebralBodySegmenter` in a box of ±40 mm
/// (in-plane) and ±25 mm (along the slices) around the level's cement. DR = cement inside the body / body volume.
/// The volumes correspond to a labelmap volume with fractional boundary voxels, not to a surface mesh.
/// With `bodyMask` set, the user's mask replaces the automatic body segmentation (`BodyMask`).
public struct RateEngine: Sendable {
    /// The release, then the first 12 hex digits of the SHA-256 of the engine's sources (`EngineSourceDigest`,
    /// written at build time): any edit to the code that measures changes it, and caches of measurements key on it.
    public static let version = "2.1.0-dev+" + EngineSourceDigest.sha256.prefix(12)

    /// The engine's settings, echoed with every measurement (`parameters` in `cement rate --json`).
    public struct Parameters: Sendable, Codable, Equatable {
        /// Voxels at or above this CT number (HU) seed the cement.
        public var cementThresholdHU: Double = 1000
        /// Limits of the DR groups.
        public var groups = DistributionRateGroups()
        /// The vertebra's pose (`VertebraPose`).
        var pose = VertebraPose.Parameters()
        /// How cement is grouped into treated vertebrae.
        var levels = LevelParameters()
        /// The scan's noise (`NoiseEstimate`).
        var noise = NoiseEstimate.Parameters()
        /// The DR's uncertainty interval (`DistributionRateInterval`).
        var interval = DistributionRateInterval.Parameters()
        /// The DR's stability under perturbed segmentation parameters (`SegmentationStability`).
        var stability = SegmentationStability.Parameters()
        /// What lies beyond each endplate (`EndplateNeighbourhood`).
        var endplateNeighbourhood = EndplateNeighbourhood.Parameters()
        /// The body's cross-section (`PolarOutline`).
        var outline = PolarOutline.Parameters()
        /// The independent estimate of the endplates (`EndplateSheets`).
        var endplateSheets = EndplateSheets.Parameters()
        /// The neighbours' cross-sections the body's is checked against (`NeighbourCrossSections`).
        var neighbours = NeighbourCrossSections.Parameters()
        /// How far the cortical shell runs along the body's axis (`ShellExtent`), the endplates' guide.
        var shellExtent = ShellExtent.Parameters()
        public init() {}

        enum CodingKeys: String, CodingKey {
            case cementThresholdHU = "cement_threshold_hu", groups, pose, levels, noise, interval, stability
            case endplateNeighbourhood = "endplate_neighbourhood", outline, endplateSheets = "endplate_sheets", neighbours
            case shellExtent = "shell_extent"
        }
    }

    /// How cement components become levels: components overlapping along the slices (within `sliceGapMM`) are
    /// candidates; a candidate joins a measured level when `minimumShareInBody` of it lies within `marginMM` of
    /// that level's body.
    struct LevelParameters: Sendable, Codable, Equatable {
        /// Cement components whose slice ranges come this close (mm) are one candidate level: less than what
        /// separates cement in adjacent bodies (two endplates and a disc, 5 mm and more), more than the steps
        /// between masses in one tilted body.
        var sliceGapMM = 4.0
        /// Margin (mm) around a body within which cement belongs to it: a leak lies on the surface, and blur and
        /// the outline's uncertainty add a millimetre or two; the next vertebra's cement lies beyond its own
        /// endplate and the disc (5 mm and more).
        var marginMM = 3.0
        /// Share of a candidate's cement that must lie in a body's margin for it to join that body.
        var minimumShareInBody = 0.5
        /// Cement around which no plausible body is found joins the nearest level whose cement centre lies within
        /// this distance (mm): less than the 25–35 mm between the centres of adjacent bodies.
        var leakReachMM = 25.0
        /// A scan shorter than this along the slices around the cement (mm) cannot hold a treated body, the
        /// flattest of which stand about 12 mm: no body is segmented and the level is flagged.
        var minimumScanExtentMM = 12.0

        enum CodingKeys: String, CodingKey {
            case sliceGapMM = "slice_gap_mm", marginMM = "margin_mm", minimumShareInBody = "minimum_share_in_body"
            case minimumScanExtentMM = "minimum_scan_extent_mm", leakReachMM = "leak_reach_mm"
        }
    }

    public var parameters = Parameters()
    public var cementThresholdHU: Double {
        get { parameters.cementThresholdHU }
        set { parameters.cementThresholdHU = newValue }
    }
    public var groups: DistributionRateGroups {
        get { parameters.groups }
        set { parameters.groups = newValue }
    }
    /// A body mask on the series grid to use instead of segmenting the body.
    public var bodyMask: BodyMask?
    /// A cement mask on the series grid (an edited one) to use instead of finding cement by threshold: its voxels
    /// count whole, and the DR has no threshold range.
    public var cementMask: CementMask?

    public init() {}

    public struct Result: Sendable {
        public var levels: [LevelMeasurement]
        public var masks: [LevelMasks]
        /// The parameters the levels were measured with.
        public var parameters: Parameters
    }

    /// Measures every cemented level of `volume`. `sliceThicknessMM` is the series' SliceThickness, the width of
    /// its slice profile (the slice step when nil); with overlapping slices it exceeds the step.
    public func measure(_ volume: HUVolume, sliceThicknessMM: Double? = nil, withMasks: Bool = false) -> Result {
        let g = volume.geometry
        let sliceWidth = max(g.spacing.z, sliceThicknessMM ?? 0)
        let segmenter = CementSegmenter(thresholdHU: cementThresholdHU)
        let components = cementMask.map { segmenter.components(mask: $0.labels) } ?? segmenter.components(volume)
        let candidates = segmenter.levels(components, spacing: g.spacing,
                                          gap: parameters.levels.sliceGapMM)
        // Levels are vertebrae: cement lying in or on a body measured already (a second mass, a leak on its
        // surface) joins that level; cement whose body is one measured already, or around which no plausible body
        // is found, joins the nearest level within reach; otherwise it is the next treated vertebra.
        var levels: [(components: [CementSegmenter.Component], outcome: LevelOutcome)] = []
        let needsRegions = candidates.count > 1
        for candidate in candidates {
            let voxels = candidate.flatMap(\.voxels)
            if let owner = levels.firstIndex(where: {
                ($0.outcome.region?.share(of: voxels, in: g) ?? 0) >= parameters.levels.minimumShareInBody
            }) {
                levels[owner].components += candidate
                levels[owner].outcome = measureInVertebraFrame(volume, level: levels[owner].components, index: owner,
                                                               sliceWidth: sliceWidth, withMasks: withMasks,
                                                               withRegion: needsRegions)
                continue
            }
            let outcome = measureInVertebraFrame(volume, level: candidate, index: levels.count, sliceWidth: sliceWidth,
                                                 withMasks: withMasks, withRegion: needsRegions)
            let centre = SIMD3(outcome.measurement.cementCentroidMM[0], outcome.measurement.cementCentroidMM[1],
                               outcome.measurement.cementCentroidMM[2])
            let sameBody = outcome.region.flatMap { region in levels.firstIndex { $0.outcome.region?.contains(region.centroid) ?? false } }
            let nearest = levels.indices.min { a, b in
                distance(levels[a].outcome.measurement.cementCentroidMM, centre)
                    < distance(levels[b].outcome.measurement.cementCentroidMM, centre)
            }
            // A body too small or too flat to be one is no vertebra of its own: most likely a leak's surroundings.
            let noBody = outcome.region == nil
                || outcome.measurement.qc.contains { $0 == .implausibleBodyVolume || $0 == .implausibleBodyHeight }
            let nearby = nearest.flatMap { index in
                distance(levels[index].outcome.measurement.cementCentroidMM, centre) <= parameters.levels.leakReachMM ? index : nil
            }
            if let owner = sameBody ?? (noBody ? nearby : nil) {
                levels[owner].components += candidate
                levels[owner].outcome = measureInVertebraFrame(volume, level: levels[owner].components, index: owner,
                                                               sliceWidth: sliceWidth, withMasks: withMasks,
                                                               withRegion: needsRegions)
            } else {
                levels.append((candidate, outcome))
            }
        }
        return Result(levels: levels.map(\.outcome.measurement), masks: levels.compactMap(\.outcome.masks),
                      parameters: parameters)
    }

    private func distance(_ a: [Double], _ b: SIMD3<Double>) -> Double {
        let d = SIMD3(a[0], a[1], a[2]) - b
        return (d * d).sum().squareRoot()
    }

    /// A level's measurement, its masks when asked for, and where its body lies when asked for.
    struct LevelOutcome {
        var measurement: LevelMeasurement
        var masks: LevelMasks?
        var region: BodyRegion?
    }

    /// The box a level is measured in: the cement's bounds grown by ±40 mm in-plane and ±25 mm along the slices.
    private func levelBox(_ g: VolumeGeometry, _ level: [CementSegmenter.Component])
        -> (box: GridBox, seeds: Mask, centroid: SIMD3<Double>, clipped: Bool)
    {
        var low = level[0].low, high = level[0].high
        for component in level {
            low = pointwiseMin(low, component.low)
            high = pointwiseMax(high, component.high)
        }
        let margin = SIMD3<Int>((SIMD3(40, 40, 25) / g.spacing).rounded(.up))
        let requestedLow = low &- margin, requestedHigh = high &+ margin
        let box = GridBox(g, low: requestedLow, high: requestedHigh)
        let clipped = requestedLow != box.offset || requestedHigh != box.offset &+ box.size &- 1
        var seeds = Mask(size: box.size)
        var centroid = SIMD3<Double>()
        var seedCount = 0.0
        for component in level {
            for n in component.voxels {
                let p = SIMD3(n % g.size.x, (n / g.size.x) % g.size.y, n / (g.size.x * g.size.y)) &- box.offset
                seeds[p.x, p.y, p.z] = true
                centroid += SIMD3<Double>(p &+ box.offset)
                seedCount += 1
            }
        }
        return (box, seeds, centroid / seedCount, clipped)
    }

    /// Measures a level in its vertebra's own frame: a body pitched or rolled against the slices by more than
    /// `parameters.pose.minimumTiltDegrees` is resampled so that its axis runs along the new slice normal, then
    /// measured there; its masks are drawn back on the series grid.
    private func measureInVertebraFrame(_ volume: HUVolume, level: [CementSegmenter.Component], index: Int,
                                        sliceWidth: Double, withMasks: Bool, withRegion: Bool) -> LevelOutcome
    {
        let g = volume.geometry
        let (box, seeds, centroid, _) = levelBox(g, level)
        guard bodyMask == nil, cementMask == nil,
              let pose = VertebraPose.estimate(volume, box: box, seeds: seeds, centre: centroid - SIMD3<Double>(box.offset),
                                               parameters: parameters.pose)
        else { return measureLevel(volume, level: level, index: index, sliceWidth: sliceWidth, withMasks: withMasks, withRegion: withRegion) }
        guard pose.tiltDegrees >= parameters.pose.minimumTiltDegrees, pose.tiltDegrees <= parameters.pose.maximumTiltDegrees else {
            var outcome = measureLevel(volume, level: level, index: index, sliceWidth: sliceWidth, withMasks: withMasks, withRegion: withRegion)
            outcome.measurement.vertebraTiltDegrees = pose.tiltDegrees
            return outcome
        }
        // The new grid holds the cement's extent in the vertebra's frame plus the level box's margins and 2 mm, and
        // along the axis 20 mm more: what lies beyond the endplates is looked at (`EndplateNeighbourhood`).
        let frame = pose.frame(of: g)
        var lowFrame = SIMD3<Double>(repeating: .infinity), highFrame = -lowFrame
        let levelVoxels = Set(level.flatMap(\.voxels))
        for n in levelVoxels {
            let p = g.patientPosition(ofIndex: SIMD3<Double>(SIMD3(n % g.size.x, (n / g.size.x) % g.size.y, n / (g.size.x * g.size.y))))
            let q = SIMD3((p * frame.row).sum(), (p * frame.column).sum(), (p * frame.slice).sum())
            lowFrame = pointwiseMin(lowFrame, q)
            highFrame = pointwiseMax(highFrame, q)
        }
        let middle = (lowFrame + highFrame) / 2
        let centre = middle.x * frame.row + middle.y * frame.column + middle.z * frame.slice
        let resampler = FrameResampler(source: g, centre: centre, frame: frame,
                                       halfExtent: (highFrame - lowFrame) / 2 + SIMD3(42, 42, 27), spacing: g.spacing,
                                       // Room along the axis for the profile beyond each endplate, plus 2 mm of blur.
                                       padding: SIMD3(0, 0, Int(((parameters.endplateNeighbourhood.toMM + 2) / g.spacing.z).rounded(.up))))
        let rotated = resampler.resample(volume)
        // Seeds: voxels of the new grid at or above the threshold whose nearest series voxel is one of the level's.
        let threshold = Int16(max(-32768, min(32767, cementThresholdHU.rounded(.up))))
        let r = rotated.geometry
        var component = CementSegmenter.Component(voxels: [], low: r.size, high: SIMD3(repeating: -1))
        for n in rotated.voxels.indices where rotated.voxels[n] >= threshold {
            let p = SIMD3(n % r.size.x, (n / r.size.x) % r.size.y, n / (r.size.x * r.size.y))
            let q = SIMD3<Int>(resampler.sourceIndex(of: p, in: g).rounded(.toNearestOrAwayFromZero))
            guard q.x >= 0, q.y >= 0, q.z >= 0, q.x < g.size.x, q.y < g.size.y, q.z < g.size.z,
                  levelVoxels.contains((q.z * g.size.y + q.y) * g.size.x + q.x) else { continue }
            component.voxels.append(n)
            component.low = pointwiseMin(component.low, p)
            component.high = pointwiseMax(component.high, p)
        }
        guard !component.voxels.isEmpty else {
            return measureLevel(volume, level: level, index: index, sliceWidth: sliceWidth, withMasks: withMasks, withRegion: withRegion)
        }
        var outcome = measureLevel(rotated, level: [component], index: index, sliceWidth: sliceWidth, withMasks: withMasks,
                                   withRegion: withRegion,
                                   outsideFieldOfView: resampler.reachesOutside)
        outcome.measurement.vertebraTiltDegrees = pose.tiltDegrees
        guard let frameMasks = outcome.masks else { return outcome }
        // Each series voxel takes the label and fractions of the nearest voxel of the new grid (the grids share their
        // spacing, so the fractions' sums, the volumes, are kept to within the boundary's aliasing).
        var bodyLabels = LabelVolume(geometry: g, repeating: 0), cementLabels = LabelVolume(geometry: g, repeating: 0)
        var bodyFraction = FractionMap(geometry: g, low: box.offset, size: box.size)
        var inBody = bodyFraction, leaked = bodyFraction
        for k in box.offset.z..<(box.offset.z + box.size.z) {
            for j in box.offset.y..<(box.offset.y + box.size.y) {
                for i in box.offset.x..<(box.offset.x + box.size.x) {
                    let q = SIMD3<Int>(r.index(ofPatientPosition: g.patientPosition(ofIndex: SIMD3(Double(i), Double(j), Double(k)))).rounded(.toNearestOrAwayFromZero))
                    guard q.x >= 0, q.y >= 0, q.z >= 0, q.x < r.size.x, q.y < r.size.y, q.z < r.size.z else { continue }
                    bodyLabels[i, j, k] = frameMasks.body[q.x, q.y, q.z]
                    cementLabels[i, j, k] = frameMasks.cement[q.x, q.y, q.z]
                    bodyFraction[i, j, k] = frameMasks.bodyFraction[q.x, q.y, q.z]
                    inBody[i, j, k] = frameMasks.cementInBodyFraction[q.x, q.y, q.z]
                    leaked[i, j, k] = frameMasks.leakedCementFraction[q.x, q.y, q.z]
                }
            }
        }
        outcome.masks = LevelMasks(levelIndex: index, body: bodyLabels, cement: cementLabels, bodyFraction: bodyFraction,
                                   cementInBodyFraction: inBody, leakedCementFraction: leaked)
        return outcome
    }

    private func measureLevel(_ volume: HUVolume, level: [CementSegmenter.Component], index: Int, sliceWidth: Double,
                              withMasks: Bool, withRegion: Bool, outsideFieldOfView: Bool = false) -> LevelOutcome
    {
        let g = volume.geometry
        let (box, seeds, centroidIndex, boxClipped) = levelBox(g, level)
        let clipped = boxClipped || outsideFieldOfView
        let low = level.map(\.low).reduce(level[0].low, pointwiseMin), high = level.map(\.high).reduce(level[0].high, pointwiseMax)
        var cement = cementMask == nil ? PartialVolumeCement(volume, box: box, seeds: seeds)
            : PartialVolumeCement(given: seeds, box: box, volume: volume)
        let cementHU = cement.cementHU
        var totalCement = cement.volumeML()
        let centre = g.patientPosition(ofIndex: centroidIndex)
        var qc: [QCFlag] = []
        let nearCement = seeds.dilated(radius: SIMD3(repeating: 3), spacing: g.spacing)
        let noise = NoiseEstimate(volume, box: box, excluding: nearCement, parameters: parameters.noise).sigmaHU
        if let noise, noise >= parameters.noise.highNoiseHU { qc.append(.highNoise) }
        let found: (body: BodySegmentation, label: UInt8?)?
        var segmenter = VertebralBodySegmenter()
        segmenter.cementThresholdHU = Float(cementThresholdHU)
        segmenter.outline = parameters.outline
        segmenter.endplateSheets = parameters.endplateSheets
        segmenter.shellExtent = parameters.shellExtent
        let tooShort = Double(box.size.z) * g.spacing.z < parameters.levels.minimumScanExtentMM
        if let bodyMask {
            found = bodyMask.body(on: box, seeds: seeds).map { ($0.body, $0.label) }
        } else if tooShort {
            found = nil
        } else {
            found = segmenter.segment(volume, box: box, seeds: seeds).map { ($0, nil) }
        }
        let maskLabel = found?.label.map { Int($0) }
        guard let body = found?.body else {
            qc.append(bodyMask == nil ? .bodyNotFound : .bodyMaskMissesCement)
            // A scan too short along the slices to hold a vertebral body around the cement.
            if bodyMask == nil, tooShort { qc.append(.bodyTouchesFieldOfView) }
            return LevelOutcome(measurement: LevelMeasurement(
                levelIndex: index, distributionRatePercent: nil, vertebralBodyML: nil, cementInBodyML: 0,
                leakageML: totalCement, group: nil, qc: qc, distributionRateRangePercent: nil, cementHU: cementHU,
                cementCentroidMM: [centre.x, centre.y, centre.z]))
        }
        // A body reaching the edge of a search box that the scan cut short runs out of the field of view.
        if body.touchesBoxEdge { qc.append(clipped ? .bodyTouchesFieldOfView : .bodyLargerThanSearchBox) }
        if body.volumeML < 5 || body.volumeML > 80 { qc.append(.implausibleBodyVolume) }
        // Volume over outline area is the body's mean height; outside 12–32 mm (a crushed body to a tall lumbar
        // one) an endplate was most likely missed or taken from a neighbour.
        let meanHeight = body.volumeML * 1000 / max(body.outlineAreaMM2, 1)
        if meanHeight < 12 || meanHeight > 32 { qc.append(.implausibleBodyHeight) }
        if min(body.visibleColumns.0, body.visibleColumns.1) < 0.2 { qc.append(.endplatesMostlyHiddenByCement) }
        // A vertebral body's outline is nearly convex (solidity 0.97–1 on the phantoms); below 0.95 it took in the
        // canal or lost part of the body.
        if body.solidity < 0.95 { qc.append(.irregularBodyOutline) }
        if let disagreement = body.endplateDisagreementMM,
           disagreement > max(parameters.endplateSheets.toleranceMM, g.spacing.z) {
            qc.append(.estimatesDisagree)
        }
        if let endplates = body.endplates {
            cement.useEndplateBackground(endplates)
            totalCement = cement.volumeML()
        }
        let share = cement.bodyShare(body.occupancy)
        let cementInBody = cement.volumeML(weightedBy: share)
        let rate = 100 * cementInBody / body.volumeML
        // Truth-free checks of an automatic body: what lies beyond its endplates, and how far the DR moves when the
        // segmentation's parameters are perturbed (two more segmentations, with the same cement).
        var stability: SegmentationStability?
        var neighbourRatios: [Double]?
        if bodyMask == nil {
            if let endplates = body.endplates,
               EndplateNeighbourhood(volume, box: box, endplates: endplates, cementThresholdHU: cementThresholdHU,
                                     parameters: parameters.endplateNeighbourhood).isImplausible {
                qc.append(.endplateWithoutDisc)
            }
            let perturbed = SegmentationStability.perturbed(segmenter, parameters.stability).map { variant in
                variant.segment(volume, box: box, seeds: seeds).map { other -> (rate: Double, bodyML: Double) in
                    (100 * cement.volumeML(weightedBy: cement.bodyShare(other.occupancy)) / other.volumeML, other.volumeML)
                }
            }
            if let axis = body.axis {
                let neighbours = NeighbourCrossSections(parameters: parameters.neighbours, outline: parameters.outline,
                                                        cementThresholdHU: Float(cementThresholdHU),
                                                        workingPixelMM: segmenter.workingPixelMM)
                let origin = SIMD2(Double(box.offset.x), Double(box.offset.y))
                let areas = neighbours.areas(volume, centre: origin + axis.pixel,
                                             top: Double(box.offset.z) + axis.top / g.spacing.z,
                                             bottom: Double(box.offset.z) + axis.bottom / g.spacing.z)
                let ratios = areas.map { body.outlineAreaMM2 / $0 }
                if neighbours.isUnlike(ratios) { qc.append(.bodyUnlikeNeighbours) }
                if !ratios.isEmpty { neighbourRatios = ratios }
            }
            stability = SegmentationStability(rate: rate, bodyML: body.volumeML, perturbed: perturbed,
                                              parameters: parameters.stability)
            if stability?.isUnstable == true { qc.append(.unstableSegmentation) }
        }
        // Cement belongs inside the body; much of it outside means leakage or, more often, an undersegmented body.
        if totalCement > 0, (totalCement - cementInBody) / totalCement > 0.1 { qc.append(.cementOutsideBody) }
        if rate > 40 { qc.append(.implausibleDistributionRate) }
        // Streaks of 50 HU and more (excess spread ≥ 12 HU on the phantoms) make the cement's and the walls' edges
        // uncertain.
        let streaks = StreakArtefacts.excessSpread(volume, box: box, cementCentre: centroidIndex,
                                                   cementSlices: low.z...high.z)
        if let streaks, streaks >= 12 { qc.append(.heavyStreakArtefacts) }
        // Sensitivity of DR to the cement threshold (±50 HU): new seeds near the level and so a new region R, same
        // body, same background and cement HU.
        let rates = cement.weightedVolumes(thresholds: [-50.0, 50.0].map { Float(cementThresholdHU + $0) },
                                           weights: share).map { 100 * $0 / body.volumeML }
        let rateRange = cementMask == nil ? [min(rate, rates.min()!), max(rate, rates.max()!)] : [rate, rate]
        if rateRange[1] - rateRange[0] > 1 { qc.append(.thresholdSensitive) }
        // An endplate lying inside one slice gives the same samples wherever it sits in it, so on slices thicker than
        // 1.5 mm the segmenter places its surface only to within about ±(spacing − 1.5)/2 (±0.75 mm at 3 mm:
        // simulated for 1 to 1.8 mm plates, box-averaged and blurred). Both endplates moved out, or in, by that much
        // bound the DR. A user's mask is taken as given.
        let ambiguity = bodyMask == nil ? max(0, (sliceWidth - 1.5) / 2) : 0
        var sliceRange: [Double]?
        if ambiguity > 0 {
            let change = 2 * ambiguity * body.outlineAreaMM2 / 1000
            sliceRange = [100 * cementInBody / (body.volumeML + change), 100 * cementInBody / max(body.volumeML - change, 1e-6)]
            if 2 * ambiguity / meanHeight >= 0.03 { qc.append(.thickSlices) }
        }
        let interval = DistributionRateInterval(
            rate: rate, bodyML: body.volumeML, outlineAreaMM2: body.outlineAreaMM2, thresholdRange: rateRange,
            endplateAmbiguityMM: ambiguity, noiseHU: noise, stabilityPP: stability?.rateChangePP, flags: qc,
            parameters: parameters.interval)
        if interval.upper - interval.lower > parameters.interval.wideIntervalPP { qc.append(.wideInterval) }
        let measurement = LevelMeasurement(
            levelIndex: index, distributionRatePercent: rate, vertebralBodyML: body.volumeML, cementInBodyML: cementInBody,
            leakageML: max(0, totalCement - cementInBody), group: groups.group(rate), qc: qc,
            distributionRateRangePercent: rateRange, cementHU: cementHU, cementCentroidMM: [centre.x, centre.y, centre.z],
            bodyMaskLabel: maskLabel, streakHU: streaks,
            leakageSitesML: LeakageSites(cement: cement, body: body.occupancy, share: share, geometry: g),
            distributionRateSliceRangePercent: sliceRange, distributionRateIntervalPercent: [interval.lower, interval.upper],
            noiseHU: noise, crossSectionToNeighbours: neighbourRatios)
        let region = withRegion ? BodyRegion(occupancy: body.occupancy, geometry: g, marginMM: parameters.levels.marginMM) : nil
        guard withMasks else { return LevelOutcome(measurement: measurement, region: region) }
        var bodyLabels = LabelVolume(geometry: g, repeating: 0), cementLabels = LabelVolume(geometry: g, repeating: 0)
        let stored = body.occupancy
        for k in stored.low.z..<(stored.low.z + stored.size.z) {
            for j in stored.low.y..<(stored.low.y + stored.size.y) {
                for i in stored.low.x..<(stored.low.x + stored.size.x) where stored[i, j, k] >= 0.5 {
                    let p = SIMD3(i, j, k) &+ box.offset
                    bodyLabels[p.x, p.y, p.z] = 1
                }
            }
        }
        var bodyFraction = FractionMap(geometry: g, low: box.offset &+ stored.low, size: stored.size)
        for k in stored.low.z..<(stored.low.z + stored.size.z) {
            for j in stored.low.y..<(stored.low.y + stored.size.y) {
                for i in stored.low.x..<(stored.low.x + stored.size.x) where stored[i, j, k] > 0 {
                    let p = SIMD3(i, j, k) &+ box.offset
                    bodyFraction[p.x, p.y, p.z] = stored[i, j, k]
                }
            }
        }
        var inBody = FractionMap(geometry: g, low: box.offset, size: box.size), leaked = inBody
        for (n, fraction) in cement.contributions {
            let p = SIMD3(n % box.size.x, (n / box.size.x) % box.size.y, n / box.plane) &+ box.offset
            let inside = share[index: n]
            inBody[p.x, p.y, p.z] = fraction * inside
            leaked[p.x, p.y, p.z] = fraction * (1 - inside)
            if fraction >= 0.5 { cementLabels[p.x, p.y, p.z] = body.occupancy[index: n] >= 0.5 ? 1 : 2 }
        }
        let masks = LevelMasks(levelIndex: index, body: bodyLabels, cement: cementLabels, bodyFraction: bodyFraction,
                               cementInBodyFraction: inBody, leakedCementFraction: leaked)
        return LevelOutcome(measurement: measurement, masks: masks, region: region)
    }
}
