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
              cement cohort --out data/cohort.csv
            """
    )

    @Option(help: "The published numbers.", completion: .file()) var published = "data/published.json"
    @Option(help: "The codebook.", completion: .file()) var codebook = "data/codebook.csv"
    @Option(help: "Output CSV.", completion: .file()) var out = "data/cohort.csv"
    @Option(help: "Random seed.") var seed: UInt64 = 20_210_301

    func run() throws {
        let generator = CohortGenerator(published: try PublishedStudy.load(published),
                                        codebook: try Codebook.load(codebook), seed: seed)
        try AtomicFile.write(Data(try generator.csv().utf8), to: out)
        Terminal.note("wrote \(out)")
    }
}
