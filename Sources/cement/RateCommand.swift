import ArgumentParser
import CementCore
import DICOMResults
import Foundation
import Imaging
import Measurements
import Phantom
import RateEngine

/// `cement rate`: cement distribution rate of a post-vertebroplasty CT series.
struct RateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rate",
        abstract: "Measure cement volume, vertebral body volume and the distribution rate (DR) of a CT series.",
        discussion: """
            Cement is found at or above --cement-hu and measured with partial-volume correction; the treated \
            vertebral body (cortex, cancellous bone and cement; not the posterior elements) is segmented around \
            it. DR = cement inside the body / body volume. Every cemented level is measured; the top-level keys \
            describe the level with the most cement. QC flags say when a number needs a look. On slices thicker \
            than 1.5 mm an endplate is placed only to within ±(spacing − 1.5)/2 mm; the DR range that follows is \
            printed and given as distribution_rate_slice_range_percent (QC flag thick_slices when it matters). \
            Each level has a nominal 90 % interval (distribution_rate_interval_percent) from the walls', endplates', \
            slices' and cement's uncertainties, widened when a check on the body fails. A body tilted against the \
            slices (lordosis, scoliosis) is measured in its own frame (vertebra_tilt_degrees). The body's \
            cross-section is compared with the untreated neighbours' above and below \
            (cross_section_to_neighbours; QC flag body_unlike_neighbours). Exit 1 when no level could be measured.

            A body mask you already have (TotalSegmentator vertebrae_*.nii.gz or vertebrae_body.nii.gz, a 3D \
            Slicer or ITK-SNAP label map exported as NIfTI) replaces the automatic body segmentation with \
            --body-mask; it must hold the series' voxels (axis order and direction may differ). Without --label \
            each level uses the label that holds most of its cement, and within it the connected part that does.

            A folder holding a whole study (scouts, soft-tissue and bone reconstructions, MPRs) is measured on one \
            series, chosen by documented rules: never a scout (ImageType LOCALIZER), a non-CT series or one that \
            is not axial (a sagittal or coronal MPR; the engine finds endplates along the slice normal); then bone \
            kernel before unknown before soft; thinner slices; more slices; and the first in that order whose cement \
            lies inside its scan range. --json lists every series in series_candidates with why it lost; --series \
            UID overrides the rules. When no series may be measured, rate exits 2 naming each series and why.

            An edited cement mask (--cement-mask; any label map, e.g. level-N-cement.nii.gz from --export-masks \
            corrected in 3D Slicer or ITK-SNAP) replaces the cement threshold: its voxels count whole and the body \
            decides which lie inside it. A file that is not a label map (a CT volume, a fraction map) is refused.

            Measured accuracy is in the README (make validate); it does not yet reach the project's targets.

            Examples:
              cement rate scan/ --json
              cement rate scan/ --export-masks masks
              cement rate scan/ --json | jq .series_candidates
              cement rate scan/ --dicom-out results --case-id P001
              cement rate scan/ --body-mask segmentations/vertebrae_L1.nii.gz --json
              cement rate scan/ --cement-mask masks/level-1-cement.nii.gz --json
              cement rate scan/ --measurements measurements
            """
    )

    @Argument(help: "Series folder or files.", completion: .directory) var series: String
    @Option(help: "Cement threshold in HU.") var cementHu: Double = 1000
    @Option(name: .customLong("series"),
            help: "SeriesInstanceUID to measure (default: the thinnest axial bone-kernel series that covers the cement; a scout is never measured).")
    var seriesUID: String?
    @Option(help: ArgumentHelp(
        "Write ct.nii.gz and every level's masks (level-N-body.nii.gz, level-N-body-fraction.nii.gz, level-N-cement.nii.gz, cement fraction maps) with masks.json into this folder.",
        discussion: "The fraction maps sum to the reported volumes; the binary body mask is cut at the volume-preserving level, so a labelmap count (3D Slicer, ITK-SNAP) reproduces vertebral_body_ml."),
            completion: .directory)
    var exportMasks: String?
    @Option(help: "Write a DICOM Segmentation and a TID 1500 Structured Report per measured level into this folder (for a PACS or viewer).",
            completion: .directory)
    var dicomOut: String?
    @Option(help: "Case ID written as patient name and ID into --dicom-out objects (default: a pseudonym from the series UID); the source's patient identifiers are never copied.")
    var caseId: String?
    @Option(help: "Vertebral body mask (NIfTI .nii or .nii.gz) on the series grid, used instead of segmenting the body.",
            completion: .file(extensions: ["nii", "gz"]))
    var bodyMask: String?
    @Option(help: "Cement mask (NIfTI label map, e.g. an edited level-N-cement.nii.gz) on the series grid, used instead of the cement threshold; every non-zero voxel is cement.",
            completion: .file(extensions: ["nii", "gz"]))
    var cementMask: String?
    @Option(help: "Label of the treated body in --body-mask (default: the label holding most of the cement).")
    var label: Int?
    @Option(help: "Largest DR (%) of the low group; the paper's groups are low ≤ 10, medium, high ≥ 20.")
    var lowMax: Double = 10
    @Option(help: "Smallest DR (%) of the high group.")
    var highMin: Double = 20
    @Option(help: "Store the measurement with its masks in this measurement cache (what report CT figures draw from).",
            completion: .directory)
    var measurements: String?
    @Flag(help: "Print JSON on stdout.") var json = false

    struct Output: Encodable {
        var series_uid: String
        /// Every series found, with why each one not measured lost (`SeriesSelection`).
        var series_candidates: [SeriesSelection.Candidate]
        var series_selection_parameters: SeriesSelection.Parameters
        var distribution_rate_percent: Double?
        var vertebral_body_ml: Double?
        var cement_in_body_ml: Double
        var leakage_ml: Double
        var group: DRGroup?
        var qc: [QCFlag]
        var level_index: Int
        var cement_threshold_hu: Double
        var engine_version: String
        var parameters: RateEngine.Parameters
        var levels: [LevelMeasurement]
    }

    func validate() throws {
        guard (300...4000).contains(cementHu) else { throw ValidationError("--cement-hu must be 300–4000") }
        guard 0 < lowMax, lowMax < highMin, highMin < 100 else {
            throw ValidationError("--low-max and --high-min must satisfy 0 < low-max < high-min < 100")
        }
        if cementMask != nil, measurements != nil {
            throw ValidationError("--cement-mask cannot be stored in --measurements (the cache keys on the series and the body mask)")
        }
        if caseId != nil, dicomOut == nil { throw ValidationError("--case-id needs --dicom-out") }
        if let caseId, caseId.isEmpty || caseId.count > 64 || caseId.contains("\\") {
            throw ValidationError("--case-id must be 1–64 characters without a backslash")
        }
        if let label {
            guard bodyMask != nil else { throw ValidationError("--label needs --body-mask") }
            guard (1...255).contains(label) else { throw ValidationError("--label must be 1–255") }
        }
    }

    func run() throws {
        var selectionParameters = SeriesSelection.Parameters()
        selectionParameters.cementThresholdHU = cementHu
        let selection = try SeriesLoader().select(paths: [series], seriesUID: seriesUID, parameters: selectionParameters)
        let loaded = selection.series
        var engine = RateEngine()
        engine.cementThresholdHU = cementHu
        engine.groups.lowMaximum = lowMax
        engine.groups.highMinimum = highMin
        if let bodyMask {
            engine.bodyMask = try BodyMask(contentsOf: bodyMask, label: label, matching: loaded.volume.geometry)
        }
        if let cementMask {
            engine.cementMask = try CementMask(contentsOf: cementMask, matching: loaded.volume.geometry)
        }
        let result = engine.measure(loaded.volume, sliceThicknessMM: loaded.sliceThickness, withMasks: exportMasks != nil || measurements != nil || dicomOut != nil)
        if let measurements {
            let key = MeasurementCache.Key(seriesDigest: try SeriesDigest.of(files: loaded.files), parameters: result.parameters,
                                           bodyMaskDigest: try bodyMask.map { path throws in try SeriesDigest.of(files: [path]) })
            try MeasurementCache(folder: measurements).store(result, geometry: loaded.volume.geometry, key: key,
                                                              seriesFolder: series)
        }
        guard let main = result.levels.first else {
            if json {
                try Terminal.printJSON(Output(series_uid: loaded.uid, series_candidates: selection.candidates,
                                              series_selection_parameters: selection.parameters,
                                              distribution_rate_percent: nil, vertebral_body_ml: nil,
                                              cement_in_body_ml: 0, leakage_ml: 0, group: nil, qc: [.noCement],
                                              level_index: 0, cement_threshold_hu: cementHu,
                                              engine_version: RateEngine.version, parameters: engine.parameters, levels: []))
            }
            throw CommandFailure(message: "\(series): no cement at or above \(Int(cementHu)) HU", code: ExitCode.checkFailed)
        }
        if let exportMasks {
            try MaskExport.write(loaded.volume, result: result, to: exportMasks)
        }
        let measured = result.levels.contains(where: { $0.distributionRatePercent != nil })
        if let dicomOut, measured {
            let files = try DICOMResultsExport.write(caseID: caseId ?? "CR-" + String(DeterministicUID.make(loaded.uid).suffix(10)),
                                                     series: loaded, result: result, to: dicomOut)
            for file in files { Terminal.note("wrote \(file)") }
        }
        if json {
            try Terminal.printJSON(Output(series_uid: loaded.uid, series_candidates: selection.candidates,
                                          series_selection_parameters: selection.parameters,
                                          distribution_rate_percent: main.distributionRatePercent,
                                          vertebral_body_ml: main.vertebralBodyML, cement_in_body_ml: main.cementInBodyML,
                                          leakage_ml: main.leakageML, group: main.group, qc: main.qc,
                                          level_index: main.levelIndex, cement_threshold_hu: cementHu,
                                          engine_version: RateEngine.version, parameters: result.parameters,
                                          levels: result.levels))
            if !measured {
                throw CommandFailure(message: "\(series): no vertebral body measured around the cement", code: ExitCode.checkFailed)
            }
            return
        }
        let slices = loaded.volume.geometry.size.z
        print("series \(loaded.uid) (\(series), \(slices) slice\(slices == 1 ? "" : "s")), cement at or above "
              + "\(Self.number(cementHu)) HU, rate engine \(RateEngine.version)")
        let vertebra = vertebraName(levels: result.levels.count)
        for level in result.levels {
            print(Self.describe(level, among: result.levels, vertebra: vertebra))
            var dr = level.distributionRatePercent.map { String(format: "%.1f %%", $0) } ?? "n/a"
            if let interval = level.distributionRateIntervalPercent {
                dr += String(format: " (90 %% interval %.1f–%.1f %%)", interval[0], interval[1])
            }
            if let tilt = level.vertebraTiltDegrees, tilt >= 5 { dr += String(format: ", body tilted %.0f°", tilt) }
            let body = level.vertebralBodyML.map { String(format: "%.2f ml", $0) } ?? "n/a"
            print("  DR \(dr) (\(level.group?.rawValue ?? "?")), body \(body), cement in body "
                  + String(format: "%.2f ml, leakage %.2f ml", level.cementInBodyML, level.leakageML)
                  + (level.qc.isEmpty ? "" : "; QC: " + level.qc.map(\.rawValue).joined(separator: ", ")))
        }
        if let exportMasks {
            print("masks of every level written to \(exportMasks): ct.nii.gz, level-N-body.nii.gz, level-N-cement.nii.gz, "
                  + "fraction maps and masks.json")
        }
        if let measurements { print("measurement and masks stored in the measurement cache \(measurements)") }
        if !measured {
            throw CommandFailure(message: "\(series): no vertebral body measured around the cement", code: ExitCode.checkFailed)
        }
    }

    /// "level 1 of 2, upper (cement centre L 1.0, P 2.0, S 3.0 mm) — L1": which level, where, and the vertebra
    /// when known.
    static func describe(_ level: LevelMeasurement, among levels: [LevelMeasurement], vertebra: String?) -> String {
        var text = "level \(level.levelIndex + 1) of \(levels.count)"
        if levels.count > 1 {
            // LPS: the third coordinate grows towards the head.
            let rank = levels.filter { ($0.cementCentroidMM.last ?? 0) > (level.cementCentroidMM.last ?? 0) }.count
            text += rank == 0 ? ", the uppermost" : (rank == levels.count - 1 ? ", the lowest" : ", \(rank + 1). from the top")
        }
        let c = level.cementCentroidMM
        if c.count == 3 { text += String(format: " (cement centre L %.1f, P %.1f, S %.1f mm)", c[0], c[1], c[2]) }
        if let vertebra, level.levelIndex == 0 { text += " — vertebra \(vertebra)" }
        return text + ":"
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// The treated vertebra, when something names it: a TotalSegmentator mask `vertebrae_L1.nii.gz`, or the
    /// truth of a one-level phantom.
    private func vertebraName(levels: Int) -> String? {
        if let bodyMask {
            let name = (bodyMask as NSString).lastPathComponent
            if name.hasPrefix("vertebrae_"), let end = name.firstIndex(of: ".") {
                let label = String(name[name.index(name.startIndex, offsetBy: "vertebrae_".count)..<end])
                if label.range(of: "^[CTLS][0-9]{1,2}$", options: .regularExpression) != nil { return label }
            }
            return nil
        }
        let truthPath = (series as NSString).appendingPathComponent(PhantomGenerator.truthFileName)
        guard levels == 1, let truth = try? PhantomGenerator.readTruth(truthPath), (truth.levels?.count ?? 1) == 1 else {
            return nil
        }
        return truth.level + " (phantom truth)"
    }
}
