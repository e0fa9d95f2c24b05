import CementCore
import Foundation
import Imaging
import RateEngine

/// Writes the results of `cement rate` back as DICOM: per measured level a Segmentation (vertebral body, cement in
/// body, leaked cement; fractional occupancy) and a TID 1500 Measurement Report that refers to it. This is what
/// `cement rate --dicom-out` writes and what `cement pacs push` sends.
///
/// UIDs are `DeterministicUID`s of the source series, the level, the engine version and the measured values, so the
/// same measurement always gives the same files and a changed one new instances. The patient is the case ID only
/// (`ResultIdentity`).
public enum DICOMResultsExport {
    /// Series numbers of the written objects, high enough to sort after the scanner's series.
    public static let segmentationSeriesNumber = 9100
    public static let reportSeriesNumber = 9200

    /// Writes SEG and SR files for every level with a body into `folder` and returns their paths (SEG, then SR, level
    /// by level). Nothing is written when any object fails. `result` must have been measured with masks.
    @discardableResult
    public static func write(caseID: String, series: LoadedSeries, result: RateEngine.Result, to folder: String)
        throws(ImagingError) -> [String]
    {
        let source = try SourceSlices(series)
        let staging: StagingFolder
        do { staging = try StagingFolder(in: folder, name: "dicom") } catch { throw ImagingError(file: error.path, error.message) }
        defer { staging.discard() }
        var names: [String] = []
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for level in result.levels {
            guard let body = level.vertebralBodyML, let rate = level.distributionRatePercent,
                  let masks = result.masks.first(where: { $0.levelIndex == level.levelIndex }) else { continue }
            let values = (try? encoder.encode(level)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            let seed = "CementReport/results/\(series.uid)/level-\(level.levelIndex)/\(RateEngine.version)/\(caseID)/\(values)"
            let number = level.levelIndex + 1
            let segmentationUID = DeterministicUID.make(seed + "/seg/instance")
            let trackingUIDs = ["body", "cement-in-body", "leaked-cement"].map { DeterministicUID.make(seed + "/tracking/" + $0) }
            let segments = [
                SegmentationWriter.Segment(label: "Vertebral body", description: "Treated vertebral body, level \(number)",
                                           category: .anatomicalStructure, type: .vertebra,
                                           trackingID: "level \(number) vertebral body", trackingUID: trackingUIDs[0],
                                           fractions: masks.bodyFraction),
                SegmentationWriter.Segment(label: "Cement in body", description: "Bone cement inside the body, level \(number)",
                                           category: .substance, type: .acrylicResin,
                                           trackingID: "level \(number) cement in body", trackingUID: trackingUIDs[1],
                                           fractions: masks.cementInBodyFraction),
                SegmentationWriter.Segment(label: "Leaked cement", description: "Bone cement outside the body, level \(number)",
                                           category: .substance, type: .acrylicResin,
                                           trackingID: "level \(number) leaked cement", trackingUID: trackingUIDs[2],
                                           fractions: masks.leakedCementFraction),
            ]
            let segmentationIdentity = ResultIdentity(
                caseID: caseID, studyUID: source.studyUID, studyDate: source.studyDate,
                seriesUID: DeterministicUID.make(seed + "/seg/series"), sopInstanceUID: segmentationUID,
                seriesDescription: "CementReport segmentation, level \(number)",
                seriesNumber: segmentationSeriesNumber + level.levelIndex, softwareVersion: RateEngine.version)
            let reportIdentity = ResultIdentity(
                caseID: caseID, studyUID: source.studyUID, studyDate: source.studyDate,
                seriesUID: DeterministicUID.make(seed + "/sr/series"), sopInstanceUID: DeterministicUID.make(seed + "/sr/instance"),
                seriesDescription: "CementReport measurement report, level \(number)",
                seriesNumber: reportSeriesNumber + level.levelIndex, softwareVersion: RateEngine.version)
            var cementMeasurements: [(concept: ResultCode, value: Double, unit: ResultCode)] = [
                (.volume, level.cementInBodyML, .milliliter), (.distributionRate, rate, .percent),
            ]
            if let interval = level.distributionRateIntervalPercent, interval.count == 2 {
                cementMeasurements += [(.distributionRateLower, interval[0], .percent),
                                       (.distributionRateUpper, interval[1], .percent)]
            }
            let groups = [
                MeasurementReportWriter.Group(
                    trackingID: segments[0].trackingID, trackingUID: trackingUIDs[0], finding: .vertebra, segmentNumber: 1,
                    measurements: [(.volume, body, .milliliter)],
                    evaluations: level.qc.map { (.qualityControlFlag, ResultCode.qualityControl($0)) }),
                MeasurementReportWriter.Group(
                    trackingID: segments[1].trackingID, trackingUID: trackingUIDs[1], finding: .acrylicResin, segmentNumber: 2,
                    measurements: cementMeasurements, evaluations: []),
                MeasurementReportWriter.Group(
                    trackingID: segments[2].trackingID, trackingUID: trackingUIDs[2], finding: .acrylicResin, segmentNumber: 3,
                    measurements: [(.volume, level.leakageML, .milliliter)], evaluations: []),
            ]
            let segName = "level-\(number)-seg.dcm", srName = "level-\(number)-sr.dcm"
            try SegmentationWriter.write(path: staging.temporaryPath(segName), identity: segmentationIdentity, source: source,
                                         segments: segments)
            try MeasurementReportWriter.write(path: staging.temporaryPath(srName), identity: reportIdentity,
                                              segmentationUID: segmentationUID, sourceSeriesUID: series.uid, groups: groups,
                                              algorithmVersion: RateEngine.version)
            names += [segName, srName]
        }
        guard !names.isEmpty else {
            throw ImagingError(file: series.files.first ?? series.uid, "no level with a vertebral body to write as DICOM")
        }
        do { return try staging.commit(names) } catch { throw ImagingError(file: error.path, error.message) }
    }
}
