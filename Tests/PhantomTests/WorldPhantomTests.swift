import Foundation
import Imaging
import XCTest

@testable import Phantom

/// Domain-randomised (`world`) phantoms: each realism factor checked against a closed form or an independent
/// computation, plus determinism and DR targeting under randomisation.
final class WorldPhantomTests: XCTestCase {
    private func worldCase(seed: UInt64, configure: (inout PhantomParameters.Overrides) -> Void = { _ in })
        -> PhantomGenerator.Case
    {
        var overrides = PhantomParameters.Overrides()
        overrides.realism = .world
        overrides.distributionRate = 15
        overrides.matrix = 128
        configure(&overrides)
        return PhantomGenerator().makeCase(seed: seed, overrides: overrides)
    }

    /// Every CT number of the model and its surroundings set to `value`, and every factor that adds structure
    /// (texture, sclerosis, inclusions, streaks, kernel, field of view, clipping) switched off.
    private func flattened(_ parameters: PhantomParameters, to value: Double = 0) -> PhantomParameters {
        var p = parameters
        p.hu = MaterialHU(cortex: value, endplate: value, cancellous: value, cement: value, disc: value,
                          posteriorElement: value, canal: value, softTissue: value, fat: value, air: value)
        p.streakAmplitude = 0
        p.leak = nil
        p.leakage = .none
        guard var r = p.realism else { return p }
        r.textureSD = 0
        r.subchondralHU = 0
        r.scleroticBand = nil
        r.cleftGas = nil
        r.discInclusions = []
        r.osteophytes = []
        r.ribs = []
        r.bowelGas = []
        r.osteophyteHU = value
        r.surroundings.skinHU = value
        r.surroundings.tableShellHU = value
        r.surroundings.tableCoreHU = value
        r.surroundings.muscleHU = value
        r.surroundings.vessels = r.surroundings.vessels.map { var v = $0; v.hu = value; v.calcificationHU = nil; return v }
        r.kernel = .soft
        r.sharpeningGain = 0
        r.fieldOfViewRadius = nil
        r.saturates = false
        p.realism = r
        return p
    }

