import ArgumentParser
import Foundation

/// The `cement stats` subcommands on counts (--row, --col), associations (--x, --y) and repeated measures
/// (--columns).
extension StatsCommand {
    struct ChiSquare: ParsableCommand {
        static let configuration = StatsCommand.subcommand(
            "chisq", "Pearson's χ² test of independence, with the smallest expected count.",
            examples: ["chisq cohort.csv --row secondary_fracture --col dr_group --json",
                       "chisq cohort.csv --row secondary_fracture --col sex --yates"])
        @OptionGroup var input: StatsInput
        @OptionGroup var columns: CountColumns
        @Flag(help: "Yates' continuity correction (2×2 tables only).") var yates = false
        func run() throws { try input.run("chisq") { try $0.counts(columns, fisher: false, yates: yates) } }
    }

    struct Fisher: ParsableCommand {
        static let configuration = StatsCommand.subcommand(
            "fisher", "Fisher's exact test (Freeman–Halton for tables larger than 2×2).",
            examples: ["fisher cohort.csv --row leakage --col dr_group --levels low,medium,high"])
        @OptionGroup var input: StatsInput
        @OptionGroup var columns: CountColumns
        func run() throws { try input.run("fisher") { try $0.counts(columns, fisher: true) } }
    }

    struct Pearson: ParsableCommand {
        static let configuration = StatsCommand.subcommand(
            "pearson", "Pearson's correlation r with its Fisher-z interval.",
            examples: ["pearson cohort.csv --x dr_recorded_percent --y vas_1y",
                       "pearson cohort.csv --x cement_ml --y dr_recorded_percent --json"])
        @OptionGroup var input: StatsInput
        @OptionGroup var columns: AssociationColumns
        func run() throws { try input.run("pearson") { try $0.association(.pearson, columns) } }
    }

    struct Spearman: ParsableCommand {
        static let configuration = StatsCommand.subcommand(
            "spearman", "Spearman's rank correlation ρ.",
            examples: ["spearman cohort.csv --x dr_recorded_percent --y vas_1y"])
        @OptionGroup var input: StatsInput
        @OptionGroup var columns: AssociationColumns
        func run() throws { try input.run("spearman") { try $0.association(.spearman, columns) } }
    }

    struct Regression: ParsableCommand {
        static let configuration = StatsCommand.subcommand(
            "regression", "Least-squares line of y on x: slope, intercept, R² and the slope's t test.",
            examples: ["regression cohort.csv --x dr_recorded_percent --y vas_1y --json"])
        @OptionGroup var input: StatsInput
        @OptionGroup var columns: AssociationColumns
        func run() throws { try input.run("regression") { try $0.association(.regression, columns) } }
    }

    struct PairedT: ParsableCommand {
        static let configuration = StatsCommand.subcommand(
            "paired-t", "Paired t test of two occasions, with the mean difference and its interval.",
            examples: ["paired-t cohort.csv --columns vas_pre,vas_1y"])
        @OptionGroup var input: StatsInput
        @OptionGroup var columns: RepeatedColumns
        func run() throws { try input.run("paired-t") { try $0.pairedT(columns) } }
    }

    struct RepeatedANOVA: ParsableCommand {
        static let configuration = StatsCommand.subcommand(
            "rm-anova", "Repeated-measures ANOVA with Greenhouse–Geisser and Huynh–Feldt corrections.",
            examples: ["rm-anova cohort.csv --columns vas_pre,vas_1d,vas_1y",
                       "rm-anova cohort.csv --columns odi_pre,odi_1d,odi_1y --json"])
        @OptionGroup var input: StatsInput
        @OptionGroup var columns: RepeatedColumns
        func run() throws { try input.run("rm-anova") { try $0.repeatedANOVA(columns) } }
    }
}
