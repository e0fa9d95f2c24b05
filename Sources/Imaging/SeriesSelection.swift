import Foundation

/// Picks the series to measure from a study that holds several (scouts, soft-tissue and bone reconstructions,
/// MPRs), by documented rules, and says why every other series lost.
///
/// The pipeline:
/// 1. **Describe** each series from its headers: ImageType, orientation (slice normal against the patient's
///    head–foot axis), slice count, slice step (distance between ImagePositionPatient along the normal), slice
///    thickness and ConvolutionKernel (classified by `KernelClass`).
/// 2. **Exclude** what must never be measured, even when named with `--series`: a series that is not CT, a scout
///    (ImageType LOCALIZER), and a series that is not axial (a sagittal, coronal or oblique MPR): the rate engine
///    finds a body's endplates along the slice normal and follows its tilt only up to lordosis and scoliosis, so
///    it cannot measure slices cut along the spine. When nothing is left, the error lists every series and why.
/// 3. **Rank** the rest, each rule deciding only on a tie of the ones before it: bone kernel before an unknown
///    one before a soft-tissue one; thinner slices first (the slice width, the larger of step and thickness, to
///    0.01 mm); more slices first; then by UID.
/// 4. **Cover**: candidates are loaded in rank order and the first whose cement (voxels at or above
///    `cementThresholdHU`, at least `minimumCementML`) lies inside the scan, not on its first or last slice, is
///    measured. When none covers the cement, the first-ranked is measured and every candidate says so.
public enum SeriesSelection {
    /// The settings of the rules, echoed with the candidates.
    public struct Parameters: Sendable, Codable, Equatable {
        /// A series whose slice normal lies within this angle (degrees) of the head–foot axis is axial and may be
        /// measured; more than a gantry tilt or an oblique axial reconstruction, much less than the 90° of a
        /// sagittal or coronal MPR.
        public var maximumAxialTiltDegrees = 30.0
        /// Cement seeds the coverage check at this CT number (HU); `cement rate` passes its `--cement-hu`.
        public var cementThresholdHU = 1000.0
        /// Less cement than this (ml) is noise or a dense calcification, not the cement.
        public var minimumCementML = 0.05

        public init() {}

        enum CodingKeys: String, CodingKey {
            case maximumAxialTiltDegrees = "maximum_axial_tilt_degrees", cementThresholdHU = "cement_threshold_hu"
            case minimumCementML = "minimum_cement_ml"
        }
    }

    /// How the slices lie in the patient.
    public enum Orientation: String, Sendable, Codable {
        case axial, sagittal, coronal, oblique
    }

    /// What a reconstruction kernel does to edges, from its name.
    ///
    /// Bone: names holding BONE, SHARP, EDGE or DETAIL (GE, Philips), Siemens kernels with a sharpness of 50 and
    /// more (B60f, Br64, Bv56, I70f, Hr68), Canon/Toshiba FC30–FC39 and FC80–FC89 (bone and high-resolution body).
    /// Soft: SOFT, STANDARD, SMOOTH, Siemens sharpness below 50 (B30f, Br40), Canon FC01–FC29. Anything else, and
    /// a missing kernel, is unknown.
    public enum KernelClass: String, Sendable, Codable {
        case bone, unknown, soft

        public init(kernel: [String]) {
            let name = kernel.joined(separator: " ").uppercased()
            if ["BONE", "SHARP", "EDGE", "DETAIL"].contains(where: name.contains) {
                self = .bone
                return
            }
            if ["SOFT", "STANDARD", "SMOOTH"].contains(where: name.contains) {
                self = .soft
                return
            }
            if let sharpness = Self.number(in: name, after: "FC") {
                self = (30...39).contains(sharpness) || (80...89).contains(sharpness) ? .bone : sharpness < 30 ? .soft : .unknown
                return
            }
            // Siemens: one or two letters (B, Br, Bv, I, Hr, Qr, …) then a two-digit sharpness and an optional letter.
            let letters = name.prefix { $0.isLetter }
            if (1...2).contains(letters.count), let sharpness = Int(name.dropFirst(letters.count).prefix { $0.isNumber }),
               (10...99).contains(sharpness) {
                self = sharpness >= 50 ? .bone : .soft
                return
            }
            self = .unknown
        }

        private static func number(in name: String, after prefix: String) -> Int? {
            guard name.hasPrefix(prefix) else { return nil }
            return Int(name.dropFirst(prefix.count).prefix { $0.isNumber })
        }

