import ArgumentParser
import Foundation
import Study
import Tabular
import Statistics

/// `cement stats`: one statistical test on columns of a CSV file.
struct StatsCommand: ParsableCommand {
    enum Test: String, ExpressibleByArgument, CaseIterable {
        case describe, anova, welch, lsd, bonferroni, tukey, levene, shapiro, kruskal, ttest
        case pairedT = "paired-t", mannwhitney, chisq, fisher, pearson, spearman, regression
        case rmAnova = "rm-anova"
    }

    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Run a statistical test on columns of a CSV file.",
        discussion: """
            TEST is one of: \(Test.allCases.map(\.rawValue).joined(separator: ", ")).
            Columns are named by option: --value/--group for group comparisons (describe, anova, welch, lsd, \
            bonferroni, tukey, levene, shapiro, kruskal, ttest, mannwhitney), --row/--col for counts (chisq, \
            fisher), --x/--y for association (pearson, spearman, regression), --columns for paired and repeated \
            measures (paired-t takes two, rm-anova two or more). Empty cells and NA are missing: each test drops \
            the rows missing any of its own columns and reports how many it used. Values are centred in exact \
            decimal arithmetic before the location-invariant group tests, so large offsets cost no digits.

            The examples read cohort.csv, the bundled synthetic cohort as `cement cohort --out cohort.csv` writes it.

            Examples:
              cement stats anova cohort.csv --value cement_ml --group dr_group --levels low,medium,high
              cement stats chisq cohort.csv --row secondary_fracture --col dr_group --json
              cement stats pearson cohort.csv --x dr_recorded_percent --y vas_1y
              cement stats rm-anova cohort.csv --columns vas_pre,vas_1d,vas_1y
              cement stats levene cohort.csv --value cement_ml --group dr_group --centre median
            """
    )

    @Argument(help: "The test.") var test: Test
    @Argument(help: "CSV file with a header row.", completion: .file()) var csv: String
    @Option(help: "Numeric column compared across groups.") var value: String?
    @Option(help: "Grouping column.") var group: String?
    @Option(help: "Group levels and their order, comma-separated (default: order of first appearance).")
    var levels: String?
    @Option(help: "Row variable of a contingency table.") var row: String?
    @Option(help: "Column variable of a contingency table.") var col: String?
    @Option(help: "First variable of an association.") var x: String?
    @Option(help: "Second variable of an association.") var y: String?
    @Option(help: "Comma-separated columns for paired-t and rm-anova.") var columns: String?
    @Option(help: "Levene centre: mean (SPSS) or median (Brown–Forsythe).") var centre: VarianceTestCentre = .mean
    @Flag(help: "Yates continuity correction (chisq on 2×2 tables).") var yates = false
    @Flag(help: "Welch's unequal-variance t test (ttest).") var welch = false
    @Flag(help: "Print JSON on stdout.") var json = false

    func run() throws {
        let table = try CSVTable(path: csv)
        var output: StatsOutput
        switch test {
        case .describe: output = try describe(table)
        case .anova, .welch, .lsd, .bonferroni, .tukey, .levene, .kruskal, .ttest, .mannwhitney, .shapiro:
            output = try groupTest(table)
        case .chisq, .fisher: output = try countTest(table)
        case .pearson, .spearman, .regression: output = try associationTest(table)
        case .pairedT, .rmAnova: output = try repeatedTest(table)
        }
        output.test = test.rawValue
        if json {
            try Terminal.printJSON(output)
        } else {
            print(output.humanReadable)
        }
        for warning in output.warnings ?? [] { Terminal.warning(warning) }
    }

    private func required(_ option: String?, _ name: String) throws(CommandFailure) -> String {
        guard let option else { throw CommandFailure(message: "\(test.rawValue) needs --\(name)") }
        return option
    }

    /// Rows with every listed column present, and how many were dropped.
    private func completeRows(_ table: CSVTable, _ columns: [Int]) -> (rows: [Int], dropped: Int) {
        let rows = table.rows.indices.filter { r in columns.allSatisfy { table.text(row: r, column: $0) != nil } }
        return (rows, table.rows.count - rows.count)
    }

    /// Values of `value` split by `group`, as exact-decimal-centred deviations.
    private func groupedValues(_ table: CSVTable) throws
        -> (labels: [String], groups: [[Double]], dropped: Int)
    {
        let valueColumn = try table.column(try required(value, "value"))
        let groupColumn = try group.map { try table.column($0) }
        let (rows, dropped) = completeRows(table, [valueColumn] + (groupColumn.map { [$0] } ?? []))
        var labels: [String] = levels?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } ?? []
        var texts: [String: [String]] = [:]
        var levelDropped = 0
        for r in rows {
            _ = try table.number(row: r, column: valueColumn)
            let label = groupColumn.map { table.text(row: r, column: $0)! } ?? "all"
            if levels == nil, texts[label] == nil { labels.append(label) }
            guard labels.contains(label) else {
                levelDropped += 1
                continue
            }
            texts[label, default: []].append(table.text(row: r, column: valueColumn)!)
        }
        guard let groups = DecimalCentring.groups(labels.map { texts[$0] ?? [] }) else {
            throw CommandFailure(message: "\(csv): column '\(table.header[valueColumn])' holds a value that is not a decimal number")
        }
        return (labels, groups, dropped + levelDropped)
    }

    private func describe(_ table: CSVTable) throws -> StatsOutput {
        let valueColumn = try table.column(try required(value, "value"))
        let (labels, _, _) = try groupedValues(table)
        let groupColumn = try group.map { try table.column($0) }
        var summaries: [StatsOutput.GroupSummary] = []
        for label in labels {
            var values: [Double?] = []
            for r in table.rows.indices where groupColumn.map({ table.text(row: r, column: $0) == label }) ?? true {
                values.append(try table.number(row: r, column: valueColumn))
            }
            summaries.append(StatsOutput.GroupSummary(label: label, descriptive: Descriptive(values)))
        }
        var output = StatsOutput()
        output.groups = summaries
        output.n = summaries.reduce(0) { $0 + $1.n }
        return output
    }

    private func groupTest(_ table: CSVTable) throws -> StatsOutput {
        let (labels, groups, dropped) = try groupedValues(table)
        var output = StatsOutput()
        output.dropped = dropped
        output.groupLabels = labels
        func twoGroups() throws -> ([Double], [Double]) {
            guard groups.count == 2 else {
                throw CommandFailure(message: "\(test.rawValue) compares exactly two groups; found \(groups.count) "
                                     + "(\(labels.joined(separator: ", "))): use --levels A,B")
            }
            return (groups[0], groups[1])
        }
        let result: TestResult
        switch test {
        case .anova:
            let anova = try OneWayANOVA(groups: groups)
            result = anova.result
            output.etaSquared = anova.etaSquared
            output.omegaSquared = anova.omegaSquared
        case .welch: result = try WelchANOVA(groups: groups).result
        case .lsd, .bonferroni, .tukey:
            let anova = try OneWayANOVA(groups: groups)
            result = anova.result
            let method: PostHocMethod = test == .lsd ? .lsd : (test == .bonferroni ? .bonferroni : .tukey)
            output.pairs = PostHoc(anova: anova, method: method).pairs.map {
                StatsOutput.Pair(a: labels[$0.a], b: labels[$0.b], diff: $0.diff, se: $0.se, statistic: $0.statistic,
                                 p: $0.p, ci_low: $0.ciLow, ci_high: $0.ciHigh)
            }
        case .levene: result = try LeveneTest.test(groups: groups, centre: centre)
        case .kruskal: result = try KruskalWallis.test(groups: groups)
        case .ttest:
            let (a, b) = try twoGroups()
            result = try TTest.independent(a, b, equalVariances: !welch)
            output.setMeanDifference(try MeanDifference.independent(a, b, equalVariances: !welch), labels[0], labels[1])
        case .mannwhitney:
            let (a, b) = try twoGroups()
            result = try MannWhitney.test(a, b)
        case .shapiro:
            // One test per group; the top-level result only when there is a single group.
            var summaries: [StatsOutput.GroupSummary] = []
            for (label, values) in zip(labels, groups) {
                let w = try ShapiroWilk.test(values)
                summaries.append(StatsOutput.GroupSummary(label: label, n: w.n, statistic: w.statistic, p: w.p))
            }
            output.groups = summaries
            output.n = groups.reduce(0) { $0 + $1.count }
            guard groups.count == 1 else { return output }
            result = try ShapiroWilk.test(groups[0])
        default: fatalError("not a group test")
        }
        output.apply(result)
        return output
    }

    private func countTest(_ table: CSVTable) throws -> StatsOutput {
        let rowColumn = try table.column(try required(row, "row")), colColumn = try table.column(try required(col, "col"))
        let (rows, dropped) = completeRows(table, [rowColumn, colColumn])
        var rowLabels: [String] = [], colLabels: [String] = []
        for r in rows {
            let a = table.text(row: r, column: rowColumn)!, b = table.text(row: r, column: colColumn)!
            if !rowLabels.contains(a) { rowLabels.append(a) }
            if !colLabels.contains(b) { colLabels.append(b) }
        }
        if let levels {
            let order = levels.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            if Set(order) == Set(colLabels) { colLabels = order }
        }
        rowLabels.sort()
        var counts = [[Int]](repeating: [Int](repeating: 0, count: colLabels.count), count: rowLabels.count)
        for r in rows {
            counts[rowLabels.firstIndex(of: table.text(row: r, column: rowColumn)!)!][
                colLabels.firstIndex(of: table.text(row: r, column: colColumn)!)!] += 1
        }
        var output = StatsOutput()
        output.dropped = dropped
        output.table = counts
        output.rowLabels = rowLabels
        output.groupLabels = colLabels
        if test == .chisq {
            let chi = try ChiSquareTest(table: counts, yates: yates)
            output.apply(chi.result)
            output.expected_min = chi.expectedMin
            output.warnings = chi.warnings
        } else {
            output.apply(try FisherExactTest.test(table: counts))
        }
        return output
    }

    private func associationTest(_ table: CSVTable) throws -> StatsOutput {
        let xColumn = try table.column(try required(x, "x")), yColumn = try table.column(try required(y, "y"))
        let (rows, dropped) = completeRows(table, [xColumn, yColumn])
        var xs: [Double] = [], ys: [Double] = []
        for r in rows {
            xs.append(try table.number(row: r, column: xColumn)!)
            ys.append(try table.number(row: r, column: yColumn)!)
        }
        var output = StatsOutput()
        output.dropped = dropped
        switch test {
        case .pearson:
            let r = try PearsonCorrelation(xs, ys)
            output.apply(r.result)
            output.ci_low = r.ciLow
            output.ci_high = r.ciHigh
        case .spearman: output.apply(try SpearmanCorrelation(xs, ys).result)
        default:
            let fit = try LinearRegression(x: xs, y: ys)
            output.apply(TestResult(statisticName: "t", statistic: fit.t, df: [Double(fit.n - 2)], p: fit.p, n: fit.n))
            output.slope = fit.slope
            output.intercept = fit.intercept
            output.r_squared = fit.rSquared
        }
        return output
    }

    private func repeatedTest(_ table: CSVTable) throws -> StatsOutput {
        let names = try required(columns, "columns").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        var indices: [Int] = []
        for name in names { indices.append(try table.column(name)) }
        let (rows, dropped) = completeRows(table, indices)
        var matrix: [[Double]] = []
        for r in rows {
            var values: [Double] = []
            for c in indices { values.append(try table.number(row: r, column: c)!) }
            matrix.append(values)
        }
        var output = StatsOutput()
        output.dropped = dropped
        if test == .pairedT {
            guard indices.count == 2 else { throw CommandFailure(message: "paired-t takes exactly two --columns") }
            output.apply(try TTest.paired(matrix.map { $0[0] }, matrix.map { $0[1] }))
            output.setMeanDifference(try MeanDifference.paired(matrix.map { $0[0] }, matrix.map { $0[1] }), names[0], names[1])
        } else {
            let rm = try RepeatedMeasuresANOVA(rows: matrix)
            output.apply(rm.result)
            output.epsilon_gg = rm.epsilonGG
            output.p_gg = rm.pGG
            output.epsilon_hf = rm.epsilonHF
            output.mauchly_w = rm.mauchlyW
            output.mauchly_p = rm.mauchlyP
            output.pairs = rm.pairs.map {
                StatsOutput.Pair(a: names[$0.a], b: names[$0.b], diff: $0.diff, se: $0.se, statistic: $0.statistic, p: $0.p,
                                 ci_low: nil, ci_high: nil)
            }
        }
        return output
    }
}

/// Levene's centre as a command-line choice (`--centre mean|median`), checked by the argument parser.
extension VarianceTestCentre: ExpressibleByArgument, CaseIterable {
    public static var allCases: [VarianceTestCentre] { [.mean, .median] }
}
