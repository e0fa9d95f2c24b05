import ArgumentParser
import Foundation
import Statistics

/// `cement stats`: one statistical test on columns of a CSV file, one subcommand per test.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Run a statistical test on columns of a CSV file.",
        discussion: """
            Each test is a subcommand taking the CSV file and naming its columns by option: --value/--group for \
            group comparisons, --row/--col for counts, --x/--y for association, --columns for paired and repeated \
            measures; --json prints the result as JSON on stdout. Empty cells and NA are missing: each test drops \
            the rows missing any of its own columns and reports how many it used. Values are centred in exact \
            decimal arithmetic before the location-invariant group tests, so large offsets cost no digits.

            The examples read cohort.csv, the bundled synthetic cohort as `cement cohort --out cohort.csv` writes it.

            Examples:
              cement stats anova cohort.csv --value cement_ml --group dr_group --levels low,medium,high
              cement stats chisq cohort.csv --row secondary_fracture --col dr_group --json
              cement stats pearson cohort.csv --x dr_recorded_percent --y vas_1y
              cement stats rm-anova cohort.csv --columns vas_pre,vas_1d,vas_1y
              cement stats levene cohort.csv --value cement_ml --group dr_group --centre median
            """,
        subcommands: [Describe.self, ANOVA.self, Welch.self, LSD.self, Bonferroni.self, Tukey.self, Levene.self,
                      Shapiro.self, Kruskal.self, TTest.self, MannWhitney.self, ChiSquare.self, Fisher.self,
                      Pearson.self, Spearman.self, Regression.self, PairedT.self, RepeatedANOVA.self]
    )
}

/// Levene's centre as a command-line choice (`--centre mean|median`), checked by the argument parser.
extension VarianceTestCentre: ExpressibleByArgument, CaseIterable {
    public static var allCases: [VarianceTestCentre] { [.mean, .median] }
}
