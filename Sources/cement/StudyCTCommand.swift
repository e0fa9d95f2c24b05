import ArgumentParser
import Foundation
import Imaging
import Phantom
import RateEngine
import Study

/// `cement study-ct`: one CT phantom per patient of the cohort, measured by the rate engine.
struct StudyCTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study-ct",
        abstract: "Generate one synthetic CT per cohort patient (cached) and measure its DR with the rate engine.",
        discussion: """
            Each patient's phantom has the patient's recorded DR, vertebral level and leakage, and a seed of \
            1000 + the case number; series are cached under --cache and reused. The engine's results are merged \
            into a copy of the cohort with the columns dr_engine_percent, dr_engine_group and engine_qc.

            Example:
              cement study-ct --cohort data/cohort.csv --cache .cache/ct --out report/out/cohort-with-engine.csv
            """
    )

    @Option(help: "Cohort CSV.", completion: .file()) var cohort = "data/cohort.csv"
    @Option(help: "Folder for the generated series.", completion: .directory) var cache = ".cache/ct"
    @Option(help: "Merged CSV to write.", completion: .file()) var out = "report/out/cohort-with-engine.csv"
    @Option(help: "Patients processed at the same time.") var jobs = 2

    func run() throws {
        let table = try CSVTable(path: cohort)
        let id = try table.column("case_id"), dr = try table.column("dr_recorded_percent")
        let level = try table.column("level"), leakage = try table.column("leakage")
        let rows = table.rows.indices.map { row -> (String, Double, String, Bool) in
            (table.text(row: row, column: id) ?? "P\(row + 1)", (try? table.number(row: row, column: dr)).flatMap { $0 } ?? 10,
             table.text(row: row, column: level) ?? "L1", table.text(row: row, column: leakage) == "1")
        }
        var measured = [String](repeating: "", count: rows.count)
        let cache = self.cache, jobs = self.jobs
        measured.withUnsafeMutableBufferPointer { buffer in
        let cells = SharedBuffer(buffer)
        DispatchQueue.concurrentPerform(iterations: jobs) { worker in
            for index in stride(from: worker, to: rows.count, by: jobs) {
                let (caseID, rate, levelName, leaked) = rows[index]
                let folder = "\(cache)/\(caseID)"
                var overrides = PhantomParameters.Overrides()
                overrides.caseID = caseID
                overrides.distributionRate = rate
                overrides.level = PhantomParameters.levels.contains(levelName) ? levelName : nil
                overrides.matrix = 256
                overrides.pixelSpacing = 0.7
                overrides.sliceSpacing = 1.25
                let seed = UInt64(1000 + index + 1)
                overrides.leakage = leaked ? [LeakageKind.disc, .vein, .anterior][Int(seed % 3)] : LeakageKind.none
                var cell = ",,engine_failed"
                do {
                    // A cached series is reused only while it still matches the patient's row: a cohort edited
                    // since (another DR, level or leakage) gets a new phantom.
                    let cached = try? PhantomGenerator.readTruth(folder + "/" + PhantomGenerator.truthFileName)
                    let current = cached.map {
                        abs(($0.parameters.targetDistributionRate ?? .nan) - rate) < 1e-9
                            && $0.parameters.level == (overrides.level ?? $0.parameters.level)
                            && $0.leakage == overrides.leakage
                    } ?? false
                    if !current {
                        try? FileManager.default.removeItem(atPath: folder)
                        let generator = PhantomGenerator()
                        try generator.write(generator.makeCase(seed: seed, overrides: overrides), to: folder)
                    }
                    let volume = try SeriesLoader().load(paths: [folder]).volume
                    if let result = RateEngine().measure(volume).levels.first, let engineRate = result.distributionRatePercent {
                        cell = String(format: "%.2f", engineRate) + ",\(result.group ?? ""),\(result.qc.joined(separator: ";"))"
                    }
                } catch {
                    cell = ",,error"
                }
                cells[index] = cell
            }
        }
        }
        var text = (table.header + ["dr_engine_percent", "dr_engine_group", "engine_qc"]).joined(separator: ",") + "\n"
        for (index, row) in table.rows.enumerated() { text += (row + [measured[index]]).joined(separator: ",") + "\n" }
        try AtomicFile.write(Data(text.utf8), to: out)
        Terminal.note("wrote \(out)")
    }
}
