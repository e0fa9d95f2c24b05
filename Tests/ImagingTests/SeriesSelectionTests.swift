import Foundation
import XCTest

@testable import Imaging

/// Synthetic multi-series studies written by the project's own CT writer: every series samples the same patient
/// (a 3000 HU cement sphere of radius 5 mm at the origin in 40 HU tissue), so the expected choice follows from the
/// documented rules alone.
final class SeriesSelectionTests: XCTestCase {
    private struct SeriesSpec {
        var name: String
        var size: SIMD3<Int>
        var spacing: SIMD3<Double>
        var origin: SIMD3<Double>
        var row: SIMD3<Double> = [1, 0, 0]
        var column: SIMD3<Double> = [0, 1, 0]
        var kernel: String?
        var imageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        var thickness: Double?
    }

    /// Writes one series of the shared patient into `root/name`.
    private func write(_ spec: SeriesSpec, number: Int, into root: String) throws -> String {
        let slice = cross(spec.row, spec.column)
        let geometry = VolumeGeometry(size: spec.size, spacing: spec.spacing, origin: spec.origin,
                                      rowDirection: spec.row, columnDirection: spec.column, sliceDirection: slice)
        var volume = HUVolume(geometry: geometry, repeating: 40)
        for k in 0..<spec.size.z {
            for j in 0..<spec.size.y {
                for i in 0..<spec.size.x {
                    let p = geometry.patientPosition(ofIndex: SIMD3(Double(i), Double(j), Double(k)))
                    if (p * p).sum() <= 25 { volume[i, j, k] = 3000 }
                }
            }
        }
        var identity = CTSeriesWriter.Identity(patientName: "SYNTHETIC^SELECTION", patientID: "SEL",
                                               uidSeed: "selection/" + spec.name)
        identity.seriesNumber = number
        identity.seriesDescription = spec.name
        var writer = CTSeriesWriter(identity: identity)
        writer.convolutionKernel = spec.kernel
        writer.imageType = spec.imageType
        writer.sliceThickness = spec.thickness
        try FileManager.default.createDirectory(atPath: root + "/" + spec.name, withIntermediateDirectories: true)
        try writer.write(volume, to: root + "/" + spec.name)
        return writer.identity.seriesUID
    }

    /// A study as a PACS exports it: scout, soft-tissue and bone reconstructions at several widths, a sagittal MPR,
    /// and a thin bone series whose range stops inside the cement.
    private func writeStudy(_ root: String) throws -> [String: String] {
        let axialOrigin = SIMD3<Double>(-12, -12, -15)
        let specs: [SeriesSpec] = [
            // Scout: one coronal projection image marked LOCALIZER (far more pixels than any slice).
            SeriesSpec(name: "scout", size: [48, 48, 1], spacing: [1, 1, 1], origin: [-24, 0, 24], row: [1, 0, 0],
                       column: [0, 0, -1], imageType: ["ORIGINAL", "PRIMARY", "LOCALIZER"]),
            SeriesSpec(name: "soft-1mm", size: [24, 24, 31], spacing: [1, 1, 1], origin: axialOrigin, kernel: "B30f"),
            SeriesSpec(name: "bone-1mm", size: [24, 24, 31], spacing: [1, 1, 1], origin: axialOrigin, kernel: "B70f"),
            SeriesSpec(name: "bone-2mm", size: [24, 24, 16], spacing: [1, 1, 2], origin: axialOrigin, kernel: "B70f"),
            // Thinner still, but it starts 2 mm above the sphere's centre: the cement is cut on its first slice.
            SeriesSpec(name: "bone-cut", size: [24, 24, 40], spacing: [1, 1, 0.5], origin: [-12, -12, 2],
                       kernel: "BONE"),
            // Sagittal MPR at 0.5 mm with a bone kernel: more slices and thinner, but not axial.
            SeriesSpec(name: "sagittal", size: [24, 24, 60], spacing: [1, 1, 0.5], origin: [15, -12, 12],
                       row: [0, 1, 0], column: [0, 0, -1], kernel: "B70f",
                       imageType: ["DERIVED", "SECONDARY", "REFORMATTED"]),
            // Overlapping 0.5 mm steps of 1.5 mm slices with a soft kernel.
            SeriesSpec(name: "soft-overlap", size: [24, 24, 61], spacing: [1, 1, 0.5], origin: axialOrigin,
                       kernel: "STANDARD", thickness: 1.5),
        ]
        var uids: [String: String] = [:]
        for (number, spec) in specs.enumerated() { uids[spec.name] = try write(spec, number: number + 1, into: root) }
        return uids
    }

