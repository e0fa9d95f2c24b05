import ArgumentParser
import Foundation
import Study

/// `cement check-paper`: audit the published paper's own numbers.
struct CheckPaperCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-paper",
        abstract: "Recompute the paper's tests from its printed numbers and list where they disagree.",
        discussion: """
            For every mean ± SD row, the one-way ANOVA P is recomputed over all means and SDs that round to the \
            printed ones (n per group from the design); counts are tested by chi-square (and Fisher–Freeman–Halton \
            when expected counts are small) and their percentages checked; for variables the codebook records in \
            whole steps (VAS, ODI in steps of 2) only means that n such values can have are allowed (GRIM); correlations give the P range their \
            rounding allows; the abstracts and the results text are compared with the tables, and pairwise claims \
            with LSD (or 2×2) tests. Each finding says where, which variable, what was printed, what the numbers \
            give, and whether the two can agree.

            Example:
              cement check-paper --json | jq '.findings[] | select(.consistent == false)'
            """
    )

    @Option(help: "The published numbers (JSON; default: the bundled data/published.json).", completion: .file())
    var published: String?
    @Option(help: "The codebook: variables recorded in steps (integer scores) are checked GRIM-style (default: the bundled data/codebook.csv).",
            completion: .file())
    var codebook: String?
    @Flag(help: "Print JSON on stdout: {\"findings\": [...]}.") var json = false

    struct Output: Encodable {
        var findings: [PaperFinding]
        var inconsistent: Int
    }

    func run() throws {
        let study: PublishedStudy
        do { study = try PublishedStudy.load(try BundledFiles.path(published, default: "data/published.json")) } catch let error as StudyError {
            throw CommandFailure(message: error.description)
        }
        let findings = PaperCheck(study: study, codebook: try Codebook.load(try BundledFiles.path(codebook, default: "data/codebook.csv"))).findings()
        let bad = findings.filter { !$0.consistent }
        if json {
            try Terminal.printJSON(Output(findings: findings, inconsistent: bad.count))
            return
        }
        print("\(findings.count) checks, \(bad.count) inconsistent")
        for finding in bad {
            print("- \(finding.where) \(finding.variable) [\(finding.kind.rawValue)]: printed \(finding.reported); "
                  + "\(finding.recomputed)" + (finding.note.map { " — \($0)" } ?? ""))
        }
    }
}