    func testATurnedBodyKeepsTheClosedFormVolumeOfTheUprightOne() {
        // Elliptic cylinder with paraboloid endplate dips e_s and e_i: V = π·a·b·(h − (e_s + e_i)/2), whatever the pose.
        var body = VertebralBodyShape(centre: [2, -3, -250], halfWidth: 20, halfDepth: 15, posteriorConcavity: 0,
                                      posteriorHeight: 22, anteriorHeight: 22, endplateConcavity: 1.6)
        body.inferiorConcavity = 0.8
        let exact = Double.pi * 20 * 15 * (22 - (1.6 + 0.8) / 2)
        XCTAssertEqual(body.volume, exact, accuracy: 1e-9 * exact)
        body.pose = BodyPose(pitchDegrees: 20, rollDegrees: -15, yawDegrees: 12)
        XCTAssertEqual(body.volume, exact, accuracy: 1e-9 * exact)
        // Count a 0.4 mm grid over the turned body's scanner-frame box: the rotation must map points, not volumes.
        let step = 0.4
        let (low, high) = body.bounds
        var count = 0
        var z = low.z + step / 2
        while z < high.z {
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
        XCTAssertEqual(Double(count) * step * step * step, exact, accuracy: 3e-3 * exact)
        // The pose turns the long axis: pitch 20° about x tilts it by 20° out of z before roll and yaw.
        var pitched = body
        pitched.pose = BodyPose(pitchDegrees: 20)
        XCTAssertEqual(acos(pitched.axis.z) * 180 / .pi, 20, accuracy: 1e-9)
        let back = pitched.toLocal(pitched.toScanner([5, 6, -240])) - SIMD3(5, 6, -240)
        XCTAssertLessThan((back * back).sum().squareRoot(), 1e-9)
    }

    func testTheSliceProfileIsABoxOfTheSliceThickness() {
        // A flat endplate (1 mm thick, 1000 HU, everything else 0 HU) seen through 3 mm slices every 1 mm: each voxel
        // is 1000 HU × (overlap of [z − 1.5, z + 1.5] with the endplate) / 3 mm, the box convolution, up to the
        // sub-sampling of the box (6 samples: ±1000/6 HU).
        let phantom = worldCase(seed: 61) {
            $0.sliceThickness = 3
            $0.sliceSpacing = 1
            $0.psfSigma = 0
            $0.noiseSigma = 0
        }
        var p = flattened(phantom.parameters)
        p.hu.endplate = 1000
        p.endplateThickness = 1
        p.treated.pose = nil
        p.treated.endplateConcavity = 0
        p.treated.inferiorConcavity = 0
        p.treated.anteriorHeight = p.treated.posteriorHeight
        // Neighbours upright and out of the way: only the treated body's superior endplate lies near the column.
        for shift in [20.0, -20.0] {
            if shift > 0 { p.upper.pose = nil; p.upper.centre.z += shift } else { p.lower.pose = nil; p.lower.centre.z += shift }
        }
        let renderer = PhantomRenderer(model: SpineModel(p))
        XCTAssertEqual(renderer.sliceThickness, 3)
        let image = renderer.occupancyImage()
        let g = image.geometry
        let top = p.treated.centre.z + p.treated.posteriorHeight / 2
        let column = SIMD3<Int>(g.index(ofPatientPosition: p.treated.centre).rounded(.toNearestOrEven))
        var checked = 0, peak = 0.0
        for k in 0..<g.size.z {
            let z = g.patientPosition(ofIndex: SIMD3(Double(column.x), Double(column.y), Double(k))).z
            guard abs(z - top) < 4 else { continue }
            let overlap = max(0, min(z + 1.5, top) - max(z - 1.5, top - 1))
            let value = Double(image[column.x, column.y, k])
            XCTAssertEqual(value, 1000 * overlap / 3, accuracy: 1000 / 6 + 1, "z \(z)")
            peak = max(peak, value)
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 7)
        // A box as thick as the spacing (1 mm) would reach the full 1000 HU; the 3 mm box only a third.
        XCTAssertLessThan(peak, 1000 / 3 + 1000 / 6 + 1)
    }

    func testCorrelatedNoiseHasTheRequestedStandardDeviationAndCorrelation() {
        // Filtered white noise: a Gaussian filter of σ pixels gives neighbours the correlation exp(−1/(4σ²)).
        let filter = PlaneFilter(sigma: 2)
        var rng = SeededGenerator(seed: 3, stream: "test")
        let (nx, ny) = (256, 256)
        let field = filter.correlatedNoise(nx: nx, ny: ny, using: &rng)
        let mean = field.reduce(0, +) / Double(field.count)
        let sd = (field.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(field.count)).squareRoot()
        XCTAssertEqual(sd, 1, accuracy: 0.05)
        var lag = 0.0
        for j in 0..<ny { for i in 0..<(nx - 1) { lag += (field[j * nx + i] - mean) * (field[j * nx + i + 1] - mean) } }
        XCTAssertEqual(lag / Double(ny * (nx - 1)) / (sd * sd), exp(-1.0 / 16), accuracy: 0.02)

        // Rendered: a flat phantom with 50 HU noise and overlapping slices (correlation ρ = min(0.45, 1 − S/T)).
        let phantom = worldCase(seed: 62) {
            $0.noiseSigma = 50
            $0.sliceThickness = 2
            $0.sliceSpacing = 1.5
        }
        let p = flattened(phantom.parameters)
        let volume = PhantomRenderer(model: SpineModel(p)).render()
        let v = volume.voxels.map(Double.init)
        let m = v.reduce(0, +) / Double(v.count)
        let rendered = (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count)).squareRoot()
        XCTAssertEqual(rendered, 50, accuracy: 2.5)
        let plane = volume.geometry.size.x * volume.geometry.size.y
        var across = 0.0
        for n in 0..<(v.count - plane) { across += (v[n] - m) * (v[n + plane] - m) }
        XCTAssertEqual(across / Double(v.count - plane) / (rendered * rendered), 0.25, accuracy: 0.04)
    }

    func testTrabecularTextureHasTheDrawnLocalStandardDeviation() throws {
        // Bone at a flat 100 HU, no noise, thin slices: the spread inside the body's core is the texture's alone. Its
        // amplitude is set before the PSF from the Gaussian-spectrum closed form, so after the PSF it is the drawn SD
        // (a little above it near the endplates, and a little below for the 0.5 mm slice box).
        let phantom = worldCase(seed: 63) {
            $0.noiseSigma = 0
            $0.sliceThickness = 0.5
            $0.sliceSpacing = 0.5
            $0.pixelSpacing = 0.5
        }
        var p = flattened(phantom.parameters, to: 100)
        p.cement = []
        p.realism?.textureSD = 30
        let volume = PhantomRenderer(model: SpineModel(p)).render()
        let g = volume.geometry
        let t = p.treated
        var values: [Double] = []
        let centre = SIMD3<Int>(g.index(ofPatientPosition: t.centre).rounded(.toNearestOrEven))
        let reach = SIMD3(24, 24, 24)
        let first = pointwiseMax(centre &- reach, SIMD3(repeating: 0)), last = pointwiseMin(centre &+ reach, g.size &- 1)
        for k in first.z...last.z {
            for j in first.y...last.y {
                for i in first.x...last.x {
                    let x = g.patientPosition(ofIndex: SIMD3(Double(i), Double(j), Double(k)))
                    let q = t.toLocal(x) - t.centre
                    if abs(q.x) < 8, abs(q.y) < 6, abs(q.z) < 3 { values.append(Double(volume[i, j, k])) }
                }
            }
        }
        XCTAssertGreaterThan(values.count, 2000)
        let mean = values.reduce(0, +) / Double(values.count)
        let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
        XCTAssertEqual(mean, 100, accuracy: 10)
        XCTAssertEqual(sd, 30, accuracy: 0.25 * 30)
    }

