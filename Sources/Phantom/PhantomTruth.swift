/// Ground truth of a phantom, from its geometric model (not from the rendered image).
public struct PhantomTruth: Codable, Sendable, Equatable {
    public var caseID: String
    public var level: String
    /// Treated vertebral body, cortex and endplates included, posterior elements excluded (exact).
    public var vertebralBodyML: Double
    /// Cement inside the treated body (integrated to 0.0625 mm at the boundary).
    public var cementInBodyML: Double
    /// Cement outside the treated body.
    public var leakageML: Double
    public var leakage: LeakageKind
    public var distributionRatePercent: Double
    public var seriesUID: String
    public var parameters: PhantomParameters

    // Written with snake_case keys (convertToSnakeCase); these raw values make the acronyms round-trip.
    enum CodingKeys: String, CodingKey {
        case caseID = "caseId", level, vertebralBodyML = "vertebralBodyMl", cementInBodyML = "cementInBodyMl"
        case leakageML = "leakageMl", leakage, distributionRatePercent, seriesUID = "seriesUid", parameters
    }

    /// Computes the truth for a model.
    public init(model: SpineModel, seriesUID: String, integrator: RegionVolume = RegionVolume()) {
        let p = model.parameters
        caseID = p.caseID
        level = p.level
        let body = p.treated.volume
        let cement = Self.cementVolume(model, integrator: integrator)
        var leak = 0.0
        if let blob = p.leak {
            leak = integrator.volume(in: blob.bounds) { model.material(at: $0) == .leakedCement }
        }
        vertebralBodyML = body / 1000
        cementInBodyML = cement / 1000
        leakageML = leak / 1000
        leakage = p.leakage
        distributionRatePercent = 100 * cement / body
        self.seriesUID = seriesUID
        parameters = p
    }

    /// Cement inside the treated body (mm³).
    static func cementVolume(_ model: SpineModel, integrator: RegionVolume) -> Double {
        let blobs = model.parameters.cement
        guard !blobs.isEmpty else { return 0 }
        let box = blobs.map(\.bounds).reduce(blobs[0].bounds) { (pointwiseMin($0.0, $1.0), pointwiseMax($0.1, $1.1)) }
        return integrator.volume(in: box) { model.material(at: $0) == .cement }
    }
}
