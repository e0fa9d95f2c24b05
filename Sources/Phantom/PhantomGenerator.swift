import Foundation
import Imaging

/// Builds a phantom end to end: draws the parameters, sizes the cement to the requested distribution rate,
/// computes the ground truth from the model, renders the scan and writes it as a DICOM series.
public struct PhantomGenerator: Sendable {
    /// A phantom's parameters with the cement sized, and its truth.
    public struct Case: Sendable {
        public var parameters: PhantomParameters
        public var truth: PhantomTruth
    }

    /// How close the model's DR must come to the requested one (percentage points).
    public static let distributionRateTolerance = 0.05

    public init() {}

    /// Draws the parameters and scales the cement until the model's DR is within tolerance of the target.
    public func makeCase(seed: UInt64, overrides: PhantomParameters.Overrides = .init()) -> Case {
        var parameters = PhantomParameters.random(seed: seed, overrides: overrides)
        let identity = Self.identity(for: parameters)
        let fine = RegionVolume(cellSize: 0.5, subdivisions: 4)
        guard let target = parameters.targetDistributionRate else {
            let truth = PhantomTruth(model: SpineModel(parameters), seriesUID: identity.seriesUID, integrator: fine)
            return Case(parameters: parameters, truth: truth)
        }
        parameters = sizeCement(parameters, target: target)
        // The sizing grid is coarse; refining with the fine integrator removes its bias.
        var attempts = 0
        var truth: PhantomTruth
        repeat {
            truth = PhantomTruth(model: SpineModel(parameters), seriesUID: identity.seriesUID, integrator: fine)
            let rate = truth.distributionRatePercent
            attempts += 1
            if abs(rate - target) < Self.distributionRateTolerance || rate <= 0 { break }
            let factor = pow(target / rate, 1.0 / 3)
            parameters.cement = parameters.cement.map { var blob = $0; blob.scale *= factor; return blob }
        } while attempts < 4
        return Case(parameters: parameters, truth: truth)
    }

    /// Scales the cement masses so the model's DR is close to `target`: on a 0.4 mm grid over the treated
    /// body, each point where cement may go gets the scale at which cement first reaches it; the target volume
    /// is then reached at the matching order statistic of those scales.
    private func sizeCement(_ parameters: PhantomParameters, target: Double) -> PhantomParameters {
        var parameters = parameters
        for index in parameters.cement.indices { parameters.cement[index].scale = 1 }
        let model = SpineModel(parameters)
        let step = 0.4
        let (low, high) = parameters.treated.bounds
        let n = SIMD3<Int>(((high - low) / step).rounded(.up))
        var scales: [Double] = []
        for k in 0..<n.z {
            for j in 0..<n.y {
                for i in 0..<n.x {
                    let point = low + (SIMD3(Double(i), Double(j), Double(k)) + 0.5) * step
                    if let scale = model.cementCriticalScale(at: point) { scales.append(scale) }
                }
            }
        }
        let wanted = Int((target / 100 * parameters.treated.volume / (step * step * step)).rounded())
        guard wanted > 0, !scales.isEmpty else { return parameters }
        scales.sort()
        let scale = scales[min(scales.count - 1, wanted - 1)]
        for index in parameters.cement.indices { parameters.cement[index].scale = scale }
        return parameters
    }

    /// Renders and writes a case into `folder`: the DICOM series and `truth.json`. Returns the series files.
    @discardableResult
    public func write(_ phantom: Case, to folder: String) throws(ImagingError) -> [String] {
        let renderer = PhantomRenderer(model: SpineModel(phantom.parameters))
        let volume = renderer.render()
        var writer = CTSeriesWriter(identity: Self.identity(for: phantom.parameters))
        writer.sliceThickness = phantom.parameters.sliceSpacing
        if phantom.parameters.shuffledFiles {
            var rng = SeededGenerator(seed: phantom.parameters.seed, stream: "file-order")
            var order = Array(0..<volume.geometry.size.z)
            for index in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(index, Int(rng.next() % UInt64(index + 1)))
            }
            writer.fileOrder = order
        }
        let files = try writer.write(volume, to: folder)
        try AtomicFile.write(try Self.encode(phantom.truth), to: folder + "/" + Self.truthFileName, as: ImagingError.self)
        return files
    }

    /// Name of the ground-truth file written next to the series.
    public static let truthFileName = "truth.json"

    /// Reads a `truth.json` written by `write(_:to:)`.
    public static func readTruth(_ path: String) throws(ImagingError) -> PhantomTruth {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(PhantomTruth.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ImagingError(file: path, "not a phantom truth file (\(error.localizedDescription))")
        }
    }

    /// Synthetic identifiers only: the patient name says SYNTHETIC, the UIDs derive from the case.
    static func identity(for parameters: PhantomParameters) -> CTSeriesWriter.Identity {
        var identity = CTSeriesWriter.Identity(patientName: "SYNTHETIC^\(parameters.caseID)", patientID: parameters.caseID,
                                               uidSeed: "cementreport-phantom/\(parameters.caseID)/\(parameters.seed)")
        identity.seriesDescription = "Synthetic post-PVP CT \(parameters.level) (CementReport phantom)"
        return identity
    }

    /// Stable JSON: sorted snake_case keys, fixed formatting.
    public static func encode<T: Encodable>(_ value: T) throws(ImagingError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        do {
            var data = try encoder.encode(value)
            data.append(0x0a)
            return data
        } catch {
            throw ImagingError(file: "truth.json", "cannot encode: \(error)")
        }
    }
}