    func testTheFringeCementVolumeAgreesWithDirectIntegrationOfTheCementShare() {
        // Independent of the Gauss–Legendre rule over grown masses: integrate the share itself, read back from the
        // model's CT number (share = (HU − cancellous)/(cement − cancellous)), on a 0.3 mm grid in scanner space.
        let phantom = worldCase(seed: 64) { $0.secondLevel = false }
        var p = phantom.parameters
        p.realism?.subchondralHU = 0
        p.realism?.scleroticBand = nil
        p.realism?.cleftGas = nil
        XCTAssertGreaterThan(p.realism?.cementFringe ?? 0, 0.9)
        let model = SpineModel(p)
        let step = 0.3
        let (low, high) = p.treated.bounds
        var total = 0.0
        var z = low.z + step / 2
        while z < high.z {
            var y = low.y + step / 2
            while y < high.y {
                var x = low.x + step / 2
                while x < high.x {
                    let s = model.sample(at: [x, y, z])
                    if s.material == .cement { total += 1 }
                    else if s.material == .cementFringe { total += (s.hu - p.hu.cancellous) / (p.hu.cement - p.hu.cancellous) }
                    x += step
                }
                y += step
            }
            z += step
        }
        let direct = total * step * step * step / 1000
        let truth = PhantomTruth(model: model, seriesUID: "x", integrator: RegionVolume(cellSize: 0.5, subdivisions: 4))
        XCTAssertEqual(truth.cementInBodyML, direct, accuracy: 0.01 * direct)
    }

    func testAScleroticBandLiesInsideTheBodyParallelToItsEndplate() {
        let phantom = worldCase(seed: 65)
        var p = phantom.parameters
        p.realism?.subchondralHU = 0
        p.realism?.cleftGas = nil
        p.realism?.scleroticBand = ScleroticBand(depth: 3, thickness: 3, extraHU: 400, superior: true, slope: [0, 0])
        p.cement = []
        let model = SpineModel(p)
        let t = p.treated
        // On the body's axis the superior endplate's inner face is at h/2 − e − endplate thickness above the centre;
        // the band spans 3–6 mm below it.
        let face = t.height(atY: t.centre.y) / 2 - t.endplateConcavity - p.endplateThickness
        for (below, inBand) in [(1.5, false), (4.5, true), (7.5, false)] {
            let point = t.toScanner(t.centre + SIMD3(0, 0, face - below))
            let sample = model.sample(at: point)
            XCTAssertEqual(sample.material == .scleroticBand, inBand, "\(below) mm below the endplate")
            XCTAssertEqual(sample.hu, p.hu.cancellous + (inBand ? 400 : 0), accuracy: 1e-9)
            XCTAssertTrue(t.contains(point))
        }
    }

    func testWorldPhantomsAreDeterministicAndReachTheRequestedRatePerLevel() throws {
        for seed in [UInt64(71), 72, 73] {
            let a = worldCase(seed: seed) { $0.secondLevel = seed == 72 }
            if seed == 72 { XCTAssertEqual(a.truth, worldCase(seed: seed) { $0.secondLevel = true }.truth) }
            XCTAssertEqual(a.truth.distributionRatePercent, 15, accuracy: PhantomGenerator.distributionRateTolerance)
            let levels = try XCTUnwrap(a.truth.levels)
            XCTAssertEqual(levels.count, seed == 72 ? 2 : 1)
            if let second = a.parameters.secondLevel {
                XCTAssertEqual(levels[1].distributionRatePercent, second.targetDistributionRate,
                               accuracy: PhantomGenerator.distributionRateTolerance)
                XCTAssertEqual(levels[1].vertebralBodyML * 1000, a.parameters.neighbour(second.position).volume, accuracy: 1e-9)
            }
            for level in levels {
                XCTAssertEqual(level.distributionRatePercent, 100 * level.cementInBodyML / level.vertebralBodyML, accuracy: 1e-9)
            }
            // The truth names the drawn factors.
            let factors = try XCTUnwrap(a.truth.factors)
            XCTAssertEqual(factors.realism, .world)
            XCTAssertEqual(factors.pitch, a.parameters.treated.pose?.pitchDegrees)
        }
        let first = worldCase(seed: 74)
        XCTAssertEqual(PhantomRenderer(model: SpineModel(first.parameters)).render().voxels,
                       PhantomRenderer(model: SpineModel(first.parameters)).render().voxels)
        XCTAssertNotEqual(first.parameters, worldCase(seed: 75).parameters)
    }

