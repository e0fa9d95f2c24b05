import ArgumentParser
import Foundation
import Study

/// `cement verify`: every published number next to the one reproduced from the data.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Compare every number the paper prints with the number reproduced from the cohort.",
        discussion: """
            Recomputes, from the cohort table, each number of data/published.json with the paper's own tests: \
            group sizes; mean and SD per group (must round to the printed decimals); counts and percentages; \
            one-way ANOVA, chi-square and Pearson P (must fall in the interval of values that print as the \
            published P); r (printed decimals); the change over time within each group (repeated-measures \
            ANOVA); the abstracts; and the pairwise claims of the results text (LSD, or 2×2 chi-square for \
            proportions: direction and P against 0.05).

            A published value that the paper's own numbers rule out (see `cement check-paper`) is listed as \
            unattainable and does not fail the check unless --strict is given. The Figure 1 case (one real \
            patient) is not verified.

            Exit status: 0 when everything matches, 1 on any mismatch, 2 on unreadable input.

            Examples:
              cement verify
              cement verify --json | jq '.items[] | select(.status != "match")'
              cement verify --data my-audit.csv --strict
            """
    )

    @Option(help: "The cohort table (CSV, checked against the codebook; default: the bundled data/cohort.csv).",
            completion: .file())
    var data: String?
    @Option(help: "The codebook the table is checked against (default: the bundled data/codebook.csv).",
            completion: .file())
    var codebook: String?
    @Option(help: "The published numbers (JSON; default: the bundled data/published.json).", completion: .file())
    var published: String?
    @Flag(help: "Count unattainable published values as mismatches.") var strict = false
    @Flag(help: "Print JSON on stdout: {\"items\": [...], \"match\": n, \"mismatch\": n, \"unattainable\": n}.")
    var json = false

    struct Output: Encodable {
        var items: [VerificationItem]
        var match: Int
        var mismatch: Int
        var unattainable: Int
    }

    func run() throws {
        let study = try PublishedStudy.load(try BundledFiles.path(published, default: "data/published.json"))
        let cohort = try Cohort.load(try BundledFiles.path(data, default: "data/cohort.csv"),
                                     codebook: try Codebook.load(try BundledFiles.path(codebook, default: "data/codebook.csv")))
        let items = try StudyVerification(study: study, cohort: cohort).items()
        let tally = items.tally
        if json {
            try Terminal.printJSON(Output(items: items, match: tally.match, mismatch: tally.mismatch,
                                          unattainable: tally.unattainable))
        } else {
            print("\(items.count) published numbers: \(tally.match) match, \(tally.mismatch) mismatch, "
                  + "\(tally.unattainable) unattainable (ruled out by the paper's own numbers)")
            for item in items where item.status != .match {
                let group = item.group.map { " [\($0)]" } ?? ""
                print("- \(item.status.rawValue): \(item.where) \(item.variable)\(group) \(item.quantity): printed "
                      + "\(item.published), reproduced \(item.reproduced) (tolerance \(item.tolerance))")
            }
        }
        if tally.mismatch > 0 || (strict && tally.unattainable > 0) {
            throw ExitCode(ExitCode.checkFailed)
        }
    }
}
