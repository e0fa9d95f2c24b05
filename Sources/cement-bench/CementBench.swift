import ArgumentParser
import Foundation
import Imaging
import Phantom
import RateEngine

/// Benchmark driver for `make bench`: generates inputs and times CementReport's own stages, one stage per
/// process so that peak memory (ru_maxrss) belongs to that stage alone.
@main
struct CementBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cement-bench",
        abstract: "Benchmark stages of CementReport (used by make bench).",
        subcommands: [GenerateSeries.self, LoadSeries.self, PhantomStages.self, ValidateRateEngine.self, RateSeries.self]
    )
}

/// Writes an uncompressed synthetic CT series (soft tissue, bone-like disc, noise) for load benchmarks.
struct GenerateSeries: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate-series",
                                                    abstract: "Write a synthetic uncompressed CT series.")
    @Argument(help: "Output folder.") var folder: String
    @Option(help: "Rows and columns.") var matrix = 512
    @Option(help: "Number of slices.") var slices = 300

    func run() throws {
        let geometry = VolumeGeometry(size: [matrix, matrix, slices], spacing: [0.7, 0.7, 1], origin: [-179, -179, 0])
        var volume = HUVolume(geometry: geometry, repeating: -1000)
        var state: UInt64 = 42
        let centre = Double(matrix) / 2
        for k in 0..<slices {
            for j in 0..<matrix {
                for i in 0..<matrix {
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    let noise = Int((state >> 33) % 41) - 20
                    let r = ((Double(i) - centre) * (Double(i) - centre) + (Double(j) - centre) * (Double(j) - centre))
                        .squareRoot()
                    let base = r < 0.4 * Double(matrix) ? (r < 0.08 * Double(matrix) ? 400 : 40) : -1000
                    volume[i, j, k] = Int16(base + noise)
                }
            }
        }
        try CTSeriesWriter(identity: .init(patientName: "SYNTHETIC^BENCH", patientID: "BENCH", uidSeed: "bench"))
            .write(volume, to: folder)
    }
}

/// Loads a series to HU and prints wall time and peak resident memory as JSON.
struct LoadSeries: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load-series",
                                                    abstract: "Time loading a series into a HU volume.")
    @Argument(help: "Series folder.") var folder: String

    func run() throws {
        let start = DispatchTime.now()
        let loaded = try SeriesLoader().load(paths: [folder])
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let result: [String: Double] = [
            "seconds": seconds, "peak_rss_bytes": Double(usage.ru_maxrss) * 1024,
            "volume_bytes": Double(loaded.volume.voxels.count * 2), "checksum": Double(HUStatistics(loaded.volume.voxels).mean),
        ]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}

/// Times the stages of phantom generation: parameters and truth, rendering, DICOM writing.
struct PhantomStages: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "phantom-stages",
                                                    abstract: "Time phantom generation stage by stage.")
    @Argument(help: "Output folder.") var folder: String
    @Option var matrix = 256
    @Option var slices = 80
    @Option var spacing = 0.7
    @Option var thickness = 1.0
    @Option var seed: UInt64 = 7

    func run() throws {
        var overrides = PhantomParameters.Overrides()
        overrides.matrix = matrix
        overrides.sliceCount = slices
        overrides.pixelSpacing = spacing
        overrides.sliceSpacing = thickness
        overrides.distributionRate = 20
        func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        let t0 = now()
        let phantom = PhantomGenerator().makeCase(seed: seed, overrides: overrides)
        let t1 = now()
        let volume = PhantomRenderer(model: SpineModel(phantom.parameters)).render()
        let t2 = now()
        try CTSeriesWriter(identity: .init(patientName: "SYNTHETIC^BENCH", patientID: "BENCH", uidSeed: "b"))
            .write(volume, to: folder)
        let t3 = now()
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let result: [String: Double] = ["truth_seconds": t1 - t0, "render_seconds": t2 - t1, "write_seconds": t3 - t2,
                                        "total_seconds": t3 - t0, "peak_rss_bytes": Double(usage.ru_maxrss) * 1024]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}

