import Foundation
import Imaging
import XCTest

@testable import Phantom

/// Ground truth checked against independent computations: closed-form volumes of simple shapes, plain voxel
/// counting, and the supersampled partial-volume image.
final class PhantomTests: XCTestCase {
    private func plainBody(wedge: Double = 1, concavity: Double = 0, dip: Double = 0) -> VertebralBodyShape {
        VertebralBodyShape(centre: [1, -2, -300], halfWidth: 21, halfDepth: 16, posteriorConcavity: concavity,
                           posteriorHeight: 24, anteriorHeight: 24 * wedge, endplateConcavity: dip)
    }

    func testBodyVolumeMatchesClosedFormsOfSimpleShapes() {
        // Elliptic cylinder: π·a·b·h. Linear wedge over a symmetric ellipse: π·a·b·(Ha+Hp)/2.
        // Each endplate dips e(1 − q²), removing π·a·b·e/2 per endplate: π·a·b·(h̄ − e).
        let ab = Double.pi * 21 * 16
        XCTAssertEqual(plainBody().volume, ab * 24, accuracy: 1e-9 * ab * 24)
        XCTAssertEqual(plainBody(wedge: 0.7).volume, ab * (24 + 16.8) / 2, accuracy: 1e-9 * ab * 24)
        XCTAssertEqual(plainBody(wedge: 0.7, dip: 1.1).volume, ab * ((24 + 16.8) / 2 - 1.1), accuracy: 1e-9 * ab * 24)
    }

    func testKidneyShapedWedgedBodyAgreesWithPlainVoxelCounting() {
        // No closed form with the posterior concavity: count a uniform 0.2 mm grid instead.
        let body = plainBody(wedge: 0.75, concavity: 0.15, dip: 0.9)
        let step = 0.2
        let (low, high) = body.bounds
        var count = 0
        var z = low.z - 1 + step / 2
        while z < high.z + 1 {
            var y = low.y + step / 2
            while y < high.y {
                var x = low.x + step / 2
                while x < high.x {
                    if body.contains([x, y, z]) { count += 1 }
                    x += step
                }
                y += step
            }
            z += step
        }
        let counted = Double(count) * step * step * step
        XCTAssertEqual(body.volume, counted, accuracy: 2e-3 * counted)
    }

    func testRegionVolumeOfAnEllipsoid() {
        let (a, b, c) = (9.0, 6.5, 4.0)
        let exact = 4.0 / 3.0 * Double.pi * a * b * c
        let volume = RegionVolume(cellSize: 0.5, subdivisions: 4).volume(in: ([-a, -b, -c], [a, b, c])) { p in
            (p.x / a) * (p.x / a) + (p.y / b) * (p.y / b) + (p.z / c) * (p.z / c) < 1
        }
        XCTAssertEqual(volume, exact, accuracy: 1e-3 * exact)
    }

    func testRequestedDistributionRateIsReachedWithinTolerance() {
        for (seed, target) in [(UInt64(11), 4.0), (12, 12.5), (13, 20.0), (14, 33.0)] {
            var overrides = PhantomParameters.Overrides()
            overrides.distributionRate = target
            let phantom = PhantomGenerator().makeCase(seed: seed, overrides: overrides)
            XCTAssertEqual(phantom.truth.distributionRatePercent, target, accuracy: 0.2, "seed \(seed)")
            XCTAssertEqual(phantom.truth.distributionRatePercent,
                           100 * phantom.truth.cementInBodyML / phantom.truth.vertebralBodyML, accuracy: 1e-9)
        }
    }

    /// Every tissue at 0 HU but cement at 1000 HU: the supersampled partial-volume image then sums to the
    /// cement volume, an independent estimate of the truth's integral.
    func testTruthAgreesWithTheNoiseFreeBlurFreeImage() {
        var overrides = PhantomParameters.Overrides()
        overrides.distributionRate = 18
        overrides.leakage = LeakageKind.none
        overrides.matrix = 256
        overrides.pixelSpacing = 0.45
        overrides.sliceSpacing = 0.5
        overrides.sliceCount = 80
        var phantom = PhantomGenerator().makeCase(seed: 21, overrides: overrides)
        phantom.parameters.hu = MaterialHU(cortex: 0, endplate: 0, cancellous: 0, cement: 1000, disc: 0,
                                           posteriorElement: 0, canal: 0, softTissue: 0, fat: 0, air: 0)
        phantom.parameters.fieldOffset = [0, 0, 0]
        let image = PhantomRenderer(model: SpineModel(phantom.parameters)).occupancyImage()
        let counted = image.voxels.reduce(0.0) { $0 + Double($1) } / 1000 * image.geometry.voxelVolume / 1000
        XCTAssertEqual(counted, phantom.truth.cementInBodyML, accuracy: 0.01 * phantom.truth.cementInBodyML)
    }

