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

    /// Draws the parameters and scales the cement of each cemented level until the model's DR is within tolerance
    /// of its target.
    public func makeCase(seed: UInt64, overrides: PhantomParameters.Overrides = .init()) -> Case {
        var parameters = PhantomParameters.random(seed: seed, overrides: overrides)
        let identity = Self.identity(for: parameters)
        let fine = RegionVolume(cellSize: 0.5, subdivisions: 4)
        var targets: [(level: Int, rate: Double)] = []
        if let target = parameters.targetDistributionRate { targets.append((0, target)) }
        if let second = parameters.secondLevel { targets.append((1, second.targetDistributionRate)) }
        // World phantoms first approach the target with a 0.25 mm boundary resolution, then finish with the fine one.
        let quick = RegionVolume(cellSize: 0.5, subdivisions: 2)
        // Fine cement volumes of the final masses, reused by the truth.
        var known: [Int: Double] = [:]
        for target in targets {
            parameters = sizeCement(parameters, level: target.level, target: target.rate)
            // The sizing grid is coarse and ignores the fringe; refining with the fine integrator removes its bias.
            // With a fringe of width w the cement behaves like solid masses grown by w/2, so that mid-fringe scale is
            // what the cube-root step rescales.
            let fringe = parameters.realism?.cementFringe ?? 0
            let body = SpineModel(parameters).cementedBody(target.level).volume
            let stages = parameters.realism == nil ? [(fine, 4)] : [(quick, 4), (fine, 3)]
            let tolerance = Self.distributionRateTolerance / (parameters.realism == nil ? 1 : 2)
            for (integrator, steps) in stages {
                for _ in 0..<steps {
                    let isFine = integrator.subdivisions == fine.subdivisions
                    let volume = LevelTruth.cementVolume(parameters, level: target.level, integrator: integrator,
                                                         midpointOnly: !isFine)
                    let rate = 100 * volume / body
                    if isFine { known[target.level] = volume }
                    if abs(rate - target.rate) < tolerance || rate <= 0 { break }
                    known[target.level] = nil
                    let factor = pow(target.rate / rate, 1.0 / 3)
                    parameters.growCement(level: target.level) { blob in
                        let half = fringe / blob.meanSemiAxis / 2
                        return max(0.02, (blob.scale + half) * factor - half) - blob.scale
                    }
                }
            }
        }
        let truth = PhantomTruth(model: SpineModel(parameters), seriesUID: identity.seriesUID, integrator: fine,
                                 knownCement: known)
        return Case(parameters: parameters, truth: truth)
    }

    /// Scales a level's cement masses so the model's DR is close to `target`: on a 0.4 mm grid over the body (in its
    /// own frame), each point where cement may go gets the scale at which cement first reaches it; the target volume
    /// is then reached at the matching order statistic of those scales. A fringe counts as half its width of solid.
    private func sizeCement(_ parameters: PhantomParameters, level: Int, target: Double) -> PhantomParameters {
        var parameters = parameters
        parameters.growCement(level: level) { 1 - $0.scale }
        let model = SpineModel(parameters)
        let body = model.cementedBody(level)
        let step = 0.4
        let (low, high) = body.localBounds
        let n = SIMD3<Int>(((high - low) / step).rounded(.up))
        var scales: [Double] = []
        for k in 0..<n.z {
            for j in 0..<n.y {
                for i in 0..<n.x {
                    let point = low + (SIMD3(Double(i), Double(j), Double(k)) + 0.5) * step
                    if let scale = model.cementCriticalScale(atLocal: point, level: level) { scales.append(scale) }
                }
            }
        }
        let wanted = Int((target / 100 * body.volume / (step * step * step)).rounded())
        guard wanted > 0, !scales.isEmpty else { return parameters }
        scales.sort()
        let scale = scales[min(scales.count - 1, wanted - 1)]
        let fringe = parameters.realism?.cementFringe ?? 0
        parameters.growCement(level: level) { blob in max(0.02, scale - fringe / blob.meanSemiAxis / 2) - blob.scale }
        return parameters
    }

    /// Renders and writes a case into `folder`: the DICOM series and `truth.json`. Returns the series files.
    @discardableResult
    public func write(_ phantom: Case, to folder: String) throws(ImagingError) -> [String] {
        let renderer = PhantomRenderer(model: SpineModel(phantom.parameters))
        let volume = renderer.render()
        var writer = CTSeriesWriter(identity: Self.identity(for: phantom.parameters))
        writer.sliceThickness = renderer.sliceThickness
        if let realism = phantom.parameters.realism {
            writer.spacingBetweenSlices = phantom.parameters.sliceSpacing
            if realism.fieldOfViewRadius != nil {
                // Stored values from 0 at the padding HU, as scanners with a circular field of view write them.
                writer.rescaleIntercept = Double(PhantomRenderer.paddingHU)
                writer.pixelPaddingValue = 0
            }
        }
        if phantom.parameters.shuffledFiles {
            var rng = SeededGenerator(seed: phantom.parameters.seed, stream: "file-order")
            var order = Array(0..<volume.geometry.size.z)
            for index in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(index, Int(rng.next() % UInt64(index + 1)))
            }
            writer.fileOrder = order
        }
        // Slices and truth are staged and appear together, so a failure (a full disk) leaves no partial series.
        let staging: StagingFolder
        do { staging = try StagingFolder(in: folder, name: "phantom") } catch {
            throw ImagingError(file: error.path, error.message)
        }
        do throws(ImagingError) {
            let staged = try writer.write(volume, to: staging.path)
            try AtomicFile.write(try Self.encode(phantom.truth), to: staging.temporaryPath(Self.truthFileName),
                                 as: ImagingError.self)
            let names = staged.map { ($0 as NSString).lastPathComponent }
            do { return Array(try staging.commit(names + [Self.truthFileName]).dropLast()) } catch {
                throw ImagingError(file: error.path, error.message)
            }
        } catch {
            staging.discard()
            throw error
        }
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
