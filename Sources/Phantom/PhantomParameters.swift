import Foundation

/// Where leaked cement sits, if anywhere. Leakage never counts toward the distribution rate.
public enum LeakageKind: String, Codable, Sendable, CaseIterable {
    case none, disc, vein, anterior
    /// Along the needle's path back through the pedicle.
    case needleTract
}

/// A vertebra near the treated one.
public enum NeighbourPosition: String, Codable, Sendable, CaseIterable {
    case above, below
    /// Beyond the neighbour above (or below): one untreated body between.
    case twoAbove, twoBelow

    /// Vertebrae from the treated one, upwards positive.
    public var offset: Int {
        switch self {
        case .above: 1
        case .below: -1
        case .twoAbove: 2
        case .twoBelow: -2
        }
    }
}

/// A second cemented vertebra next to the treated one, with its own cement (the distribution rate is per level).
public struct SecondCementedLevel: Codable, Sendable, Equatable {
    public var position: NeighbourPosition
    /// Cement masses in that body's own frame.
    public var cement: [CementBlob]
    public var targetDistributionRate: Double
}

/// How the cement was injected.
public enum CementPattern: String, Codable, Sendable, CaseIterable {
    /// Two lateral masses, one per pedicle, meeting near the midline ("H"-like).
    case bipedicular
    /// One mass crossing the midline from one pedicle.
    case unipedicular
    /// Bipedicular plus a separate anterior mass.
    case threeMasses
}

/// CT numbers (HU) of each tissue class.
public struct MaterialHU: Codable, Sendable, Equatable {
    public var cortex: Double
    public var endplate: Double
    public var cancellous: Double
    public var cement: Double
    public var disc: Double
    public var posteriorElement: Double
    public var canal: Double
    public var softTissue: Double
    public var fat: Double
    public var air: Double

    func value(_ material: Material) -> Double {
        switch material {
        case .background: softTissue
        case .cortex: cortex
        case .endplate: endplate
        case .cancellous: cancellous
        case .cement, .leakedCement: cement
        case .disc: disc
        case .posteriorElement: posteriorElement
        case .canal: canal
        // World-phantom tissues carry their own CT number in `SpineModel.Sample`; these are stand-ins.
        case .cementFringe: (cement + cancellous) / 2
        case .scleroticBand: cancellous
        case .gas: air
        case .calcification, .osteophyte, .rib: posteriorElement
        }
    }
}

/// Sizes of the posterior elements, shared by the three vertebrae.
public struct PosteriorElementSizes: Codable, Sendable, Equatable {
    public var canalHalfWidth: Double
    public var canalHalfDepth: Double
    public var pedicleHalfWidth: Double
    public var pedicleHalfHeight: Double
    public var laminaThickness: Double
    public var spinousLength: Double
    public var spinousHalfWidth: Double
    public var transverseLength: Double
    public var transverseRadius: Double
}

/// Every parameter of one phantom. Randomised from a seed within clinical ranges; any can be set by hand.
/// Coordinates are patient LPS millimetres; the treated body is centred at `treated.centre`.
public struct PhantomParameters: Codable, Sendable, Equatable {
    public var seed: UInt64
    public var caseID: String
    public var level: String

    // Acquisition
    public var matrix: Int
    public var pixelSpacing: Double
    public var sliceSpacing: Double
    public var sliceCount: Int
    /// Offset (mm) of the field-of-view centre from the treated body centre.
    public var fieldOffset: SIMD3<Double>
    /// Slices stored from superior to inferior (slice direction −z) instead of inferior to superior.
    public var reversedSliceDirection: Bool
    public var shuffledFiles: Bool
    /// Gaussian point-spread function, standard deviation in mm (all three axes).
    public var psfSigma: Double
    /// Gaussian noise standard deviation in HU.
    public var noiseSigma: Double
    /// Peak HU of the streaks radiating from dense cement (0: none).
    public var streakAmplitude: Double

    // Anatomy
    public var treated: VertebralBodyShape
    public var upper: VertebralBodyShape
    public var lower: VertebralBodyShape
    public var corticalThickness: Double
    public var endplateThickness: Double
    public var posterior: PosteriorElementSizes
    public var hu: MaterialHU
    /// Patient outline: half axes (mm) of the elliptic body cross-section, and subcutaneous fat thickness.
    public var outlineHalfWidth: Double
    public var outlineHalfDepth: Double
    public var fatThickness: Double

