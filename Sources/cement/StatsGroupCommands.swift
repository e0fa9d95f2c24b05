import ArgumentParser
import Foundation
import Statistics

/// The `cement stats` subcommands comparing one numeric value across groups (--value, --group, --levels).
extension StatsCommand {
    /// A subcommand's configuration: what it computes, then its examples (each run by HelpExampleTests), written
    /// without the leading `cement stats `.
    static func subcommand(_ name: String, _ abstract: String, _ discussion: String = "", examples: [String])
        -> CommandConfiguration
    {
        let list = "Examples:\n" + examples.map { "  cement stats " + $0 }.joined(separator: "\n")
        return CommandConfiguration(commandName: name, abstract: abstract,
                                    discussion: discussion.isEmpty ? list : discussion + "\n\n" + list)
    }

    struct Describe: ParsableCommand {
        static let configuration = StatsCommand.subcommand(
            "describe", "n, missing, mean, SD, SE, median, quartiles and range of a value per group.",
            examples: ["describe cohort.csv --value cement_ml --group dr_group",
                       "describe cohort.csv --value vas_1y --json"])
        @OptionGroup var input: StatsInput
        @OptionGroup var columns: GroupColumns
        func run() throws { try input.run("describe") { try $0.describe(columns) } }
    }

    struct ANOVA: ParsableCommand {
        static let configuration = StatsCommand.subcommand(
            "anova", "One-way ANOVA (Fisher's F) with η² and ω².",
            examples: ["anova cohort.csv --value cement_ml --group dr_group --levels low,medium,high",
                       "anova cohort.csv --value vas_1y --group dr_group --json"])
        @OptionGroup var input: StatsInput
        @OptionGroup var columns: GroupColumns
        func run() throws { try input.run("anova") { try $0.group(.anova, columns) } }
    }

    struct Welch: ParsableCommand {
        static let configuration = StatsCommand.subcommand(
            "welch", "Welch's one-way ANOVA (unequal variances).",
            examples: ["welch cohort.csv --value cement_ml --group dr_group"])
        @OptionGroup var input: StatsInput
        @OptionGroup var columns: GroupColumns
        func run() throws { try input.run("welch") { try $0.group(.welch, columns) } }
    }

    struct LSD: ParsableCommand {
        static let configuration = StatsCommand.subcommand(
            "lsd", "One-way ANOVA and Fisher's LSD pairwise comparisons (pooled SD, unadjusted P).",
            examples: ["lsd cohort.csv --value vas_1y --group dr_group --levels low,medium,high --json"])
        @OptionGroup var input: StatsInput
        @OptionGroup var columns: GroupColumns
        func run() throws { try input.run("lsd") { try $0.group(.lsd, columns) } }
    }

    struct Bonferroni: ParsableCommand {
        static let configuration = StatsCommand.subcommand(
            "bonferroni", "One-way ANOVA and Bonferroni-adjusted pairwise comparisons.",
            examples: ["bonferroni cohort.csv --value vas_1y --group dr_group"])
        @OptionGroup var input: StatsInput
        @OptionGroup var columns: GroupColumns
        func run() throws { try input.run("bonferroni") { try $0.group(.bonferroni, columns) } }
    }

    struct Tukey: ParsableCommand {
        static let configuration = StatsCommand.subcommand(
            "tukey", "One-way ANOVA and Tukey's HSD pairwise comparisons.",
            examples: ["tukey cohort.csv --value vas_1y --group dr_group"])
        @OptionGroup var input: StatsInput
        @OptionGroup var columns: GroupColumns
        func run() throws { try input.run("tukey") { try $0.group(.tukey, columns) } }
    }

    struct Levene: ParsableCommand {
        static let configuration = StatsCommand.subcommand(
            "levene", "Levene's test of equal variances.",
            examples: ["levene cohort.csv --value cement_ml --group dr_group",
                       "levene cohort.csv --value cement_ml --group dr_group --centre median"])
        @OptionGroup var input: StatsInput
        @OptionGroup var columns: GroupColumns
        @Option(help: "Centre: mean (SPSS) or median (Brown–Forsythe).") var centre: VarianceTestCentre = .mean
        func run() throws { try input.run("levene") { try $0.group(.levene, columns, centre: centre) } }
    }

    struct Shapiro: ParsableCommand {
        static let configuration = StatsCommand.subcommand(
            "shapiro", "Shapiro–Wilk test of normality, per group.",
            examples: ["shapiro cohort.csv --value cement_ml --group dr_group",
                       "shapiro cohort.csv --value cement_ml --json"])
        @OptionGroup var input: StatsInput
        @OptionGroup var columns: GroupColumns
        func run() throws { try input.run("shapiro") { try $0.group(.shapiro, columns) } }
    }

    struct Kruskal: ParsableCommand {
        static let configuration = StatsCommand.subcommand(
            "kruskal", "Kruskal–Wallis rank-sum test (tie-corrected).",
            examples: ["kruskal cohort.csv --value vas_1y --group dr_group"])
        @OptionGroup var input: StatsInput
        @OptionGroup var columns: GroupColumns
        func run() throws { try input.run("kruskal") { try $0.group(.kruskal, columns) } }
    }

    struct TTest: ParsableCommand {
        static let configuration = StatsCommand.subcommand(
            "ttest", "Independent two-sample t test with the mean difference and its interval.",
            "Exactly two groups: name them with --levels when the grouping column has more.",
            examples: ["ttest cohort.csv --value cement_ml --group dr_group --levels low,high",
                       "ttest cohort.csv --value cement_ml --group dr_group --levels low,high --welch --json"])
        @OptionGroup var input: StatsInput
        @OptionGroup var columns: GroupColumns
        @Flag(help: "Welch's unequal-variance t test.") var welch = false
        func run() throws { try input.run("ttest") { try $0.group(.ttest, columns, welch: welch) } }
    }

    struct MannWhitney: ParsableCommand {
        static let configuration = StatsCommand.subcommand(
            "mannwhitney", "Mann–Whitney U (Wilcoxon rank-sum) test of two groups.",
            "Exactly two groups: name them with --levels when the grouping column has more.",
            examples: ["mannwhitney cohort.csv --value vas_1y --group dr_group --levels low,high"])
        @OptionGroup var input: StatsInput
        @OptionGroup var columns: GroupColumns
        func run() throws { try input.run("mannwhitney") { try $0.group(.mannwhitney, columns) } }
    }
}