        fileprivate var order: Int {
            switch self {
            case .bone: 0
            case .unknown: 1
            case .soft: 2
            }
        }
    }

    /// Why a series was not measured: the first rule it lost on.
    public enum Reason: String, Sendable, Codable {
        case notCT = "not_ct"
        case localizer
        case notAxial = "not_axial"
        case softerKernel = "softer_kernel"
        case thickerSlices = "thicker_slices"
        case fewerSlices = "fewer_slices"
        case sameRankLaterUID = "same_rank_later_uid"
        case doesNotCoverCement = "does_not_cover_cement"
        case notRequested = "not_requested"
    }

    /// One series of the study as the rules saw it.
    public struct Candidate: Sendable, Encodable, Equatable {
        public var seriesUID: String
        public var seriesNumber: Int?
        public var seriesDescription: String?
        public var modality: String
        public var imageType: [String]
        public var convolutionKernel: [String]
        public var kernelClass: KernelClass
        public var orientation: Orientation
        /// Angle (degrees) between the slice normal and the head–foot axis.
        public var normalTiltDegrees: Double
        public var slices: Int
        /// Median distance between consecutive slice positions along the normal (mm); nil for one slice.
        public var sliceStepMM: Double?
        public var sliceThicknessMM: Double?
        /// 1 for the first-ranked measurable series; nil for excluded ones.
        public var rank: Int?
        public var selected: Bool
        /// Why it was not measured; nil for the selected series.
        public var reason: Reason?
        /// The reason in words, with the numbers compared.
        public var detail: String?

        /// The larger of slice step and thickness: the width the slices average over.
        public var sliceWidthMM: Double? {
            switch (sliceStepMM, sliceThicknessMM) {
            case let (step?, thickness?): max(step, thickness)
            case let (step?, nil): step
            case let (nil, thickness): thickness
            }
        }

        public var isLocalizer: Bool { imageType.contains { $0.uppercased() == "LOCALIZER" } }

        enum CodingKeys: String, CodingKey {
            case seriesUID = "series_uid", seriesNumber = "series_number", seriesDescription = "series_description"
            case modality, imageType = "image_type", convolutionKernel = "convolution_kernel", kernelClass = "kernel_class"
            case orientation, normalTiltDegrees = "normal_tilt_degrees", slices, sliceStepMM = "slice_step_mm"
            case sliceThicknessMM = "slice_thickness_mm", rank, selected, reason, detail
        }
    }

    /// The outcome: the loaded series and every candidate with its verdict, in rank order (excluded ones last).
    public struct Outcome: Sendable {
        public var series: LoadedSeries
        public var candidates: [Candidate]
        public var parameters: Parameters
    }

    /// Describes one scanned series from its headers (stage 1).
    public static func describe(_ series: DICOMScan.Series, parameters: Parameters = Parameters()) -> Candidate {
        let first = series.images.first
        let frame = first?.frames.first
        var tilt = 0.0, orientation = Orientation.axial, step: Double?
        if let frame, frame.orientation.count == 6 {
            let row = SIMD3(frame.orientation[0], frame.orientation[1], frame.orientation[2])
            let column = SIMD3(frame.orientation[3], frame.orientation[4], frame.orientation[5])
            var normal = cross(row, column)
            let norm = length(normal)
            if norm > 0 { normal /= norm }
            tilt = acos(min(1, abs(normal.z))) * 180 / .pi
            if tilt <= parameters.maximumAxialTiltDegrees {
                orientation = .axial
            } else if abs(normal.x) >= cos(parameters.maximumAxialTiltDegrees * .pi / 180) {
                orientation = .sagittal
            } else if abs(normal.y) >= cos(parameters.maximumAxialTiltDegrees * .pi / 180) {
                orientation = .coronal
            } else {
                orientation = .oblique
            }
            let depths = series.images.flatMap { $0.frames.map { dot($0.position, normal) } }.sorted()
            step = zip(depths, depths.dropFirst()).map { $1 - $0 }.filter { $0 > 1e-3 }.median()
        }
        return Candidate(
            seriesUID: series.uid, seriesNumber: first?.seriesNumber, seriesDescription: first?.seriesDescription,
            modality: series.modality, imageType: first?.imageType ?? [], convolutionKernel: first?.convolutionKernel ?? [],
            kernelClass: KernelClass(kernel: first?.convolutionKernel ?? []), orientation: orientation,
            normalTiltDegrees: (tilt * 100).rounded() / 100, slices: series.sliceCount, sliceStepMM: step,
            sliceThicknessMM: series.images.compactMap(\.sliceThickness).max(), rank: nil, selected: false, reason: nil,
            detail: nil)
    }