    // Cement
    public var pattern: CementPattern
    public var cement: [CementBlob]
    public var leakage: LeakageKind
    public var leak: CementBlob?
    /// Requested distribution rate (%), when one was asked for.
    public var targetDistributionRate: Double?
    /// The factors of real CT drawn for a `world` phantom; nil for a `classic` one.
    public var realism: RealismFactors?
    public var secondLevel: SecondCementedLevel?
    /// A fourth vertebra beyond a neighbour, present when the second cemented level lies there.
    public var outer: VertebralBodyShape?

    // Written with snake_case keys (convertToSnakeCase); the raw value makes the acronym round-trip.
    enum CodingKeys: String, CodingKey {
        case seed, caseID = "caseId", level, matrix, pixelSpacing, sliceSpacing, sliceCount, fieldOffset
        case reversedSliceDirection, shuffledFiles, psfSigma, noiseSigma, streakAmplitude, treated, upper, lower
        case corticalThickness, endplateThickness, posterior, hu, outlineHalfWidth, outlineHalfDepth, fatThickness
        case pattern, cement, leakage, leak, targetDistributionRate, realism, secondLevel, outer
    }

    /// Choices a caller can fix; everything left nil is drawn from the seed.
    public struct Overrides: Sendable {
        public var distributionRate: Double?
        public var matrix: Int?
        public var pixelSpacing: Double?
        public var sliceSpacing: Double?
        public var sliceCount: Int?
        public var noiseSigma: Double?
        public var psfSigma: Double?
        public var leakage: LeakageKind?
        public var pattern: CementPattern?
        public var level: String?
        public var caseID: String?
        public var wedgeRatio: Double?
        public var streaks: Bool?
        /// How the phantom is drawn; nil is `classic` here (library callers keep their series), while `cement phantom`
        /// defaults to `world`.
        public var realism: PhantomRealism?
        /// Slice thickness (mm) when it differs from the spacing (world phantoms only).
        public var sliceThickness: Double?
        /// A second cemented level next to the treated one (world phantoms only; default: drawn).
        public var secondLevel: Bool?

        public init() {}
    }

    /// Levels of the thoracolumbar spine the study treated.
    public static let levels = ["T10", "T11", "T12", "L1", "L2", "L3", "L4", "L5"]

    /// The spine from T1 to S1, to name the neighbours of a treated level.
    static let spine = (1...12).map { "T\($0)" } + (1...5).map { "L\($0)" } + ["S1"]

    /// The level `offset` vertebrae above (+) or below (−) `level`, or "?" beyond the named spine.
    public static func level(_ level: String, offset: Int) -> String {
        guard let index = spine.firstIndex(of: level), spine.indices.contains(index - offset) else { return "?" }
        return spine[index - offset]
    }