    func testTheThinnestAxialBoneSeriesThatCoversTheCementIsMeasured() throws {
        let root = Fixtures.temporaryFolder()
        let uids = try writeStudy(root)
        let outcome = try SeriesLoader().select(paths: [root])
        XCTAssertEqual(outcome.series.uid, uids["bone-1mm"])
        var reasons: [String: SeriesSelection.Reason?] = [:]
        for candidate in outcome.candidates {
            let name = uids.first { $0.value == candidate.seriesUID }!.key
            reasons[name] = candidate.reason
            XCTAssertEqual(candidate.selected, name == "bone-1mm", name)
        }
        XCTAssertEqual(reasons["scout"], .localizer)
        XCTAssertEqual(reasons["sagittal"], .notAxial)
        XCTAssertEqual(reasons["bone-cut"], .doesNotCoverCement)
        XCTAssertEqual(reasons["bone-2mm"], .thickerSlices)
        XCTAssertEqual(reasons["soft-1mm"], .softerKernel)
        XCTAssertEqual(reasons["soft-overlap"], .softerKernel)
        XCTAssertEqual(reasons["bone-1mm"], .some(nil))
        let sagittal = outcome.candidates.first { $0.seriesUID == uids["sagittal"] }!
        XCTAssertEqual(sagittal.orientation, .sagittal)
        XCTAssertEqual(sagittal.normalTiltDegrees, 90, accuracy: 1e-6)
        let overlap = outcome.candidates.first { $0.seriesUID == uids["soft-overlap"] }!
        XCTAssertEqual(overlap.sliceStepMM ?? 0, 0.5, accuracy: 1e-6)
        XCTAssertEqual(overlap.sliceWidthMM ?? 0, 1.5, accuracy: 1e-6)
        // The scout has the most pixels and is never picked, not even by the header-only ranking.
        XCTAssertNotEqual(try DICOMScanner.scan([root]).select(uid: nil, location: root).uid, uids["scout"])
    }

    func testSeriesOverridesTheRulesButNeverMeasuresAScout() throws {
        let root = Fixtures.temporaryFolder()
        let uids = try writeStudy(root)
        let outcome = try SeriesLoader().select(paths: [root], seriesUID: uids["soft-1mm"])
        XCTAssertEqual(outcome.series.uid, uids["soft-1mm"])
        XCTAssertEqual(outcome.candidates.filter(\.selected).map(\.seriesUID), [uids["soft-1mm"]!])
        XCTAssertEqual(outcome.candidates.first { $0.seriesUID == uids["bone-1mm"] }?.reason, .notRequested)
        XCTAssertThrowsError(try SeriesLoader().select(paths: [root], seriesUID: uids["scout"])) { error in
            XCTAssertTrue("\(error)".contains("(0008,0008) ImageType"), "\(error)")
            XCTAssertTrue("\(error)".contains("scout"), "\(error)")
        }
    }

    func testAStudyOfScoutsOnlyIsAnError() throws {
        let root = Fixtures.temporaryFolder()
        _ = try write(SeriesSpec(name: "scout", size: [32, 32, 1], spacing: [1, 1, 1], origin: [-16, 0, 16],
                                 column: [0, 0, -1], imageType: ["ORIGINAL", "PRIMARY", "LOCALIZER"]),
                      number: 1, into: root)
        XCTAssertThrowsError(try SeriesLoader().load(paths: [root])) { error in
            XCTAssertTrue("\(error)".contains("no axial CT series other than scouts"), "\(error)")
        }
    }