    func testWorldFactorsSpanTheirRanges() {
        // Over 200 seeds every factor is drawn over at least the range of shared/notes/ct-realism.md.
        var poses: [Double] = [], wedges: [Double] = [], thickness: [Double] = [], pixels: [Double] = [], noise: [Double] = []
        var bands = 0, bone = 0, overlapping = 0, second = 0, leaks = Set<LeakageKind>()
        for seed in UInt64(500)..<UInt64(700) {
            let p = PhantomParameters.random(seed: seed, overrides: { var o = PhantomParameters.Overrides(); o.realism = .world; return o }())
            let f = PhantomFactors(p)
            poses.append(f.largestPoseAngle)
            wedges.append(f.wedgeRatio)
            thickness.append(f.sliceThickness)
            pixels.append(f.pixelSpacing)
            noise.append(f.noise)
            if f.scleroticBand { bands += 1 }
            if f.kernel == .bone { bone += 1 }
            if f.overlappingSlices { overlapping += 1 }
            if f.twoCementedLevels { second += 1 }
            leaks.insert(f.leakage)
            XCTAssertTrue((-150 ... -50).contains(p.hu.fat))
            XCTAssertTrue((40...160).contains(p.hu.cancellous))
            XCTAssertTrue((1200...3000).contains(p.hu.cement))
            XCTAssertLessThanOrEqual(abs(f.pitch), 20)
            XCTAssertLessThanOrEqual(abs(f.roll), 15)
            XCTAssertLessThanOrEqual(abs(f.yaw), 20)
        }
        XCTAssertGreaterThan(poses.max()!, 17)
        XCTAssertLessThan(wedges.min()!, 0.45)
        XCTAssertLessThan(thickness.min()!, 0.6)
        XCTAssertGreaterThan(thickness.max()!, 4.5)
        XCTAssertLessThan(pixels.min()!, 0.35)
        XCTAssertGreaterThan(pixels.max()!, 0.93)
        XCTAssertLessThan(noise.min()!, 13)
        XCTAssertGreaterThan(noise.max()!, 70)
        XCTAssertTrue((60...160).contains(bands), "sclerotic bands \(bands) of 200")
        XCTAssertTrue((50...110).contains(bone))
        XCTAssertTrue((60...130).contains(overlapping))
        XCTAssertTrue((20...65).contains(second))
        XCTAssertEqual(leaks, Set(LeakageKind.allCases))
    }

    func testTruthOfAWorldPhantomRoundTripsThroughTruthJSON() throws {
        let phantom = worldCase(seed: 76) { $0.secondLevel = true }
        let data = try PhantomGenerator.encode(phantom.truth)
        let path = NSTemporaryDirectory() + "cementreport-world-truth-\(UUID().uuidString).json"
        try data.write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try PhantomGenerator.readTruth(path), phantom.truth)
        let text = String(decoding: data, as: UTF8.self)
        for key in ["\"factors\"", "\"texture_sd\"", "\"largest_pose_angle\"", "\"cement_centroid\"", "\"slice_thickness\""] {
            XCTAssertTrue(text.contains(key), key)
        }
    }
}

