import CDCMTKResults
import CementCore
import Foundation
import Imaging
import RateEngine

/// Writes a level's measurement as a DICOM Structured Report with the TID 1500 Imaging Measurement Report template,
/// through DCMTK's dcmsr/cmr: one volumetric ROI measurement group (TID 1411) per segment of the level's
/// Segmentation (vertebral body, cement in body, leaked cement), volumes in ml and the DR with its 90 % interval in
/// % (UCUM), QC flags as qualitative evaluations of the body's group, the tool and its version as observer device
/// and algorithm identification.
public enum MeasurementReportWriter {
    /// A measurement group: the segment it measures and its values.
    public struct Group: Sendable {
        public var trackingID: String
        public var trackingUID: String
        public var finding: ResultCode
        public var segmentNumber: Int
        public var measurements: [(concept: ResultCode, value: Double, unit: ResultCode)]
        public var evaluations: [(concept: ResultCode, value: ResultCode)]
    }

    /// Writes the report to `path` (atomically). `segmentationUID` is the SOPInstanceUID of the level's SEG.
    public static func write(path: String, identity: ResultIdentity, segmentationUID: String, sourceSeriesUID: String,
                             groups: [Group], algorithmVersion: String) throws(ImagingError)
    {
        let arena = CStringArena()
        var identityC = identity.native(arena)
        let nativeMeasurements: [[cdcmr_measurement]] = groups.map { group in
            group.measurements.map {
                cdcmr_measurement(concept: arena.code($0.concept), value: arena.string(decimalString($0.value)),
                                  unit: arena.code($0.unit))
            }
        }
        let nativeEvaluations: [[cdcmr_evaluation]] = groups.map { group in
            group.evaluations.map { cdcmr_evaluation(concept: arena.code($0.concept), value: arena.code($0.value)) }
        }
        try AtomicFile.write(to: path) { temporary throws(ImagingError) in
            var message = [CChar](repeating: 0, count: 1024)
            let status = withBuffers(nativeMeasurements) { measurementPointers in
                withBuffers(nativeEvaluations) { evaluationPointers in
                    let native = groups.indices.map { index in
                        cdcmr_group(tracking_id: arena.string(groups[index].trackingID),
                                    tracking_uid: arena.string(groups[index].trackingUID),
                                    finding: arena.code(groups[index].finding), finding_site: arena.code(.vertebra),
                                    segment_number: groups[index].segmentNumber,
                                    measurements: measurementPointers[index], measurement_count: nativeMeasurements[index].count,
                                    evaluations: evaluationPointers[index], evaluation_count: nativeEvaluations[index].count)
                    }
                    return native.withUnsafeBufferPointer { list in
                        var report = cdcmr_report(
                            procedure: arena.code(.computedTomography),
                            segmentation_sop_instance_uid: arena.string(segmentationUID),
                            source_series_uid: arena.string(sourceSeriesUID),
                            algorithm_name: arena.string(SegmentationWriter.algorithmName),
                            algorithm_version: arena.string(algorithmVersion), groups: list.baseAddress, group_count: list.count)
                        return cdcmr_write_measurement_report(temporary, &identityC, &report, &message, message.count)
                    }
                }
            }
            if status != 0 { throw ImagingError(file: path, String(cString: message)) }
        }
    }

    /// A measurement value as a DICOM DS string: at most 16 characters, enough digits for 0.01 % of any volume.
    static func decimalString(_ value: Double) -> String {
        for digits in stride(from: 6, through: 1, by: -1) {
            var text = String(format: "%.\(digits)f", value)
            while text.contains("."), text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
            if text == "-0" { text = "0" }
            if text.count <= 16 { return text }
        }
        return String(format: "%.6e", value)
    }

    /// Stable pointers to every array's elements for the duration of `body` (nil for an empty array).
    private static func withBuffers<T, R>(_ arrays: [[T]], _ body: ([UnsafePointer<T>?]) -> R) -> R {
        func nest(_ index: Int, _ collected: [UnsafePointer<T>?]) -> R {
            guard index < arrays.count else { return body(collected) }
            return arrays[index].withUnsafeBufferPointer { nest(index + 1, collected + [$0.baseAddress]) }
        }
        return nest(0, [])
    }
}
