import Foundation
import XCTest

@testable import DICOMResults
@testable import Imaging
@testable import RateEngine

/// The library call `cement pacs push` uses, on an Enhanced CT (multi-frame) source: every SEG frame must name the
/// source frame it segments. Expected volumes are counted by hand from the maps built here; DCMTK's dcmdump and
/// pydicom + highdicom read the files.
final class DICOMResultsExportTests: XCTestCase {
    private func tool(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    func testAnEnhancedCTSourceGetsFrameReferencesAndTheHandCountedVolumes() throws {
        let root = NSTemporaryDirectory() + "cementreport-dicomresults-\(UUID().uuidString)"
        let geometry = VolumeGeometry(size: [12, 10, 8], spacing: [0.5, 0.5, 1], origin: [-3, -2.5, 10])
        var identity = CTSeriesWriter.Identity(patientName: "SYNTHETIC^HIDDEN", patientID: "HIDDEN-77", uidSeed: "results-mf")
        identity.studyDate = "20240229"
        var writer = CTSeriesWriter(identity: identity)
        writer.multiFrame = true
        try writer.write(HUVolume(geometry: geometry, repeating: 40), to: root + "/ct")
        let series = try SeriesLoader().load(paths: [root + "/ct"])
        XCTAssertTrue(series.isMultiFrame)

        // Body: slices 2–5, columns 2–9, rows 2–7 full (192 voxels) plus one half voxel; cement in body: 10 voxels at
        // 0.8 plus one at 1.3 and one at −0.1 (partial-volume estimates stray outside 0–1 in noise; the SEG cannot hold
        // them, its quantisation must carry them to the neighbours); leaked: 4 voxels at 0.25. Voxel 0.25 mm³.
        var body = FractionMap(geometry: geometry, low: [0, 0, 0], size: geometry.size)
        var inBody = body, leaked = body
        for k in 2...5 { for j in 2...7 { for i in 2...9 { body[i, j, k] = 1 } } }
        body[10, 4, 3] = 0.5
        for i in 3...7 { inBody[i, 4, 3] = 0.8; inBody[i, 5, 3] = 0.8 }
        inBody[8, 4, 3] = 1.3
        inBody[2, 5, 3] = -0.1
        for i in 0...3 { leaked[i, 0, 6] = 0.25 }
        let bodyML = 192.5 * 0.25 / 1000, cementML = 9.2 * 0.25 / 1000, leakML = 1 * 0.25 / 1000
        let level = LevelMeasurement(
            levelIndex: 0, distributionRatePercent: 100 * cementML / bodyML, vertebralBodyML: bodyML, cementInBodyML: cementML,
            leakageML: leakML, group: nil, qc: [.thickSlices], distributionRateRangePercent: nil, cementHU: 2000,
            cementCentroidMM: [0, 0, 13], distributionRateIntervalPercent: [3, 5])
        let masks = LevelMasks(levelIndex: 0, body: LabelVolume(geometry: geometry, repeating: 0),
                               cement: LabelVolume(geometry: geometry, repeating: 0), bodyFraction: body,
                               cementInBodyFraction: inBody, leakedCementFraction: leaked)
        let result = RateEngine.Result(levels: [level], masks: [masks], parameters: RateEngine.Parameters())
        let files = try DICOMResultsExport.write(caseID: "CASE-9", series: series, result: result, to: root + "/out")
        XCTAssertEqual(files.map { ($0 as NSString).lastPathComponent }, ["level-1-seg.dcm", "level-1-sr.dcm"])

        let dump = try tool(["dcmdump", files[0]])
        XCTAssertEqual(dump.status, 0, dump.output)
        // Frames of the body lie on slices 3–6 (1-based) of the single Enhanced CT instance.
        for frame in 3...6 { XCTAssertTrue(dump.output.contains("IS [\(frame)]"), "frame \(frame)") }
        XCTAssertTrue(dump.output.contains("ReferencedFrameNumber"), dump.output)
        XCTAssertFalse(dump.output.contains("HIDDEN"), "a source identifier reached the SEG")
        XCTAssertTrue(dump.output.contains("[20240229]"), "the study date is kept")

        let probe = try tool(["python3", "-c", "import highdicom"])
        guard probe.status == 0 else { throw XCTSkip("pydicom + highdicom are needed (scripts/install-deps.sh installs them)") }
        let read = try tool(["python3", "-c", """
            import sys, numpy, pydicom, highdicom
            seg = highdicom.seg.Segmentation.from_dataset(pydicom.dcmread(sys.argv[1]))
            volume = seg.get_volume(combine_segments=False)
            sums = volume.array.astype(numpy.float64).sum(axis=(0, 1, 2)) * float(numpy.prod(volume.spacing)) / 1000
            print(" ".join(repr(float(s)) for s in sums))
            """, files[0]])
        XCTAssertEqual(read.status, 0, read.output)
        let volumes = read.output.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        XCTAssertEqual(volumes.count, 3, read.output)
        guard volumes.count == 3 else { return }
        // Fractions are stored as n/255 with the rounding remainder carried on, so each segment holds the hand-counted
        // sum of its fractions (8 + 1.3 − 0.1 = 9.2 voxels of cement, 4 × 0.25 = 1 leaked) to within half a step
        // (0.5/255 of a voxel; the body's half voxel is the last partial one, its remainder has nowhere to go).
        // Clamping and rounding alone would give 10 × 204/255 + 1 and 4 × 64/255 voxels.
        // highdicom returns the fractions as float32: its sums hold about 7 significant digits (1e-7 relative).
        let step = 0.5 / 255 * 0.25 / 1000 + 1e-7 * bodyML
        XCTAssertEqual(volumes[0], bodyML, accuracy: step)
        XCTAssertEqual(volumes[1], cementML, accuracy: step)
        XCTAssertEqual(volumes[2], leakML, accuracy: step)
    }

    /// Every QC flag at once as the report's qualitative evaluations: pydicom, validating each value against its
    /// VR (a CodeMeaning is LO, at most 64 characters; some flag descriptions are longer), reads both files, and
    /// highdicom gives back every flag's code and the tool as the observer device.
    func testEveryQCFlagFitsItsVRsAndTheToolIsTheObserverDevice() throws {
        let probe = try tool(["python3", "-c", "import highdicom"])
        guard probe.status == 0 else { throw XCTSkip("pydicom + highdicom are needed (scripts/install-deps.sh installs them)") }
        let root = NSTemporaryDirectory() + "cementreport-dicomresults-\(UUID().uuidString)"
        let geometry = VolumeGeometry(size: [8, 8, 4], spacing: [1, 1, 1], origin: [0, 0, 0])
        try CTSeriesWriter(identity: CTSeriesWriter.Identity(patientName: "SYNTHETIC^FLAGS", patientID: "FLAGS-1",
                                                             uidSeed: "results-flags"))
            .write(HUVolume(geometry: geometry, repeating: 40), to: root + "/ct")
        let series = try SeriesLoader().load(paths: [root + "/ct"])
        var body = FractionMap(geometry: geometry, low: [0, 0, 0], size: geometry.size)
        var inBody = body
        let leaked = body
        for k in 1...2 { for j in 2...5 { for i in 2...5 { body[i, j, k] = 1 } } }
        inBody[3, 3, 1] = 1
        let level = LevelMeasurement(
            levelIndex: 0, distributionRatePercent: 100.0 / 32, vertebralBodyML: 0.032, cementInBodyML: 0.001,
            leakageML: 0, group: nil, qc: QCFlag.allCases, distributionRateRangePercent: nil, cementHU: 2000,
            cementCentroidMM: [3, 3, 1], distributionRateIntervalPercent: [2, 4])
        let masks = LevelMasks(levelIndex: 0, body: LabelVolume(geometry: geometry, repeating: 0),
                               cement: LabelVolume(geometry: geometry, repeating: 0), bodyFraction: body,
                               cementInBodyFraction: inBody, leakedCementFraction: leaked)
        let files = try DICOMResultsExport.write(caseID: "CASE-F", series: series,
                                                 result: RateEngine.Result(levels: [level], masks: [masks],
                                                                           parameters: RateEngine.Parameters()),
                                                 to: root + "/out")
        let read = try tool(["python3", "-c", """
            import sys, pydicom, highdicom
            from pydicom.sr.codedict import codes
            pydicom.config.settings.reading_validation_mode = pydicom.config.RAISE
            for path in sys.argv[1:]:
                for element in pydicom.dcmread(path).iterall():
                    element.value
            report = highdicom.sr.srread(sys.argv[2])
            group = report.content.get_volumetric_roi_measurement_groups()[0]
            print(" ".join(sorted(e.value.value for e in group.get_qualitative_evaluations())))
            device = report.content.get_observer_contexts(observer_type=codes.DCM.Device)[0].observer_identifying_attributes
            print("|".join([device.name, device.manufacturer_name, device.model_name, report.SoftwareVersions]))
            """] + files)
        XCTAssertEqual(read.status, 0, read.output)
        let lines = read.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, QCFlag.allCases.map(\.rawValue).sorted().joined(separator: " "), read.output)
        XCTAssertEqual(lines.last, "cement rate|CementReport|cement rate|\(RateEngine.version)", read.output)
        for flag in QCFlag.allCases {
            XCTAssertLessThanOrEqual(ResultCode.qualityControl(flag).meaning.count, 64, flag.rawValue)
        }
    }
}
