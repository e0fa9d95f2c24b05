import Foundation
import Imaging
import Phantom
import XCTest

@testable import RateEngine

/// `--body-mask`: the phantom's own geometric model (voxel centres inside the treated body) stands in for a user's
/// mask, so the reference body is analytic ground truth, independent of the automatic segmentation.
final class BodyMaskTests: XCTestCase {
    private struct Case {
        var phantom: PhantomGenerator.Case
        var volume: HUVolume
        /// Label per voxel centre: 21 the treated body, 20 the one above, 22 the one below (TotalSegmentator-like).
        var labels: LabelVolume
    }

    private func makeCase() -> Case {
        var overrides = PhantomParameters.Overrides()
        overrides.distributionRate = 24
        overrides.matrix = 256
        overrides.pixelSpacing = 0.7
        overrides.sliceSpacing = 1.25
        overrides.noiseSigma = 20
        overrides.leakage = .disc
        let phantom = PhantomGenerator().makeCase(seed: 4242, overrides: overrides)
        let volume = PhantomRenderer(model: SpineModel(phantom.parameters)).render()
        let p = phantom.parameters
        var labels = LabelVolume(geometry: volume.geometry, repeating: 0)
        for k in 0..<volume.geometry.size.z {
            for j in 0..<volume.geometry.size.y {
                for i in 0..<volume.geometry.size.x {
                    let x = volume.geometry.patientPosition(ofIndex: SIMD3(Double(i), Double(j), Double(k)))
                    if p.treated.contains(x) { labels[i, j, k] = 21 } else if p.upper.contains(x) {
                        labels[i, j, k] = 20
                    } else if p.lower.contains(x) { labels[i, j, k] = 22 }
                }
            }
        }
        return Case(phantom: phantom, volume: volume, labels: labels)
    }

    func testMasksOfTheTreatedBodyGiveTheTruthWhateverTheirLabelling() throws {
        let c = makeCase()
        let truth = c.phantom.truth
        func measure(_ labels: LabelVolume, label: UInt8?) throws -> LevelMeasurement {
            var engine = RateEngine()
            engine.bodyMask = BodyMask(labels: labels, label: label)
            return try XCTUnwrap(engine.measure(c.volume).levels.first)
        }
        // Label map with three vertebrae: the label holding the cement is chosen.
        let multi = try measure(c.labels, label: nil)
        XCTAssertEqual(multi.bodyMaskLabel, 21)
        // Voxel-centre sampling of a ~20 ml body on 0.7 × 0.7 × 1.25 mm voxels: the count errs well under 1 %.
        XCTAssertEqual(try XCTUnwrap(multi.vertebralBodyML), truth.vertebralBodyML, accuracy: 0.01 * truth.vertebralBodyML)
        // Remaining DR error is the cement's partial-volume estimate alone (README: about 1 % of the cement).
        XCTAssertEqual(try XCTUnwrap(multi.distributionRatePercent), truth.distributionRatePercent, accuracy: 0.5)
        XCTAssertEqual(multi.leakageML, truth.leakageML, accuracy: 0.15 * truth.leakageML)
        // The phantom's leak is a pancake in the disc above the body: it is placed there.
        let sites = try XCTUnwrap(multi.leakageSitesML)
        XCTAssertGreaterThan(sites.disc, 0.8 * multi.leakageML)
        XCTAssertEqual(sites.disc + sites.canal + sites.anterior + sites.paravertebral, multi.leakageML, accuracy: 0.05 * multi.leakageML)

        // Every body under one label (TotalSegmentator's vertebrae_body): the connected part with the cement counts.
        var single = c.labels
        single.voxels = single.voxels.map { $0 == 0 ? 0 : 1 }
        let one = try measure(single, label: nil)
        XCTAssertEqual(one.bodyMaskLabel, 1)
        XCTAssertEqual(try XCTUnwrap(one.vertebralBodyML), try XCTUnwrap(multi.vertebralBodyML), accuracy: 1e-9)

        // The label of a neighbour holds none of the cement: no DR, and a flag instead of a number.
        let wrong = try measure(c.labels, label: 22)
        XCTAssertNil(wrong.distributionRatePercent)
        XCTAssertEqual(wrong.qc, [.bodyMaskMissesCement])
    }

    func testAMaskOnAnotherGridOrWithoutTheLabelIsAnErrorNamingTheFile() throws {
        let series = VolumeGeometry(size: [20, 20, 10], spacing: [0.8, 0.8, 1], origin: [0, 0, 0])
        let folder = NSTemporaryDirectory() + "cementreport-tests/bodymask-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var mask = LabelVolume(geometry: series, repeating: 0)
        mask[5, 5, 5] = 3
        let path = folder + "/vertebrae_L1.nii.gz"
        try NIfTIWriter.write(mask, to: path)
        XCTAssertNoThrow(try BodyMask(contentsOf: path, label: 3, matching: series))

        var thicker = series
        thicker.spacing.z = 2
        XCTAssertThrowsError(try BodyMask(contentsOf: path, label: nil, matching: thicker)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix(path + ": ") && text.contains("does not match the series"), text)
            XCTAssertTrue(text.contains("0.8, 0.8, 1 mm") && text.contains("0.8, 0.8, 2 mm"), text)
        }
        XCTAssertThrowsError(try BodyMask(contentsOf: path, label: 4, matching: series)) { error in
            XCTAssertEqual("\(error)", path + ": label 4 does not occur in the body mask (labels present: 3)")
        }
        XCTAssertThrowsError(try BodyMask(contentsOf: folder + "/missing.nii.gz", label: nil, matching: series)) { error in
            XCTAssertEqual("\(error)", folder + "/missing.nii.gz: no such file")
        }
    }
}