    func testLeakageStaysOutsideTheBodyAndDoesNotChangeTheRate() {
        for kind in [LeakageKind.disc, .vein, .anterior] {
            var overrides = PhantomParameters.Overrides()
            overrides.distributionRate = 15
            overrides.leakage = kind
            let phantom = PhantomGenerator().makeCase(seed: 31, overrides: overrides)
            XCTAssertGreaterThan(phantom.truth.leakageML, 0.02, "\(kind)")
            XCTAssertEqual(phantom.truth.distributionRatePercent, 15, accuracy: 0.2)
            let model = SpineModel(phantom.parameters)
            let leak = phantom.parameters.leak!
            // Sample the leak blob: wherever the model says leaked cement, the point is outside the treated body.
            var rng = SeededGenerator(seed: 5)
            var leakedPoints = 0
            for _ in 0..<20_000 {
                let (low, high) = leak.bounds
                let p = SIMD3(rng.uniform(low.x, high.x), rng.uniform(low.y, high.y), rng.uniform(low.z, high.z))
                if model.material(at: p) == .leakedCement {
                    leakedPoints += 1
                    XCTAssertFalse(phantom.parameters.treated.contains(p))
                }
            }
            XCTAssertGreaterThan(leakedPoints, 0)
        }
    }

    func testDrawnParametersStayInTheirClinicalRanges() {
        for seed in UInt64(100)..<UInt64(160) {
            let p = PhantomParameters.random(seed: seed)
            let t = p.treated
            XCTAssertTrue((31.5...50).contains(2 * t.halfWidth), "width \(2 * t.halfWidth)")
            XCTAssertTrue((28...38).contains(2 * t.halfDepth), "depth \(2 * t.halfDepth)")
            XCTAssertTrue((18...28).contains(t.posteriorHeight))
            XCTAssertTrue((0.6...1).contains(t.anteriorHeight / t.posteriorHeight))
            XCTAssertTrue((0.8...1.5).contains(p.corticalThickness))
            XCTAssertTrue((300...800).contains(p.hu.cortex))
            XCTAssertTrue((40...160).contains(p.hu.cancellous))
            XCTAssertTrue((70...100).contains(p.hu.disc))
            XCTAssertTrue((1200...3000).contains(p.hu.cement))
            XCTAssertTrue([256, 512].contains(p.matrix))
            XCTAssertTrue((0.3...0.9).contains(p.pixelSpacing))
            XCTAssertTrue((0.625...3).contains(p.sliceSpacing))
            XCTAssertTrue((0.4...0.8).contains(p.psfSigma))
            XCTAssertTrue((10...40).contains(p.noiseSigma))
            XCTAssertTrue((1...3).contains(p.cement.count))
            XCTAssertGreaterThanOrEqual(Double(p.matrix) * p.pixelSpacing, 110, "field of view")
        }
    }

    func testWrittenSeriesIsDeterministicAndLoadsBackWithTheIntendedGeometry() throws {
        var overrides = PhantomParameters.Overrides()
        overrides.distributionRate = 25
        overrides.matrix = 256
        overrides.pixelSpacing = 0.8
        overrides.sliceSpacing = 2.5
        overrides.sliceCount = 30
        let generator = PhantomGenerator()
        var phantom = generator.makeCase(seed: 41, overrides: overrides)
        phantom.parameters.reversedSliceDirection = true
        phantom.parameters.shuffledFiles = true
        let base = NSTemporaryDirectory() + "cementreport-phantom-\(UUID().uuidString)"
        try generator.write(phantom, to: base + "/a")
        try generator.write(phantom, to: base + "/b")
        let names = try FileManager.default.contentsOfDirectory(atPath: base + "/a").sorted()
        XCTAssertEqual(names.count, 31)
        for name in names {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: base + "/a/" + name)),
                           try Data(contentsOf: URL(fileURLWithPath: base + "/b/" + name)), name)
        }
        let loaded = try SeriesLoader().load(paths: [base + "/a"])
        let g = loaded.volume.geometry
        XCTAssertEqual(g.size, [256, 256, 30])
        XCTAssertEqual(g.spacing.x, 0.8, accuracy: 1e-9)
        XCTAssertEqual(g.spacing.z, 2.5, accuracy: 1e-6)
        XCTAssertEqual(g.sliceDirection, [0, 0, 1])
        XCTAssertEqual(loaded.uid, phantom.truth.seriesUID)
        // The cement centre is bright, the air corner is air.
        let centre = phantom.parameters.cement[0].centre
        let index = SIMD3<Int>(g.index(ofPatientPosition: centre).rounded(.toNearestOrEven))
        XCTAssertGreaterThan(loaded.volume[index.x, index.y, index.z], 900)
        XCTAssertLessThan(loaded.volume[0, 0, 0], -800)
        let truth = try PhantomGenerator.readTruth(base + "/a/truth.json")
        XCTAssertEqual(truth, phantom.truth)
    }
}
