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

    let table: CSVTable
    /// The file the table came from, for messages.
    let path: String

    /// Rows with every listed column present, and how many were dropped.
    private func completeRows(_ columns: [Int]) -> (rows: [Int], dropped: Int) {
        let rows = table.rows.indices.filter { r in columns.allSatisfy { table.text(row: r, column: $0) != nil } }
        return (rows, table.rows.count - rows.count)
    }

    /// Values of `columns.value` split by `columns.group`, as exact-decimal-centred deviations.
    private func groupedValues(_ columns: GroupColumns) throws -> (labels: [String], groups: [[Double]], dropped: Int) {
        let valueColumn = try table.column(columns.value)
        let groupColumn = try columns.group.map { try table.column($0) }
        let (rows, dropped) = completeRows([valueColumn] + (groupColumn.map { [$0] } ?? []))
        let levels = columns.levelList
        var labels: [String] = levels ?? []
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
            throw CommandFailure(message: "\(path): column '\(table.header[valueColumn])' holds a value that is not a decimal number")
        }
        return (labels, groups, dropped + levelDropped)
    }

    /// Descriptive statistics of the value per group.
    func describe(_ columns: GroupColumns) throws -> StatsOutput {
        let valueColumn = try table.column(columns.value)
        let (labels, _, _) = try groupedValues(columns)
        let groupColumn = try columns.group.map { try table.column($0) }
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
        let rowColumn = try table.column(columns.row), colColumn = try table.column(columns.col)
        let (rows, dropped) = completeRows([rowColumn, colColumn])
        var rowLabels: [String] = [], colLabels: [String] = []
        for r in rows {
            let a = table.text(row: r, column: rowColumn)!, b = table.text(row: r, column: colColumn)!
            if !rowLabels.contains(a) { rowLabels.append(a) }
            if !colLabels.contains(b) { colLabels.append(b) }
        }
        if let levels = columns.levels {
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
        let xColumn = try table.column(columns.x), yColumn = try table.column(columns.y)
        let (rows, dropped) = completeRows([xColumn, yColumn])
        var xs: [Double] = [], ys: [Double] = []
        for r in rows {
            xs.append(try table.number(row: r, column: xColumn)!)
            ys.append(try table.number(row: r, column: yColumn)!)
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
        var indices: [Int] = []
        for name in names { indices.append(try table.column(name)) }
        let (rows, dropped) = completeRows(indices)
        var matrix: [[Double]] = []
        for r in rows {
            var values: [Double] = []
            for c in indices { values.append(try table.number(row: r, column: c)!) }
            matrix.append(values)
        }
        return (matrix, dropped)
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
