/// The drawn value of every realism factor of a phantom, by name, so that a validation can bin its cases by factor.
/// Units: angles in degrees, lengths in mm, CT numbers in HU.
public struct PhantomFactors: Codable, Sendable, Equatable {
    public var realism: PhantomRealism
    public var level: String
    public var pitch: Double
    public var roll: Double
    public var yaw: Double
    /// Largest of pitch, roll and yaw in magnitude.
    public var largestPoseAngle: Double
    public var fracture: FractureKind
    /// Anterior over posterior height of the treated body.
    public var wedgeRatio: Double
    public var superiorConcavity: Double
    public var inferiorConcavity: Double
    public var scleroticBand: Bool
    public var subchondralSclerosis: Double
    public var textureSD: Double
    public var cancellous: Double
    public var cortex: Double
    public var corticalThickness: Double
    public var cleftGas: Bool
    public var discVacuum: Bool
    public var discCalcification: Bool
    public var osteophytes: Int
    public var ribs: Bool
    public var bowelGas: Bool
    public var aortaCalcified: Bool
    public var noise: Double
    public var noiseCorrelation: Double
    public var kernel: ReconstructionKernel
    public var psf: Double
    public var sliceThickness: Double
    public var sliceSpacing: Double
    /// Slices reconstructed overlapping (spacing below thickness).
    public var overlappingSlices: Bool
    public var pixelSpacing: Double
    public var matrix: Int
    public var circularFieldOfView: Bool
    public var saturates: Bool
    public var neighbourCut: Bool
    public var streaks: Double
    public var cement: Double
    public var lowOpacifierCement: Bool
    public var cementFringe: Double
    public var pattern: CementPattern
    public var leakage: LeakageKind
    public var twoCementedLevels: Bool
    /// The two cemented levels have an untreated body between them.
    public var untreatedBodyBetween: Bool


    // Written with snake_case keys (convertToSnakeCase); the raw values make the acronyms round-trip.
    enum CodingKeys: String, CodingKey {
        case realism, level, pitch, roll, yaw, largestPoseAngle, fracture, wedgeRatio, superiorConcavity, inferiorConcavity
        case scleroticBand, subchondralSclerosis, textureSD = "textureSd", cancellous, cortex, corticalThickness
        case cleftGas, discVacuum, discCalcification, osteophytes, ribs, bowelGas, aortaCalcified, noise, noiseCorrelation
        case kernel, psf, sliceThickness, sliceSpacing, overlappingSlices, pixelSpacing, matrix, circularFieldOfView
        case saturates, neighbourCut, streaks, cement, lowOpacifierCement, cementFringe, pattern, leakage, twoCementedLevels
        case untreatedBodyBetween
    }

    public init(_ p: PhantomParameters) {
        let r = p.realism
        let pose = p.treated.pose ?? BodyPose()
        realism = r == nil ? .classic : .world
        level = p.level
        pitch = pose.pitchDegrees
        roll = pose.rollDegrees
        yaw = pose.yawDegrees
        largestPoseAngle = pose.largestAngleDegrees
        fracture = r?.fracture ?? (p.treated.anteriorHeight < p.treated.posteriorHeight ? .wedge : FractureKind.none)
        wedgeRatio = p.treated.anteriorHeight / p.treated.posteriorHeight
        superiorConcavity = p.treated.endplateConcavity
        inferiorConcavity = p.treated.bottomConcavity
        scleroticBand = r?.scleroticBand != nil
        subchondralSclerosis = r?.subchondralHU ?? 0
        textureSD = r?.textureSD ?? 0
        cancellous = p.hu.cancellous
        cortex = p.hu.cortex
        corticalThickness = p.corticalThickness
        cleftGas = r?.cleftGas != nil
        discVacuum = r?.discInclusions.contains { $0.hu < 0 } ?? false
        discCalcification = r?.discInclusions.contains { $0.hu > 0 } ?? false
        osteophytes = r?.osteophytes.count ?? 0
        ribs = !(r?.ribs.isEmpty ?? true)
        bowelGas = !(r?.bowelGas.isEmpty ?? true)
        aortaCalcified = r?.surroundings.vessels.contains { $0.calcificationHU != nil } ?? false
        noise = p.noiseSigma
        noiseCorrelation = r?.noiseCorrelation ?? 0
        kernel = r?.kernel ?? .soft
        psf = p.psfSigma
        sliceThickness = r?.sliceThickness ?? p.sliceSpacing
        sliceSpacing = p.sliceSpacing
        overlappingSlices = sliceThickness > sliceSpacing + 1e-9
        pixelSpacing = p.pixelSpacing
        matrix = p.matrix
        circularFieldOfView = r?.fieldOfViewRadius != nil
        saturates = r?.saturates ?? false
        neighbourCut = r?.neighbourCut ?? false
        streaks = p.streakAmplitude
        cement = p.hu.cement
        lowOpacifierCement = r?.lowOpacifierCement ?? false
        cementFringe = r?.cementFringe ?? 0
        pattern = p.pattern
        leakage = p.leakage
        twoCementedLevels = p.secondLevel != nil
        untreatedBodyBetween = p.secondLevel.map { abs($0.position.offset) == 2 } ?? false
    }
}