    /// Draws a phantom from `seed`, honouring `overrides`. The cement size is not yet tuned to the requested
    /// DR; `PhantomGenerator` does that.
    public static func random(seed: UInt64, overrides: Overrides = Overrides()) -> PhantomParameters {
        var rng = SeededGenerator(seed: seed, stream: "anatomy")
        var acquisition = SeededGenerator(seed: seed, stream: "acquisition")
        var cementRNG = SeededGenerator(seed: seed, stream: "cement")

        let level = overrides.level ?? rng.pick(levels)
        let lumbar = level.hasPrefix("L")
        let width = rng.uniform(35, 50) * (lumbar ? 1 : 0.9)
        let depth = min(38, max(28, width * rng.uniform(0.7, 0.85)))
        let posteriorHeight = rng.uniform(18, 28)
        let wedge = overrides.wedgeRatio ?? (rng.uniform(0, 1) < 0.8 ? rng.uniform(0.6, 0.9) : 1)
        let centre = SIMD3(rng.uniform(-3, 3), rng.uniform(-5, 5), rng.uniform(-420, -180))
        let treated = VertebralBodyShape(
            centre: centre, halfWidth: width / 2, halfDepth: depth / 2, posteriorConcavity: rng.uniform(0.08, 0.18),
            posteriorHeight: posteriorHeight, anteriorHeight: posteriorHeight * wedge,
            endplateConcavity: rng.uniform(0.4, 1.2))
        let discAbove = rng.uniform(6, 10), discBelow = rng.uniform(6, 10)
        func neighbour(_ direction: Double, disc: Double, rng: inout SeededGenerator) -> VertebralBodyShape {
            var body = treated
            let factor = 1 + direction * rng.uniform(-0.04, 0) // the spine widens downwards
            body.halfWidth *= factor
            body.halfDepth *= factor
            body.posteriorHeight = rng.uniform(18, 28)
            body.anteriorHeight = body.posteriorHeight * rng.uniform(0.95, 1.02)
            let ownHalf = max(body.posteriorHeight, body.anteriorHeight) / 2
            body.centre.z = treated.centre.z + direction * (posteriorHeight / 2 + disc + ownHalf)
            body.centre.y += rng.uniform(-1.5, 1.5)
            return body
        }
        let upper = neighbour(1, disc: discAbove, rng: &rng)
        let lower = neighbour(-1, disc: discBelow, rng: &rng)

        let posterior = PosteriorElementSizes(
            canalHalfWidth: rng.uniform(8, 11), canalHalfDepth: rng.uniform(6.5, 9),
            pedicleHalfWidth: rng.uniform(3.5, 5), pedicleHalfHeight: rng.uniform(6, 8),
            laminaThickness: rng.uniform(5, 7), spinousLength: rng.uniform(22, 32), spinousHalfWidth: rng.uniform(2.5, 3.5),
            transverseLength: rng.uniform(15, 25), transverseRadius: rng.uniform(3, 4))
        let cortex = rng.uniform(300, 800)
        let hu = MaterialHU(
            cortex: cortex, endplate: min(900, cortex + rng.uniform(50, 150)), cancellous: rng.uniform(40, 160),
            cement: rng.uniform(1200, 3000), disc: rng.uniform(70, 100),
            posteriorElement: rng.uniform(200, 450), canal: rng.uniform(10, 30), softTissue: rng.uniform(30, 60),
            fat: rng.uniform(-120, -80), air: -1000)

        let world = (overrides.realism ?? .classic) == .world
        let matrix = overrides.matrix ?? acquisition.pick([256, 512])
        // Keep the field of view wide enough for the vertebra and its posterior elements (≥ 110 mm).
        let minimumSpacing = max(0.3, 110 / Double(matrix))
        let pixelSpacing = overrides.pixelSpacing ?? acquisition.uniform(minimumSpacing, 0.9)
        let sliceSpacing = overrides.sliceSpacing ?? acquisition.pick([0.625, 1, 1.25, 2, 2.5, 3])
        let span = upper.centre.z - lower.centre.z + 10
        let sliceCount = overrides.sliceCount ?? min(400, max(24, Int((span / sliceSpacing).rounded(.up))))

        let pattern = overrides.pattern ?? cementRNG.pick(CementPattern.allCases)
        let leakage = overrides.leakage ?? (cementRNG.uniform(0, 1) < 0.3
            ? cementRNG.pick([LeakageKind.disc, .vein, .anterior]) : LeakageKind.none)
        let targetDR = overrides.distributionRate ?? cementRNG.uniform(2, 35)

        var parameters = PhantomParameters(
            seed: seed, caseID: overrides.caseID ?? "phantom-\(seed)", level: level,
            matrix: matrix, pixelSpacing: pixelSpacing, sliceSpacing: sliceSpacing, sliceCount: sliceCount,
            fieldOffset: SIMD3(acquisition.uniform(-8, 8), acquisition.uniform(5, 20), acquisition.uniform(-4, 4)),
            reversedSliceDirection: acquisition.uniform(0, 1) < 0.5, shuffledFiles: acquisition.uniform(0, 1) < 0.5,
            psfSigma: overrides.psfSigma ?? acquisition.uniform(0.4, 0.8),
            noiseSigma: overrides.noiseSigma ?? acquisition.uniform(10, 40),
            streakAmplitude: (overrides.streaks ?? (acquisition.uniform(0, 1) < 0.5)) ? acquisition.uniform(20, 80) : 0,
            treated: treated, upper: upper, lower: lower,
            corticalThickness: rng.uniform(0.8, 1.5), endplateThickness: rng.uniform(1.0, 1.8), posterior: posterior,
            hu: hu, outlineHalfWidth: rng.uniform(135, 175), outlineHalfDepth: rng.uniform(95, 125),
            fatThickness: rng.uniform(8, 25),
            pattern: pattern, cement: [], leakage: leakage, leak: nil, targetDistributionRate: targetDR)
        if world { parameters.randomiseForWorld(overrides: overrides) }
        parameters.cement = cementBlobs(for: parameters, body: parameters.treated, using: &cementRNG)
        parameters.leak = leakBlob(for: parameters, using: &cementRNG)
        if world { parameters.drawWorldCement(overrides: overrides) }
        return parameters
    }

