/// Ground truth of a phantom, from its geometric model (not from the rendered image).
public struct PhantomTruth: Codable, Sendable, Equatable {
    public var caseID: String
    public var level: String
    /// Treated vertebral body, cortex and endplates included, posterior elements excluded (exact).
    public var vertebralBodyML: Double
    /// Cement inside the treated body (integrated to 0.0625 mm at the boundary; the fringe by its cement share).
    public var cementInBodyML: Double
    /// Cement outside the treated body.
    public var leakageML: Double
    public var leakage: LeakageKind
    public var distributionRatePercent: Double
    public var seriesUID: String
    /// Every cemented level, the treated one first (a second one for two cemented levels).
    public var levels: [LevelTruth]?
    /// The realism factors' drawn values, by name, to bin a validation by.
    public var factors: PhantomFactors?
    public var parameters: PhantomParameters

    // Written with snake_case keys (convertToSnakeCase); these raw values make the acronyms round-trip.
    enum CodingKeys: String, CodingKey {
        case caseID = "caseId", level, vertebralBodyML = "vertebralBodyMl", cementInBodyML = "cementInBodyMl"
        case leakageML = "leakageMl", leakage, distributionRatePercent, seriesUID = "seriesUid", levels, factors, parameters
    }

    /// Computes the truth for a model.
    public init(model: SpineModel, seriesUID: String, integrator: RegionVolume = RegionVolume()) {
        self.init(model: model, seriesUID: seriesUID, integrator: integrator, knownCement: [:])
    }

    /// Computes the truth, reusing cement volumes (mm³, by level) already integrated with `integrator`.
    init(model: SpineModel, seriesUID: String, integrator: RegionVolume, knownCement: [Int: Double]) {
        let p = model.parameters
        caseID = p.caseID
        level = p.level
        var levels = [LevelTruth(model: model, level: 0, integrator: integrator, cement: knownCement[0])]
        if p.secondLevel != nil {
            levels.append(LevelTruth(model: model, level: 1, integrator: integrator, cement: knownCement[1]))
        }
        let treated = levels[0]
        vertebralBodyML = treated.vertebralBodyML
        cementInBodyML = treated.cementInBodyML
        leakageML = treated.leakageML
        leakage = p.leakage
        distributionRatePercent = treated.distributionRatePercent
        self.seriesUID = seriesUID
        self.levels = levels
        factors = PhantomFactors(p)
        parameters = p
    }
}

/// Truth of one cemented level.
public struct LevelTruth: Codable, Sendable, Equatable {
    /// Vertebral level label (T10 … L5; a neighbour of T1 or S1 is "?").
    public var level: String
    /// Where the level sits: "treated", or a `NeighbourPosition` (above, below, twoAbove, twoBelow).
    public var position: String
    public var vertebralBodyML: Double
    public var cementInBodyML: Double
    /// Leaked cement next to this level (the treated level carries the phantom's leak).
    public var leakageML: Double
    public var distributionRatePercent: Double
    /// Centre of the body and its long axis (unit vector, superior), patient LPS mm.
    public var bodyCentre: [Double]
    public var axis: [Double]
    /// Centroid of the solid cement in the body (patient LPS mm), to match a measured level to this one.
    public var cementCentroid: [Double]

    enum CodingKeys: String, CodingKey {
        case level, position, vertebralBodyML = "vertebralBodyMl", cementInBodyML = "cementInBodyMl"
        case leakageML = "leakageMl", distributionRatePercent, bodyCentre, axis, cementCentroid
    }

    init(model: SpineModel, level index: Int, integrator: RegionVolume, cement known: Double? = nil) {
        let p = model.parameters
        let body = model.cementedBody(index)
        let cement = known ?? Self.cementVolume(p, level: index, integrator: integrator)
        var leak = 0.0
        if index == 0, let blob = p.leak {
            leak = integrator.volume(in: blob.bounds) { model.material(at: p.treated.toScanner($0)) == .leakedCement }
        }
        if index == 0 {
            level = p.level
            position = "treated"
        } else {
            let neighbour = p.secondLevel?.position ?? .above
            level = PhantomParameters.level(p.level, offset: neighbour.offset)
            position = neighbour.rawValue
        }
        vertebralBodyML = body.volume / 1000
        cementInBodyML = cement / 1000
        leakageML = leak / 1000
        distributionRatePercent = 100 * cement / body.volume
        bodyCentre = [body.centre.x, body.centre.y, body.centre.z]
        let a = body.axis
        axis = [a.x, a.y, a.z]
        let c = model.cementCentroid(level: index)
        cementCentroid = [c.x, c.y, c.z]
    }

    /// Cement inside a cemented body (mm³). With an interdigitated fringe, where the cement share falls linearly
    /// from 1 to 0, ∫ share dV = ∫₀¹ V(share > t) dt, and each V(share > t) is the solid cement of the masses grown by
    /// the fringe's part beyond t. V is close to a cubic in the grown scale, so two-node Gauss–Legendre in t
    /// (t = ½ ∓ 1/(2√3), exact for cubics) integrates it.
    /// `midpointOnly` takes the one-node midpoint rule instead (second order; for the generator's first approach).
    static func cementVolume(_ parameters: PhantomParameters, level: Int, integrator: RegionVolume,
                             midpointOnly: Bool = false) -> Double {
        let fringe = parameters.realism?.cementFringe ?? 0
        let offset = 0.5 / 3.0.squareRoot()
        let nodes = fringe > 0 ? (midpointOnly ? [0.5] : [0.5 - offset, 0.5 + offset]) : [1.0]
        var total = 0.0
        for t in nodes {
            var grown = parameters
            grown.realism?.cementFringe = 0
            grown.growCement(level: level) { blob in fringe / blob.meanSemiAxis * (1 - t) }
            let model = SpineModel(grown)
            let blobs = grown.cementBlobs(level: level)
            guard !blobs.isEmpty else { return 0 }
            // Cement lies inside its body: for world phantoms, whose masses grow by the fringe, only the part of the
            // masses' box within the body's box is integrated.
            let masses = blobs.map(\.bounds).reduce(blobs[0].bounds) { (pointwiseMin($0.0, $1.0), pointwiseMax($0.1, $1.1)) }
            let body = model.cementedBody(level).localBounds
            let box = parameters.realism == nil ? masses : (pointwiseMax(masses.0, body.0), pointwiseMin(masses.1, body.1))
            guard box.0.x < box.1.x, box.0.y < box.1.y, box.0.z < box.1.z else { return 0 }
            total += integrator.volume(in: box) { model.isSolidCement(atLocal: $0, level: level) }
        }
        return total / Double(nodes.count)
    }
}

extension PhantomParameters {
    /// The cement masses of a cemented level (0 the treated body, 1 the second level), in that body's frame.
    func cementBlobs(level: Int) -> [CementBlob] { level == 0 ? cement : secondLevel?.cement ?? [] }

    /// Adds `amount(blob)` to the scale of every cement mass of a level.
    mutating func growCement(level: Int, by amount: (CementBlob) -> Double) {
        if level == 0 {
            cement = cement.map { var blob = $0; blob.scale += amount($0); return blob }
        } else if var second = secondLevel {
            second.cement = second.cement.map { var blob = $0; blob.scale += amount($0); return blob }
            secondLevel = second
        }
    }
}