    /// The series that may be measured, best first (stages 2 and 3), each with its exclusion reason or nil.
    public static func ranked(_ scan: DICOMScan, parameters: Parameters = Parameters())
        -> (eligible: [(DICOMScan.Series, Candidate)], excluded: [Candidate])
    {
        var eligible: [(DICOMScan.Series, Candidate)] = [], excluded: [Candidate] = []
        for series in scan.series {
            var candidate = describe(series, parameters: parameters)
            if !series.isCT {
                candidate.reason = .notCT
                candidate.detail = "modality \(series.modality.isEmpty ? "unknown" : series.modality) is not CT"
                excluded.append(candidate)
            } else if candidate.isLocalizer {
                candidate.reason = .localizer
                candidate.detail = "ImageType \(candidate.imageType.joined(separator: "\\")) marks a scout; never measured"
                excluded.append(candidate)
            } else if candidate.orientation != .axial {
                candidate.reason = .notAxial
                candidate.detail = "\(candidate.orientation.rawValue) slices (normal \(format(candidate.normalTiltDegrees))° "
                    + "from head–foot, more than \(format(parameters.maximumAxialTiltDegrees))°); only axial series are measured"
                excluded.append(candidate)
            } else {
                eligible.append((series, candidate))
            }
        }
        eligible.sort { a, b in
            let (x, y) = (rankKey(a.1), rankKey(b.1))
            return x != y ? x < y : a.1.seriesUID < b.1.seriesUID
        }
        for index in eligible.indices { eligible[index].1.rank = index + 1 }
        return (eligible, excluded)
    }

    private struct RankKey: Comparable {
        var kernel: Int, widthHundredths: Int, negativeSlices: Int
        static func < (a: RankKey, b: RankKey) -> Bool {
            (a.kernel, a.widthHundredths, a.negativeSlices) < (b.kernel, b.widthHundredths, b.negativeSlices)
        }
    }

    private static func rankKey(_ c: Candidate) -> RankKey {
        RankKey(kernel: c.kernelClass.order,
                widthHundredths: c.sliceWidthMM.map { Int(($0 * 100).rounded()) } ?? Int.max, negativeSlices: -c.slices)
    }

    /// Selects and loads the series to measure: `uid` when given (a scout, a non-CT or a non-axial series is
    /// refused), otherwise by the rules. `load` turns a scanned series into HU (normally `SeriesLoader.load`).
    public static func select(_ scan: DICOMScan, uid: String?, location: String, parameters: Parameters = Parameters(),
                              load: (DICOMScan.Series) throws(ImagingError) -> LoadedSeries) throws(ImagingError) -> Outcome
    {
        var (eligible, excluded) = ranked(scan, parameters: parameters)
        if let uid {
            if let refused = excluded.first(where: { $0.seriesUID == uid }) {
                let file = scan.series.first { $0.uid == uid }?.images.first?.path ?? location
                throw ImagingError(file: file, tag: refusedAttribute(refused.reason).description,
                                   "series \(uid) cannot be measured: " + (refused.detail ?? ""))
            }
            guard let index = eligible.firstIndex(where: { $0.1.seriesUID == uid }) else {
                let known = scan.series.map(\.uid).joined(separator: ", ")
                throw ImagingError(file: location, "no series \(uid) (found: \(known.isEmpty ? "none" : known))")
            }
            let loaded = try load(eligible[index].0)
            for other in eligible.indices where other != index {
                eligible[other].1.reason = .notRequested
                eligible[other].1.detail = "--series chose \(uid)"
            }
            eligible[index].1.selected = true
            return Outcome(series: loaded, candidates: eligible.map(\.1) + excluded, parameters: parameters)
        }
        guard !eligible.isEmpty else { throw nothingToMeasure(excluded, location: location) }
        var firstLoaded: LoadedSeries?
        var chosen: (index: Int, series: LoadedSeries)?
        for index in eligible.indices {
            let loaded = try load(eligible[index].0)
            if firstLoaded == nil { firstLoaded = loaded }
            if let gap = coverageGap(loaded.volume, parameters: parameters) {
                eligible[index].1.reason = .doesNotCoverCement
                eligible[index].1.detail = gap
                continue
            }
            chosen = (index, loaded)
            break
        }
        let winner = chosen?.index ?? 0
        let loaded = chosen?.series ?? firstLoaded!
        eligible[winner].1.selected = true
        if chosen == nil {
            eligible[winner].1.detail = (eligible[winner].1.detail ?? "") + "; no series covers the cement, so the first-ranked is measured"
        } else {
            eligible[winner].1.reason = nil
        }
        for index in eligible.indices where index > winner {
            let (why, detail) = lostReason(eligible[index].1, to: eligible[winner].1)
            eligible[index].1.reason = why
            eligible[index].1.detail = detail
        }
        return Outcome(series: loaded, candidates: eligible.map(\.1) + excluded, parameters: parameters)
    }

