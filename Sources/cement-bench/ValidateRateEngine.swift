import CementCore
import ArgumentParser
import Foundation
import Imaging
import Phantom
import RateEngine

extension PhantomRealism: ExpressibleByArgument {}

/// Accuracy of the rate engine on domain-randomised phantoms against their ground truth, per slice-thickness band and
/// per realism factor, with the body error split into its mid-body (outline) and end (endplate) parts. The validation
/// set (seeds 32000–32119, `make validate`) was fixed before the engine changes of 2026-12-03 and is not to be tuned
/// on; tuning uses seeds 30000–30199 and 31000–31119 (`make tune`).
struct ValidateRateEngine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Validate the rate engine on phantoms, per slice-thickness band and realism factor.",
        discussion: """
            Generates the phantoms into FOLDER (reused when present), measures each with the rate engine, matches every \
            measured level to a true level by cement centroid, prints the table and writes a CSV per case.

            Examples:
              cement-bench validate .cache/validate-world-32000 --count 120 --seed 32000   (the validation set)
              cement-bench validate .cache/tune-world --count 200 --seed 30000             (a tuning set)
              cement-bench validate /tmp/v --count 4 --seed 42 --truth-body
            """)
    @Argument(help: "Folder for the suite (reused when present).") var folder: String
    @Option(help: "Number of cases.") var count = 120
    @Option(help: "Seed of the first case; case i uses seed + i.") var seed: UInt64 = 32000
    @Option(help: "world (domain-randomised) or classic phantoms.") var realism: PhantomRealism = .world
    @Option(help: "Per-case CSV (default: FOLDER/cases.csv).") var csv: String?
    @Flag(help: "Measure with the phantom's true bodies as --body-mask: the cement estimate's share of the error.")
    var truthBody = false
    @Flag(help: "Only generate the phantoms (timing), measure nothing.") var generateOnly = false

    func validate() throws {
        guard (1...2000).contains(count) else { throw ValidationError("--count must be 1–2000") }
    }

    func run() throws {
        let generator = PhantomGenerator()
        var rows: [ValidationRow] = []
        var generation: [Double] = [], measuring: [Double] = []
        for index in 0..<count {
            let caseID = String(format: "case-%03d", index + 1)
            let path = folder + "/" + caseID
            var overrides = PhantomParameters.Overrides()
            overrides.caseID = caseID
            overrides.realism = realism
            let start = DispatchTime.now()
            let phantom = generator.makeCase(seed: seed + UInt64(index), overrides: overrides)
            let cached = try? PhantomGenerator.readTruth(path + "/" + PhantomGenerator.truthFileName)
            if cached != phantom.truth {
                try? FileManager.default.removeItem(atPath: path)
                try generator.write(phantom, to: path)
            }
            generation.append(seconds(since: start))
            FileHandle.standardError.write(Data("\rphantom \(index + 1)/\(count)".utf8))
            if generateOnly { continue }
            let loaded = try SeriesLoader().load(paths: [path])
            let truthBodies = SpineModel(phantom.parameters).masks(on: loaded.volume.geometry).body
            var engine = RateEngine()
            if truthBody { engine.bodyMask = BodyMask(labels: truthBodies, label: nil) }
            let measureStart = DispatchTime.now()
            let result = engine.measure(loaded.volume, sliceThicknessMM: loaded.sliceThickness, withMasks: true)
            measuring.append(seconds(since: measureStart))
            rows += ValidationRow.match(case: caseID, truth: phantom.truth, measured: result.levels,
                                        truthBodies: truthBodies, masks: result.masks)
        }
        FileHandle.standardError.write(Data(String(format: "\ngeneration: median %.2f s, total %.0f s per %d cases\n",
                                                   median(generation), generation.reduce(0, +), count).utf8))
        if generateOnly { return }
        let csvPath = csv ?? folder + "/cases.csv"
        try AtomicFile.write(Data(ValidationRow.csv(rows).utf8), to: csvPath)
        print("Rate engine \(RateEngine.version) on \(count) \(realism.rawValue) phantoms, seeds \(seed)–\(seed + UInt64(count) - 1)"
              + (truthBody ? ", true body as mask" : "") + String(format: "; measure median %.2f s per case", median(measuring)))
        print(ValidationTable(rows: rows).text)
        print("Per case: \(csvPath)")
        print("Targets (issue 16): slices ≤ 2 mm DR mean ≤ 0.5 pp, max ≤ 1.5, body and cement mean ≤ 3 %, body bias within ±1 %; "
              + "> 2 mm DR mean ≤ 0.8, interval coverage ≥ 90 %; every gross error flagged, ≤ 10 % of good cases flagged, "
              + "coverage 85–95 % overall.")
    }

    private func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    private func median(_ x: [Double]) -> Double { x.median() ?? .nan }
}
