import ArgumentParser
import Foundation
import Imaging
import Study

/// `cement cohort`: write the synthetic cohort that matches the published statistics.
struct CohortCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cohort",
        abstract: "Generate the synthetic 120-patient cohort that reproduces the published group statistics.",
        discussion: """
            Group means and SDs round to the published ones, counts equal them, and the pooled correlations of \
            DR with the Table 4 variables round to the published r. The data are synthetic: no real patient. \
            Deterministic in --seed.

            Example:
              cement cohort --out cohort.csv
            """
    )

    @Option(help: "The published numbers (default: the bundled data/published.json).", completion: .file())
    var published: String?
    @Option(help: "The codebook (default: the bundled data/codebook.csv).", completion: .file()) var codebook: String?
    @Option(help: "Output CSV.", completion: .file()) var out = "cohort.csv"
    @Option(help: "Random seed.") var seed: UInt64 = 20_210_301

    func run() throws {
        let generator = CohortGenerator(published: try PublishedStudy.load(try BundledFiles.path(published, default: "data/published.json")),
                                        codebook: try Codebook.load(try BundledFiles.path(codebook, default: "data/codebook.csv")),
                                        seed: seed)
        try AtomicFile.write(Data(try generator.csv().utf8), to: out)
        Terminal.note("wrote \(out)")
    }
}