    /// Only a scout and a sagittal MPR: neither may be measured (the engine finds endplates along the slice
    /// normal), so selection fails before loading any series, naming the folder and each series' reason.
    func testAScoutAndASagittalMPRAloneAreAnErrorThatSaysWhy() throws {
        let root = Fixtures.temporaryFolder()
        let scout = try write(SeriesSpec(name: "scout", size: [48, 48, 1], spacing: [1, 1, 1], origin: [-24, 0, 24],
                                         column: [0, 0, -1], imageType: ["ORIGINAL", "PRIMARY", "LOCALIZER"]),
                              number: 1, into: root)
        let sagittal = try write(SeriesSpec(name: "sagittal", size: [24, 24, 60], spacing: [1, 1, 0.5],
                                            origin: [15, -12, 12], row: [0, 1, 0], column: [0, 0, -1], kernel: "B70f",
                                            imageType: ["DERIVED", "SECONDARY", "REFORMATTED"]),
                                 number: 2, into: root)
        let scan = try DICOMScanner.scan([root])
        var loaded: [String] = []
        XCTAssertThrowsError(try SeriesSelection.select(scan, uid: nil, location: root) { series throws(ImagingError) in
            loaded.append(series.uid)
            return try SeriesLoader().load(series)
        }) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix(root + ": "), text)
            XCTAssertTrue(text.contains("no axial CT series other than scouts to measure"), text)
            XCTAssertTrue(text.contains("CT series \(scout) (number 1) localizer: ImageType ORIGINAL\\PRIMARY\\LOCALIZER"), text)
            // The MPR's normal is the x axis: 90° from head–foot, against the documented 30° limit.
            XCTAssertTrue(text.contains("CT series \(sagittal) (number 2) not_axial: sagittal slices (normal 90° from "
                                        + "head–foot, more than 30°)"), text)
            XCTAssertFalse(text.contains("SYNTHETIC"), "no patient name in the error: \(text)")
        }
        XCTAssertEqual(loaded, [], "no series is loaded, let alone measured")
        XCTAssertThrowsError(try scan.select(uid: nil, location: root)) { error in
            XCTAssertTrue("\(error)".contains("not_axial"), "\(error)")
        }
        // Named with --series, the MPR is refused on its orientation, as a scout is on its ImageType.
        XCTAssertThrowsError(try SeriesLoader().select(paths: [root], seriesUID: sagittal)) { error in
            XCTAssertTrue("\(error)".contains("(0020,0037) ImageOrientationPatient"), "\(error)")
            XCTAssertTrue("\(error)".contains("only axial series are measured"), "\(error)")
        }
    }

    func testWithoutAnyCoveringSeriesTheFirstRankedIsMeasuredAndSaysSo() throws {
        let root = Fixtures.temporaryFolder()
        let cut = try write(SeriesSpec(name: "cut", size: [24, 24, 10], spacing: [1, 1, 1], origin: [-12, -12, 0],
                                       kernel: "B60f"), number: 1, into: root)
        let outcome = try SeriesLoader().select(paths: [root])
        XCTAssertEqual(outcome.series.uid, cut)
        XCTAssertEqual(outcome.candidates.first?.reason, .doesNotCoverCement)
        XCTAssertTrue(outcome.candidates.first?.detail?.contains("first-ranked is measured") ?? false)
    }

    /// Kernel names as the vendors' reconstruction-kernel conventions give them (Siemens Bxx/Brxx sharpness
    /// numbers, GE and Philips names, Canon FC numbers).
    func testKernelClasses() {
        let expected: [(String, SeriesSelection.KernelClass)] = [
            ("B70f", .bone), ("B60s", .bone), ("Br64", .bone), ("Bv56", .bone), ("I70f", .bone), ("Hr68", .bone),
            ("B30f", .soft), ("Br40", .soft), ("I31f", .soft), ("BONE", .bone), ("BONEPLUS", .bone), ("SHARP", .bone),
            ("EDGE", .bone), ("DETAIL", .bone), ("STANDARD", .soft), ("SOFT", .soft), ("SMOOTH", .soft),
            ("FC30", .bone), ("FC81", .bone), ("FC08", .soft), ("FC50", .unknown), ("LUNG", .unknown), ("", .unknown),
        ]
        for (name, kernel) in expected {
            XCTAssertEqual(SeriesSelection.KernelClass(kernel: name.isEmpty ? [] : [name]), kernel, name)
        }
    }
}
