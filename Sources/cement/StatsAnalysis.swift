import Foundation
import Statistics
import Study
import Tabular

/// The tests of `cement stats` on one CSV table: each subcommand picks its test and columns, this computes it.
/// Empty cells and NA are missing: each test drops the rows missing any of its own columns and reports how many.
struct StatsAnalysis {
    /// The comparisons of one numeric value across groups.
    enum GroupTest: String {
        case anova, welch, lsd, bonferroni, tukey, levene, shapiro, kruskal, ttest, mannwhitney
    }

    let table: DataTable
    /// The file the table came from, for messages.
    let path: String

    /// The rows of `columns.value` (with a group, when given) split by `columns.group` (one group "all" without),
    /// and the rows dropped for a missing value or a group outside `--levels`.
    private func groupedRows(_ columns: GroupColumns) throws -> (grouping: DataTable.Grouping, dropped: Int) {
        _ = try table.numbers(columns.value)
        let complete = try table.complete(columns: [columns.value] + (columns.group.map { [$0] } ?? []))
        guard let group = columns.group else {
            return (DataTable.Grouping(labels: ["all"], rows: [complete.rows], missing: 0, outside: 0), complete.dropped)
        }
        let grouping = try table.grouped(by: group, levels: columns.levelList, rows: complete.rows)
        return (grouping, complete.dropped + grouping.outside)
    }

    /// Values of `columns.value` split by `columns.group`, as exact-decimal-centred deviations.
    private func groupedValues(_ columns: GroupColumns) throws -> (labels: [String], groups: [[Double]], dropped: Int) {
        let (grouping, dropped) = try groupedRows(columns)
        return (grouping.labels, try table.centred(columns.value, in: grouping.rows), dropped)
    }

    /// Descriptive statistics of the value per group (missing values counted as such).
    func describe(_ columns: GroupColumns) throws -> StatsOutput {
        let values = try table.numbers(columns.value)
        let (grouping, _) = try groupedRows(columns)
        var summaries: [StatsOutput.GroupSummary] = []
        for label in grouping.labels {
            let rows = try columns.group.map { group in try table.grouped(by: group, levels: [label]).rows[0] }
                ?? Array(0..<table.rowCount)
            summaries.append(StatsOutput.GroupSummary(label: label, descriptive: Descriptive(rows.map { values[$0] })))
        }
        var output = StatsOutput()
        output.groups = summaries
        output.n = summaries.reduce(0) { $0 + $1.n }
        return output
    }

    /// A comparison of the value across groups; `centre` is Levene's, `welch` the t test's variance choice.
    func group(_ test: GroupTest, _ columns: GroupColumns, centre: VarianceTestCentre = .mean, welch: Bool = false) throws
        -> StatsOutput
    {
        let (labels, groups, dropped) = try groupedValues(columns)
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
        }
        output.apply(result)
        return output
    }

    /// Pearson's χ² (with Yates' correction when `yates`) or Fisher's exact test on the contingency table.
    func counts(_ columns: CountColumns, fisher: Bool, yates: Bool = false) throws -> StatsOutput {
        let complete = try table.complete(columns: [columns.row, columns.col])
        let dropped = complete.dropped
        var byColumn = try table.grouped(by: columns.col, rows: complete.rows)
        if let levels = columns.levels {
            let order = levels.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            if Set(order) == Set(byColumn.labels) { byColumn = try table.grouped(by: columns.col, levels: order, rows: complete.rows) }
        }
        let colLabels = byColumn.labels
        let byRow = try table.grouped(by: columns.row, rows: complete.rows)
        let rowLabels = byRow.labels.sorted()
        let counts = rowLabels.map { label in
            let members = Set(byRow.rows[byRow.labels.firstIndex(of: label)!])
            return byColumn.rows.map { rows in rows.filter(members.contains).count }
        }
        var output = StatsOutput()
        output.dropped = dropped
        output.table = counts
        output.rowLabels = rowLabels
        output.groupLabels = colLabels
        if fisher {
            output.apply(try FisherExactTest.test(table: counts))
        } else {
            let chi = try ChiSquareTest(table: counts, yates: yates)
            output.apply(chi.result)
            output.expected_min = chi.expectedMin
            output.warnings = chi.warnings
        }
        return output
    }

    /// The association measures of two numeric variables.
    enum Association {
        case pearson, spearman, regression
    }

    /// Pearson's r (with its interval), Spearman's ρ or the least-squares line of y on x.
    func association(_ kind: Association, _ columns: AssociationColumns) throws -> StatsOutput {
        let complete = try table.complete(columns: [columns.x, columns.y])
        let dropped = complete.dropped
        // Pearson and Spearman are location-invariant: exact-decimal-centred; the line keeps its intercept.
        let xs: [Double], ys: [Double]
        if kind == .regression {
            let x = try table.numbers(columns.x), y = try table.numbers(columns.y)
            (xs, ys) = (complete.rows.map { x[$0]! }, complete.rows.map { y[$0]! })
        } else {
            (xs, ys) = (try table.centred(columns.x, in: [complete.rows])[0], try table.centred(columns.y, in: [complete.rows])[0])
        }
        var output = StatsOutput()
        output.dropped = dropped
        switch kind {
        case .pearson:
            let r = try PearsonCorrelation(xs, ys)
            output.apply(r.result)
            output.ci_low = r.ciLow
            output.ci_high = r.ciHigh
        case .spearman: output.apply(try SpearmanCorrelation(xs, ys).result)
        case .regression:
            let fit = try LinearRegression(x: xs, y: ys)
            output.apply(TestResult(statisticName: "t", statistic: fit.t, df: [Double(fit.n - 2)], p: fit.p, n: fit.n))
            output.slope = fit.slope
            output.intercept = fit.intercept
            output.r_squared = fit.rSquared
        }
        return output
    }

    /// The complete rows of the repeated-measures columns, as a subjects × occasions matrix.
    private func occasions(_ names: [String]) throws -> (matrix: [[Double]], dropped: Int) {
        let complete = try table.complete(columns: names)
        // The occasions share one location, so the values stay as recorded.
        let columns = try names.map { try table.numbers($0) }
        return (complete.rows.map { row in columns.map { $0[row]! } }, complete.dropped)
    }

    /// The paired t test of two occasions, with the mean difference and its interval.
    func pairedT(_ columns: RepeatedColumns) throws -> StatsOutput {
        let names = columns.names
        guard names.count == 2 else { throw CommandFailure(message: "paired-t takes exactly two --columns") }
        let (matrix, dropped) = try occasions(names)
        var output = StatsOutput()
        output.dropped = dropped
        output.apply(try TTest.paired(matrix.map { $0[0] }, matrix.map { $0[1] }))
        output.setMeanDifference(try MeanDifference.paired(matrix.map { $0[0] }, matrix.map { $0[1] }), names[0], names[1])
        return output
    }

    /// The repeated-measures ANOVA of two or more occasions, with sphericity corrections and pairwise contrasts.
    func repeatedANOVA(_ columns: RepeatedColumns) throws -> StatsOutput {
        let names = columns.names
        let (matrix, dropped) = try occasions(names)
        var output = StatsOutput()
        output.dropped = dropped
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
        return output
    }
}