extension WorldPhantomTests {
    /// A step of height A blurred by a Gaussian of σ_p and passed through the unsharp mask v + g(v − G_k ∗ v) rises
    /// above A by g·A·max_x [Φ(x/σ_p) − Φ(x/s)], s = √(σ_p² + σ_k²) (closed form for a plane edge). Soft kernels do not
    /// overshoot; outside a circular field of view the scan holds the padding value; 12-bit scans clip at 3071 HU.
    func testBoneKernelOvershootFieldOfViewAndClipping() throws {
        let phantom = worldCase(seed: 66) {
            $0.noiseSigma = 0
            $0.psfSigma = 0.5
            $0.pixelSpacing = 0.5
            $0.sliceThickness = 1
            $0.sliceSpacing = 1
            $0.leakage = LeakageKind.none
            $0.streaks = false
        }
        var p = flattened(phantom.parameters)
        p.hu.cement = 1000
        p.realism?.cementFringe = 0
        func maximum(_ p: PhantomParameters) -> Double {
            Double(PhantomRenderer(model: SpineModel(p)).render().voxels.max() ?? 0)
        }
        XCTAssertLessThanOrEqual(maximum(p), 1000 + 1, "soft kernel: no overshoot")
        p.realism?.kernel = .bone
        p.realism?.sharpeningGain = 1
        p.realism?.sharpeningSigma = 1
        let s = (0.25 + 1.0).squareRoot()
        func phi(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }
        let peak = stride(from: 0.0, to: 3, by: 0.001).map { phi($0 / 0.5) - phi($0 / s) }.max()!
        let overshoot = maximum(p) - 1000
        // The masses are curved, not plane: within a third of the plane-edge value (here about 1000 × 0.18).
        XCTAssertEqual(overshoot, 1000 * peak, accuracy: 1000 * peak / 3)

        // Dense cement with the bone kernel's overshoot goes beyond 3071 HU, unless the scan clips there.
        p.hu.cement = 3000
        XCTAssertGreaterThan(maximum(p), 3071)
        p.realism?.saturates = true
        p.realism?.fieldOfViewRadius = 25
        let volume = PhantomRenderer(model: SpineModel(p)).render()
        XCTAssertEqual(volume.voxels.max(), 3071)
        XCTAssertEqual(volume[0, 0, 0], PhantomRenderer.paddingHU)
        // Written and read back, the padding is named by PixelPaddingValue and loads as air.
        let folder = NSTemporaryDirectory() + "cementreport-world-fov-\(UUID().uuidString)"
        try PhantomGenerator().write(PhantomGenerator.Case(parameters: p, truth: phantom.truth), to: folder)
        let loaded = try SeriesLoader().load(paths: [folder]).volume
        XCTAssertEqual(loaded[0, 0, 0], -1024)
        XCTAssertEqual(loaded.voxels.max(), 3071)
    }
}

extension WorldPhantomTests {
    func testASecondCementedLevelWithAnUntreatedBodyBetween() throws {
        var overrides = PhantomParameters.Overrides()
        overrides.realism = .world
        overrides.secondLevel = true
        overrides.distributionRate = 12
        overrides.matrix = 128
        let seed = try XCTUnwrap((UInt64(80)..<UInt64(120)).first {
            abs(PhantomParameters.random(seed: $0, overrides: overrides).secondLevel?.position.offset ?? 0) == 2
        })
        let phantom = PhantomGenerator().makeCase(seed: seed, overrides: overrides)
        let p = phantom.parameters
        let second = try XCTUnwrap(p.secondLevel)
        let outer = try XCTUnwrap(p.outer)
        let levels = try XCTUnwrap(phantom.truth.levels)
        XCTAssertEqual(levels.count, 2)
        XCTAssertEqual(levels[1].level, PhantomParameters.level(p.level, offset: second.position.offset))
        XCTAssertEqual(levels[1].vertebralBodyML * 1000, outer.volume, accuracy: 1e-9)
        XCTAssertEqual(levels[0].distributionRatePercent, 12, accuracy: PhantomGenerator.distributionRateTolerance)
        XCTAssertEqual(levels[1].distributionRatePercent, second.targetDistributionRate,
                       accuracy: PhantomGenerator.distributionRateTolerance)
        // The untreated body lies between the two cemented ones, a disc on either side of it.
        let inner = second.position == .twoAbove ? p.upper : p.lower
        let model = SpineModel(p)
        XCTAssertEqual(model.material(at: inner.centre), .cancellous)
        let direction: Double = second.position == .twoAbove ? 1 : -1
        let gap = inner.toScanner(inner.centre + SIMD3(0, 0, direction * (inner.height(atY: inner.centre.y) / 2 + 1.5)))
        XCTAssertEqual(model.material(at: gap), .disc)
        // The scan range takes in the far body.
        let g = PhantomRenderer(model: model).geometry
        let zs = [g.patientPosition(ofIndex: [0, 0, 0]).z, g.patientPosition(ofIndex: [0, 0, Double(g.size.z - 1)]).z]
        XCTAssertLessThan(zs.min()!, outer.centre.z)
        XCTAssertGreaterThan(zs.max()!, outer.centre.z)
    }
}
