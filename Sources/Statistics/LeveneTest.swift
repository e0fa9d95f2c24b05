/// Tests of equal variances across groups: a one-way ANOVA on absolute deviations from each group's centre.
public enum VarianceTestCentre: String, Sendable, Codable {
    /// Levene's original test, deviations from the group mean (SPSS "based on mean").
    case mean
    /// Brown–Forsythe, deviations from the group median (R's car::leveneTest default).
    case median
}

public enum LeveneTest {
    public static func test(groups: [[Double]], centre: VarianceTestCentre = .mean) throws(StatisticsError) -> TestResult {
        let deviations = groups.filter { !$0.isEmpty }.map { group -> [Double] in
            let c: Double
            switch centre {
            case .mean: c = meanAndSumOfSquares(group).mean
            case .median: c = Descriptive.quantile(sorted: group.sorted(), 0.5)
            }
            return group.map { abs($0 - c) }
        }
        let anova = try OneWayANOVA(groups: deviations)
        return TestResult(statisticName: "F", statistic: anova.f, df: [anova.dfBetween, anova.dfWithin], p: anova.p,
                          n: anova.n)
    }
}