/// Accuracy of the rate engine on a validation suite of phantoms whose seeds were fixed before any tuning
/// (tuning used seeds 5000–5011): DR, body and cement errors against the phantoms' ground truth.
struct ValidateRateEngine: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "Validate the rate engine on phantoms.")
    @Argument(help: "Folder for the suite (reused when present).") var folder: String
    @Option var count = 40
    @Option var seed: UInt64 = 9000
    @Flag(help: "Measure with the phantom's true body as --body-mask: the cement estimate's share of the error.")
    var truthBody = false
    @Flag(help: "Split each body error into cross-section area and mean height errors.")
    var diagnose = false

    func run() throws {
        let generator = PhantomGenerator()
        var rows: [String] = []
        var drErrors: [Double] = [], bodyErrors: [Double] = [], cementErrors: [Double] = []
        var seconds: [Double] = []
        var failures = 0
        print("case      level  matrix  pixel  slice  noise  leakage   true DR  engine DR  error  body err  cement err  QC")
        for index in 0..<count {
            let caseID = String(format: "case-%03d", index + 1)
            let path = folder + "/" + caseID
            var overrides = PhantomParameters.Overrides()
            overrides.caseID = caseID
            let phantom = generator.makeCase(seed: seed + UInt64(index), overrides: overrides)
            if !FileManager.default.fileExists(atPath: path + "/truth.json") { try generator.write(phantom, to: path) }
            let start = DispatchTime.now()
            let loaded = try SeriesLoader().load(paths: [path])
            var engine = RateEngine()
            if truthBody {
                engine.bodyMask = BodyMask(labels: SpineModel(phantom.parameters).masks(on: loaded.volume.geometry).body, label: 1)
            }
            let result = engine.measure(loaded.volume, withMasks: diagnose)
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
            let t = phantom.truth, p = phantom.parameters
            guard let level = result.levels.first, let rate = level.distributionRatePercent, let body = level.vertebralBodyML else {
                print("\(caseID): no measurement (QC: \(result.levels.first?.qc.map(\.rawValue).joined(separator: ",") ?? "no cement"))")
                failures += 1
                continue
            }
            let drError = rate - t.distributionRatePercent
            let bodyError = 100 * (body / t.vertebralBodyML - 1), cementError = 100 * (level.cementInBodyML / t.cementInBodyML - 1)
            drErrors.append(drError)
            bodyErrors.append(bodyError)
            cementErrors.append(cementError)
            rows.append(caseID)
            print(String(format: "%@  %@  %6d  %5.2f  %5.3f  %5.1f  %-8@  %7.2f  %9.2f  %+5.2f  %+7.1f%%  %+9.1f%%  %@", caseID,
                         p.level.padding(toLength: 5, withPad: " ", startingAt: 0), p.matrix, p.pixelSpacing, p.sliceSpacing,
                         p.noiseSigma, p.leakage.rawValue, t.distributionRatePercent, rate, drError, bodyError, cementError,
                         level.qc.map(\.rawValue).joined(separator: ",")))
            if diagnose, let masks = result.masks.first {
                let g = loaded.volume.geometry
                var footprint = Set<Int>()
                for (n, value) in masks.body.voxels.enumerated() where value == 1 { footprint.insert(n % (g.size.x * g.size.y)) }
                let area = Double(footprint.count) * g.spacing.x * g.spacing.y
                let nodes = 4096
                let trueArea = (0..<nodes).reduce(0.0) { sum, n in
                    let r = p.treated.radius(2 * Double.pi * Double(n) / Double(nodes))
                    return sum + r * r / 2
                } * 2 * Double.pi / Double(nodes)
                let areaError = 100 * (area / trueArea - 1)
                let heightError = 100 * ((body * 1000 / area) / (t.vertebralBodyML * 1000 / trueArea) - 1)
                print(String(format: "          area %+.1f%%  height %+.1f%%  (wedge %.2f, concavity %.2f mm, cortex %.2f mm, endplate %.2f mm, "
                             + "cancellous %.0f HU, cortex %.0f HU, psf %.2f)", areaError, heightError,
                             p.treated.anteriorHeight / p.treated.posteriorHeight, p.treated.endplateConcavity,
                             p.corticalThickness, p.endplateThickness, p.hu.cancellous, p.hu.cortex, p.psfSigma))
            }
        }
        func meanAbs(_ x: [Double]) -> Double { x.map(abs).reduce(0, +) / Double(max(1, x.count)) }
        func medianAbs(_ x: [Double]) -> Double { let s = x.map(abs).sorted(); return s.isEmpty ? .nan : s[s.count / 2] }
        print("\n\(drErrors.count) of \(count) cases measured (\(failures) without a result)")
        print(String(format: "DR error (percentage points): mean |e| %.2f, median |e| %.2f, max |e| %.2f, bias %+.2f; "
                     + "|e| ≤ 0.5 in %d, ≤ 1.5 in %d cases", meanAbs(drErrors), medianAbs(drErrors),
                     drErrors.map(abs).max() ?? .nan, drErrors.reduce(0, +) / Double(max(1, drErrors.count)),
                     drErrors.filter { abs($0) <= 0.5 }.count, drErrors.filter { abs($0) <= 1.5 }.count))
        print(String(format: "Body volume: mean |relative error| %.1f %%, median %.1f %%, bias %+.1f %%", meanAbs(bodyErrors),
                     medianAbs(bodyErrors),
                     bodyErrors.reduce(0, +) / Double(max(1, bodyErrors.count))))
        print(String(format: "Cement in body: mean |relative error| %.1f %%, median %.1f %%, bias %+.1f %%", meanAbs(cementErrors),
                     medianAbs(cementErrors),
                     cementErrors.reduce(0, +) / Double(max(1, cementErrors.count))))
        print(String(format: "Targets: DR mean ≤ 0.5, max ≤ 1.5; volumes mean ≤ 3 %%. Load + measure: median %.2f s per case",
                     seconds.sorted()[seconds.count / 2]))
    }
}

/// Loads a series and measures its distribution rate, printing wall time and peak memory as JSON.
struct RateSeries: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rate-series", abstract: "Time series → DR.")
    @Argument(help: "Series folder.") var folder: String

    func run() throws {
        let start = DispatchTime.now()
        let loaded = try SeriesLoader().load(paths: [folder])
        let result = RateEngine().measure(loaded.volume)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let level = result.levels.first
        let output: [String: Double] = [
            "seconds": seconds, "peak_rss_bytes": Double(usage.ru_maxrss) * 1024,
            "volume_bytes": Double(loaded.volume.voxels.count * 2),
            "dr_percent": level?.distributionRatePercent ?? .nan, "body_ml": level?.vertebralBodyML ?? .nan,
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: output, options: [.sortedKeys]), as: UTF8.self))
    }
}
