import Foundation
import Imaging
@testable import Phantom
import XCTest

@testable import RateEngine

final class VertebraPoseTests: XCTestCase {
    /// Jacobi eigen-decomposition against a matrix built from known eigenpairs (closed form: A = Q Λ Qᵀ).
    func testSymmetricEigenDecomposition() {
        let angle = 0.4, c = cos(angle), s = sin(angle)
        let q = [SIMD3(c, s, 0), SIMD3(-s, c, 0), SIMD3(0, 0, 1.0)]
        let lambda = [5.0, 2.0, 0.5]
        func entry(_ r: Int, _ col: Int) -> Double { (0..<3).reduce(0) { $0 + q[$1][r] * lambda[$1] * q[$1][col] } }
        let m = SymmetricMatrix3(xx: entry(0, 0), yy: entry(1, 1), zz: entry(2, 2), xy: entry(0, 1), xz: entry(0, 2), yz: entry(1, 2))
        let (values, vectors) = m.eigen()
        for (n, expected) in lambda.enumerated() {
            let found = values.firstIndex { abs($0 - expected) < 1e-10 }
            XCTAssertNotNil(found, "eigenvalue \(expected)")
            if let found { XCTAssertEqual(abs((vectors[found] * q[n]).sum()), 1, accuracy: 1e-10) }
        }
    }

    /// A stack of elliptic discs (bodies) and gaps (discs) pitched by a known angle: the structure tensor's axis must
    /// come within 1° of the stack's axis (the closed-form direction it was drawn along).
    func testAxisOfAPitchedStackOfPlates() throws {
        for degrees in [0.0, 12, 20] {
            let t = degrees * .pi / 180
            let axis = SIMD3(0, sin(t), cos(t))
            let size = SIMD3(90, 90, 60), spacing = SIMD3(0.8, 0.8, 1.0)
            let centre = SIMD3<Double>(size &- 1) * spacing / 2
            // Each voxel the mean of 3 × 3 × 3 samples (partial volume), as a scanner integrates its voxels.
            func hu(_ d: SIMD3<Double>) -> Double {
                let along = (d * axis).sum(), across = d - along * axis
                let r2 = (across.x / 20) * (across.x / 20) + (across.y / 16) * (across.y / 16)
                guard r2 <= 1 else { return 40 }
                if abs(along) < 5, r2 < 0.1 { return 2000 }
                // Bodies 24 mm tall, discs 8 mm, endplates 1.5 mm of 600 HU, cancellous 120 HU.
                let phase = (along + 12).truncatingRemainder(dividingBy: 32)
                let local = phase < 0 ? phase + 32 : phase
                return local < 24 ? (local < 1.5 || local > 22.5 ? 600 : 120) : 85
            }
            var volume = HUVolume(geometry: VolumeGeometry(size: size, spacing: spacing, origin: [0, 0, 0]), repeating: 40)
            var seeds = Mask(size: size)
            for k in 0..<size.z {
                for j in 0..<size.y {
                    for i in 0..<size.x {
                        var sum = 0.0
                        for c in -1...1 { for b in -1...1 { for a in -1...1 {
                            sum += hu((SIMD3(Double(i), Double(j), Double(k)) + SIMD3(Double(a), Double(b), Double(c)) / 3) * spacing - centre)
                        } } }
                        volume[i, j, k] = Int16((sum / 27).rounded())
                        if volume[i, j, k] >= 1000 { seeds[i, j, k] = true }
                    }
                }
            }
            let box = GridBox(size: size, spacing: spacing, offset: [0, 0, 0])
            let pose = try XCTUnwrap(VertebraPose.estimate(volume, box: box, seeds: seeds, centre: centre / spacing,
                                                           parameters: .init()))
            let error = acos(min(1, abs((pose.axis * axis).sum()))) * 180 / .pi
            XCTAssertLessThan(error, 1, "pitch \(degrees)°: axis off by \(error)°")
            XCTAssertEqual(pose.tiltDegrees, degrees, accuracy: 1)
        }
    }

    /// A phantom's anatomy drawn on a grid pitched against it: the truth (volumes) is the model's, which a rotation
    /// does not change; the engine must measure the level in the vertebra's frame within the end-to-end tolerances.
    func testAPitchedVertebraIsMeasuredInItsOwnFrame() throws {
        var overrides = PhantomParameters.Overrides()
        overrides.distributionRate = 22
        overrides.leakage = LeakageKind.none
        overrides.noiseSigma = 15
        overrides.wedgeRatio = 0.85
        let phantom = PhantomGenerator().makeCase(seed: 4242, overrides: overrides)
        let model = SpineModel(phantom.parameters)
        let volume = Self.drawn(model, pitchDegrees: 18, pixel: 0.7, slice: 1.0)
        let level = try XCTUnwrap(RateEngine().measure(volume).levels.first)
        XCTAssertEqual(try XCTUnwrap(level.vertebraTiltDegrees), 18, accuracy: 3)
        XCTAssertEqual(try XCTUnwrap(level.distributionRatePercent), phantom.truth.distributionRatePercent, accuracy: 1.5)
        XCTAssertEqual(try XCTUnwrap(level.vertebralBodyML), phantom.truth.vertebralBodyML,
                       accuracy: 0.07 * phantom.truth.vertebralBodyML)
    }

    /// The model sampled 3 × 3 × 3 per voxel on a grid pitched about the patient's left–right axis, blurred by a
    /// 0.6 mm Gaussian, with 15 HU of seeded noise.
    static func drawn(_ model: SpineModel, pitchDegrees: Double, pixel: Double, slice: Double) -> HUVolume {
        let t = pitchDegrees * .pi / 180
        let row = SIMD3(1.0, 0, 0), column = SIMD3(0, cos(t), -sin(t)), normal = SIMD3(0, sin(t), cos(t))
        let size = SIMD3(150, 150, Int((80 / slice).rounded()))
        let spacing = SIMD3(pixel, pixel, slice)
        let centre = model.parameters.treated.centre
        let origin = centre - (Double(size.x - 1) / 2 * pixel) * row - (Double(size.y - 1) / 2 * pixel) * column
            - (Double(size.z - 1) / 2 * slice) * normal
        let geometry = VolumeGeometry(size: size, spacing: spacing, origin: origin, rowDirection: row,
                                      columnDirection: column, sliceDirection: normal)
        var image = Volume<Float>(geometry: geometry, repeating: 0)
        let hu = model.parameters.hu
        image.voxels.withUnsafeMutableBufferPointer { buffer in
            let output = SharedBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: size.z) { k in
                for j in 0..<size.y {
                    for i in 0..<size.x {
                        var sum = 0.0
                        for c in 0..<3 { for b in 0..<3 { for a in 0..<3 {
                            let index = SIMD3(Double(i) + Double(a - 1) / 3, Double(j) + Double(b - 1) / 3, Double(k) + Double(c - 1) / 3)
                            let p = geometry.patientPosition(ofIndex: index)
                            let material = model.material(at: p)
                            sum += material == .background ? model.backgroundHU(x: p.x, y: p.y) : hu.value(material)
                        } } }
                        output[(k * size.y + j) * size.x + i] = Float(sum / 27)
                    }
                }
            }
        }
        GaussianBlur(sigma: SIMD3(repeating: 0.6) / spacing).apply(to: &image)
        var rng = SeededGenerator(seed: 99, stream: "test-noise")
        return HUVolume(geometry: geometry, voxels: image.voxels.map { value in
            Int16(max(-1024, min(32767, (Double(value) + 15 * rng.gaussianPair().0).rounded())))
        })
    }
}