    /// Cement masses placed the way the injection pattern puts them in `body` (in its own frame), sized for roughly
    /// the requested DR.
    static func cementBlobs(for p: PhantomParameters, body: VertebralBodyShape, using rng: inout SeededGenerator)
        -> [CementBlob]
    {
        let a = body.halfWidth, b = body.halfDepth
        let h = (body.anteriorHeight + body.posteriorHeight) / 2
        // Semi-axes of one mass for a body-sized reference; the generator rescales to hit the DR.
        let reference = SIMD3(a * 0.45, b * 0.55, h * 0.38)
        var centres: [SIMD3<Double>] = []
        switch p.pattern {
        case .bipedicular, .threeMasses:
            for side in [-1.0, 1.0] {
                centres.append(body.centre + SIMD3(side * a * rng.uniform(0.3, 0.45), -b * rng.uniform(0.0, 0.25),
                                                   rng.uniform(-0.1, 0.1) * h))
            }
            if p.pattern == .threeMasses {
                centres.append(body.centre + SIMD3(rng.uniform(-0.1, 0.1) * a, -b * 0.55, rng.uniform(-0.1, 0.1) * h))
            }
        case .unipedicular:
            centres.append(body.centre + SIMD3(rng.uniform(-0.2, 0.2) * a, -b * rng.uniform(0.05, 0.25),
                                               rng.uniform(-0.1, 0.1) * h))
        }
        let share = p.pattern == .unipedicular ? 1.35 : (p.pattern == .threeMasses ? 0.85 : 1)
        return centres.map { CementBlob.random(centre: $0, semiAxes: reference * share, using: &rng) }
    }

    /// A leaked mass touching the treated body at the place the leakage kind names (in the body's own frame).
    static func leakBlob(for p: PhantomParameters, using rng: inout SeededGenerator) -> CementBlob? {
        let body = p.treated
        let h = body.posteriorHeight
        var blob: CementBlob
        switch p.leakage {
        case .none:
            return nil
        case .disc:
            // A flat pancake through the superior endplate into the disc above.
            let centre = body.centre + SIMD3(rng.uniform(-0.3, 0.3) * body.halfWidth, rng.uniform(-0.3, 0.1) * body.halfDepth,
                                             body.anteriorHeight / 2 + 2)
            blob = CementBlob.random(centre: centre, semiAxes: SIMD3(7, 6, 2.5), using: &rng)
        case .vein:
            // A thin tube leaving the lateral wall into a paravertebral vein.
            let side: Double = rng.uniform(0, 1) < 0.5 ? -1 : 1
            let centre = body.centre + SIMD3(side * (body.halfWidth + 6), rng.uniform(-0.2, 0.3) * body.halfDepth,
                                             rng.uniform(-0.2, 0.2) * h)
            blob = CementBlob.random(centre: centre, semiAxes: SIMD3(9, 2, 2), using: &rng)
        case .anterior:
            let centre = body.centre + SIMD3(rng.uniform(-0.3, 0.3) * body.halfWidth, -body.halfDepth - 3,
                                             rng.uniform(-0.2, 0.2) * h)
            blob = CementBlob.random(centre: centre, semiAxes: SIMD3(6, 4, 5), using: &rng)
        case .needleTract:
            // A thin rod along one pedicle, from the posterior wall backwards.
            let side: Double = rng.uniform(0, 1) < 0.5 ? -1 : 1
            let x = side * (p.posterior.canalHalfWidth + p.posterior.pedicleHalfWidth)
            let centre = body.centre + SIMD3(x, body.halfDepth + 4, rng.uniform(0, 0.2) * h)
            blob = CementBlob.random(centre: centre, semiAxes: SIMD3(1.6, 7, 1.6), using: &rng)
        }
        blob.bumps = blob.bumps.map { var bump = $0; bump.amplitude *= 0.5; return bump }
        return blob
    }
}
