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
    @Option var realism: PhantomRealism = .classic

    func run() throws {
        var overrides = PhantomParameters.Overrides()
        overrides.matrix = matrix
        overrides.sliceCount = slices
        overrides.pixelSpacing = spacing
        overrides.sliceSpacing = thickness
        overrides.distributionRate = 20
        overrides.realism = realism
        func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        let t0 = now()
        let phantom = PhantomGenerator().makeCase(seed: seed, overrides: overrides)
        let t1 = now()
        let volume = PhantomRenderer(model: SpineModel(phantom.parameters)).render()
        let t2 = now()
        var writer = CTSeriesWriter(identity: .init(patientName: "SYNTHETIC^BENCH", patientID: "BENCH", uidSeed: "b"))
        // A circular field of view pads with −3024 HU, below the usual intercept.
        writer.rescaleIntercept = Double(PhantomRenderer.paddingHU)
        try writer.write(volume, to: folder)
        let t3 = now()
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let result: [String: Double] = ["truth_seconds": t1 - t0, "render_seconds": t2 - t1, "write_seconds": t3 - t2,
                                        "total_seconds": t3 - t0, "peak_rss_bytes": Double(usage.ru_maxrss) * 1024]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}

/// Loads a series and measures its distribution rate, printing wall time and peak memory as JSON.
struct RateSeries: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rate-series", abstract: "Time series → DR.")
    @Argument(help: "Series folder.") var folder: String

    func run() throws {
        let start = DispatchTime.now()
        let loaded = try SeriesLoader().load(paths: [folder])
        let result = RateEngine().measure(loaded.volume, sliceThicknessMM: loaded.sliceThickness)
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
