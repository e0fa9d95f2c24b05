import ArgumentParser
import Foundation
import Imaging
import Measurements
import Phantom
import RateEngine
import Study
import Tabular

/// `cement study-ct`: one CT phantom per patient of the cohort, measured by the rate engine.
struct StudyCTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study-ct",
        abstract: "Generate one synthetic CT per cohort patient (cached) and measure its DR with the rate engine.",
        discussion: """
            Each patient's phantom is described by a line of the plan (data/ct-phantoms.csv: seed, the patient's \
            recorded DR, level and leakage, matrix, pixel and slice spacing). Cases the plan does not list are \
            derived the same way (seed 1000 + row number) and reported; without --cohort the bundled synthetic cohort \
            and its plan are used (what `make report` measures); a plan whose DR disagrees with the \
            cohort is an error. --write-plan writes the plan for the cohort and stops. Series are cached under \
            --cache and reused while they match their plan line. The engine's results are merged into a copy of \
            the cohort with the columns dr_engine_percent, dr_engine_group and engine_qc. Each measurement is \
            stored with its masks in the measurement cache (--measurements), keyed by the series' content, the \
            engine version and its parameters; a stored one is reused, and report CT figures draw from it.

            Examples:
              cement study-ct --cohort audit.csv --plan audit-phantoms.csv --write-plan
              cement study-ct --cohort audit.csv --plan audit-phantoms.csv --cache ct-cache --out audit-with-engine.csv
            """
    )

    @Option(help: "Cohort CSV (default: the bundled synthetic data/cohort.csv).", completion: .file()) var cohort: String?
    @Option(help: "Phantom parameters per case (CSV; default: the bundled data/ct-phantoms.csv with the bundled cohort, none otherwise).",
            completion: .file())
    var plan: String?
    @Flag(help: "Write the plan derived from the cohort to --plan and stop.") var writePlan = false
    @Option(help: "Folder for the generated series.", completion: .directory) var cache = ".cache/ct"
    @Option(help: "Merged CSV to write.", completion: .file()) var out = "report/out/cohort-with-engine.csv"
    @Option(help: "Measurement cache (engine results with their masks).", completion: .directory)
    var measurements = ".cache/measurements"
    @Option(help: "Patients processed at the same time.") var jobs = 2

    /// Whether a cached phantom was made from this plan line.
    private static func matches(_ truth: PhantomTruth, _ entry: PhantomPlan.Entry, _ overrides: PhantomParameters.Overrides) -> Bool {
        let made = truth.parameters
        return abs((made.targetDistributionRate ?? .nan) - entry.distributionRatePercent) < 1e-9 && made.seed == entry.seed
            && made.matrix == entry.matrix && abs(made.pixelSpacing - entry.pixelSpacingMM) < 1e-9
            && abs(made.sliceSpacing - entry.sliceSpacingMM) < 1e-9 && made.level == (overrides.level ?? made.level)
            && truth.leakage == overrides.leakage
    }

    func validate() throws {
        if writePlan, plan == nil { throw ValidationError("--write-plan needs --plan FILE (where to write it)") }
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be 1–64") }
    }

    func run() throws {
        let cohort = try BundledFiles.path(self.cohort, default: "data/cohort.csv")
        let plan = try self.plan ?? (self.cohort == nil ? BundledFiles.path("data/ct-phantoms.csv") : "")
        let table = try CSVTable(path: cohort)
        let derived = try PhantomPlan.derived(from: table)
        if writePlan {
            try AtomicFile.write(Data(derived.csv.utf8), to: plan)
            Terminal.note("wrote \(plan) (\(derived.entries.count) cases)")
            return
        }
        var planned: [String: PhantomPlan.Entry] = [:]
        if !plan.isEmpty, FileManager.default.fileExists(atPath: plan) {
            for entry in try PhantomPlan.load(plan).entries { planned[entry.caseID] = entry }
        }
        var missing = 0
        let rows = try derived.entries.map { entry throws -> PhantomPlan.Entry in
            guard let listed = planned[entry.caseID] else {
                missing += 1
                return entry
            }
            guard abs(listed.distributionRatePercent - entry.distributionRatePercent) < 1e-9 else {
                throw CommandFailure(message: "\(plan): case \(entry.caseID) has DR \(listed.distributionRatePercent) %, "
                    + "the cohort \(entry.distributionRatePercent) %; rewrite the plan with --write-plan")
            }
            return listed
        }
        if missing > 0, !plan.isEmpty { Terminal.note("\(missing) case(s) not in \(plan): derived from the cohort (--write-plan lists them)") }
        var measured = [String](repeating: "", count: rows.count)
        let cache = self.cache, jobs = self.jobs, store = MeasurementCache(folder: measurements)
        let progress = ProgressCounter("study-ct", total: rows.count)
        measured.withUnsafeMutableBufferPointer { buffer in
        let cells = SharedBuffer(buffer)
        DispatchQueue.concurrentPerform(iterations: jobs) { worker in
            for index in stride(from: worker, to: rows.count, by: jobs) {
                let entry = rows[index]
                let folder = "\(cache)/\(entry.caseID)"
                var overrides = PhantomParameters.Overrides()
                overrides.caseID = entry.caseID
                overrides.distributionRate = entry.distributionRatePercent
                overrides.level = PhantomParameters.levels.contains(entry.level) ? entry.level : nil
                overrides.matrix = entry.matrix
                overrides.pixelSpacing = entry.pixelSpacingMM
                overrides.sliceSpacing = entry.sliceSpacingMM
                overrides.leakage = LeakageKind(rawValue: entry.leakage) ?? LeakageKind.none
                var cell = ",,no_cement"
                do {
                    // A cached series is reused only while every parameter of its plan line still holds.
                    let cached = try? PhantomGenerator.readTruth(folder + "/" + PhantomGenerator.truthFileName)
                    if !(cached.map { Self.matches($0, entry, overrides) } ?? false) {
                        try? FileManager.default.removeItem(atPath: folder)
                        let generator = PhantomGenerator()
                        try generator.write(generator.makeCase(seed: entry.seed, overrides: overrides), to: folder)
                    }
                    let loaded = try SeriesLoader().load(paths: [folder])
                    let key = MeasurementCache.Key(seriesDigest: try SeriesDigest.of(files: loaded.files))
                    var levels = try store.entry(for: key)?.record.levels
                    if levels == nil {
                        let result = RateEngine().measure(loaded.volume, withMasks: true)
                        try store.store(result, geometry: loaded.volume.geometry, key: key, seriesFolder: folder)
                        levels = result.levels
                    }
                    if let result = levels?.first {
                        // No DR (the body was not found) leaves the value empty, with the engine's QC flags.
                        let rate = result.distributionRatePercent.map { String(format: "%.2f", $0) } ?? ""
                        cell = rate + ",\(result.group?.rawValue ?? ""),\(result.qc.map(\.rawValue).joined(separator: ";"))"
                    }
                } catch {
                    cell = ",,error"
                }
                cells[index] = cell
                progress.advance()
            }
        }
        }
        var text = (table.header + ["dr_engine_percent", "dr_engine_group", "engine_qc"]).joined(separator: ",") + "\n"
        for (index, row) in table.rows.enumerated() { text += (row + [measured[index]]).joined(separator: ",") + "\n" }
        try AtomicFile.write(Data(text.utf8), to: out)
        Terminal.note("wrote \(out)")
    }
}