    /// The first ranking rule on which `loser` is worse than `winner`.
    private static func lostReason(_ loser: Candidate, to winner: Candidate) -> (Reason, String) {
        let (a, b) = (rankKey(loser), rankKey(winner))
        if a.kernel != b.kernel {
            let kernel = loser.convolutionKernel.isEmpty ? "no kernel given" : loser.convolutionKernel.joined(separator: "\\")
            return (.softerKernel, "kernel \(kernel) (\(loser.kernelClass.rawValue)) against \(winner.kernelClass.rawValue)")
        }
        if a.widthHundredths != b.widthHundredths {
            return (.thickerSlices, "slices \(loser.sliceWidthMM.map(format) ?? "?") mm against "
                    + "\(winner.sliceWidthMM.map(format) ?? "?") mm")
        }
        if a.negativeSlices != b.negativeSlices {
            return (.fewerSlices, "\(loser.slices) slices against \(winner.slices)")
        }
        return (.sameRankLaterUID, "ranks equal; the UID orders after \(winner.seriesUID)")
    }

    /// The attribute on which an excluded series was refused.
    private static func refusedAttribute(_ reason: Reason?) -> DICOMAttribute {
        switch reason {
        case .localizer: .imageType
        case .notAxial: .imageOrientationPatient
        default: .modality
        }
    }

    /// The error when every series is excluded: the folder, then each series with why it cannot be measured.
    public static func nothingToMeasure(_ excluded: [Candidate], location: String) -> ImagingError {
        let found = excluded.map { candidate in
            // No SeriesDescription: free text may name the patient, and the audit registry records this message.
            let modality = candidate.modality.isEmpty ? "?" : candidate.modality
            let number = candidate.seriesNumber.map { " (number \($0))" } ?? ""
            return "\(modality) series \(candidate.seriesUID)\(number) \(candidate.reason?.rawValue ?? "?"): "
                + (candidate.detail ?? "")
        }
        guard excluded.contains(where: { $0.reason != .notCT }) else {
            return ImagingError(file: location, "no CT series found" + (found.isEmpty ? "" : " (found: \(found.joined(separator: "; ")))"))
        }
        return ImagingError(file: location, "no axial CT series other than scouts to measure; found: "
                            + found.joined(separator: "; "))
    }

    /// Why a loaded series does not cover the cement, or nil when it does.
    public static func coverageGap(_ volume: HUVolume, parameters: Parameters) -> String? {
        let g = volume.geometry
        let threshold = Int16(max(-32768, min(32767, parameters.cementThresholdHU.rounded(.up))))
        let plane = g.size.x * g.size.y
        var count = 0, firstSlice = Int.max, lastSlice = -1
        volume.voxels.withUnsafeBufferPointer { voxels in
            for k in 0..<g.size.z {
                var inSlice = 0
                for n in (k * plane)..<((k + 1) * plane) where voxels[n] >= threshold { inSlice += 1 }
                if inSlice > 0 {
                    count += inSlice
                    firstSlice = min(firstSlice, k)
                    lastSlice = k
                }
            }
        }
        let millilitres = Double(count) * g.voxelVolume / 1000
        let hu = Int(parameters.cementThresholdHU)
        if millilitres < parameters.minimumCementML {
            return "no cement (\(format(millilitres)) ml at or above \(hu) HU, less than \(format(parameters.minimumCementML)) ml)"
        }
        if firstSlice == 0 || lastSlice == g.size.z - 1 {
            return "cement at or above \(hu) HU reaches the \(firstSlice == 0 ? "first" : "last") slice: the scan range cuts it"
        }
        return nil
    }
}
