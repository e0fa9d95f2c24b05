/// One-way analysis of variance for independent groups (the SPSS ONEWAY table).
///
/// Sums of squares are computed in two passes over data shifted by the first observation, with compensated
/// sums, so that large constant offsets do not cost digits (checked on NIST StRD SmLs01–09).
public struct OneWayANOVA: Sendable, Codable, Equatable {
    public var groupSizes: [Int]
    public var groupMeans: [Double]
    public var ssBetween: Double
    public var ssWithin: Double
    public var dfBetween: Double
    public var dfWithin: Double
    public var msBetween: Double
    /// Mean square error, the pooled within-group variance used by LSD, Bonferroni and Tukey.
    public var msWithin: Double
    public var f: Double
    public var p: Double
    public var ssTotal: Double { ssBetween + ssWithin }
    public var n: Int { groupSizes.reduce(0, +) }
    /// η² = SS_between / SS_total.
    public var etaSquared: Double { ssBetween / ssTotal }
    /// ω² = (SS_between − df_between·MS_within) / (SS_total + MS_within).
    public var omegaSquared: Double { (ssBetween - dfBetween * msWithin) / (ssTotal + msWithin) }

    public init(groups: [[Double]]) throws(StatisticsError) {
        let groups = groups.filter { !$0.isEmpty }
        let total = groups.reduce(0) { $0 + $1.count }
        guard groups.count >= 2 else { throw .tooFewObservations(test: "ANOVA", needed: 2, got: groups.count) }
        guard total > groups.count else {
            throw .tooFewObservations(test: "ANOVA", needed: groups.count + 1, got: total)
        }
        let shift = groups[0][0]
        var grand = CompensatedSum()
        var means: [Double] = []
        var within = CompensatedSum()
        for group in groups {
            let shifted = group.map { $0 - shift }
            let (mean, ss) = meanAndSumOfSquares(shifted)
            means.append(mean)
            within.add(ss)
            for value in shifted { grand.add(value) }
        }
        let grandMean = grand.value / Double(total)
        var between = CompensatedSum()
        for (group, mean) in zip(groups, means) {
            let d = mean - grandMean
            between.add(Double(group.count) * d * d)
        }
        groupSizes = groups.map(\.count)
        groupMeans = means.map { $0 + shift }
        ssBetween = between.value
        ssWithin = within.value
        dfBetween = Double(groups.count - 1)
        dfWithin = Double(total - groups.count)
        msBetween = ssBetween / dfBetween
        msWithin = ssWithin / dfWithin
        f = msBetween / msWithin
        p = msWithin > 0 ? FDistribution(df1: dfBetween, df2: dfWithin).uppertail(f) : .nan
        if msWithin == 0 { throw .degenerate(test: "ANOVA", reason: "no variation within groups") }
    }

    public var result: TestResult {
        TestResult(statisticName: "F", statistic: f, df: [dfBetween, dfWithin], p: p, n: n)
    }
}

/// Welch's heteroscedastic one-way ANOVA (R's oneway.test with var.equal = FALSE).
public struct WelchANOVA: Sendable, Codable, Equatable {
    public var f: Double
    public var df1: Double
    public var df2: Double
    public var p: Double
    public var n: Int

    public init(groups: [[Double]]) throws(StatisticsError) {
        let groups = groups.filter { !$0.isEmpty }
        guard groups.count >= 2 else { throw .tooFewObservations(test: "Welch ANOVA", needed: 2, got: groups.count) }
        guard groups.allSatisfy({ $0.count >= 2 }) else {
            throw .tooFewObservations(test: "Welch ANOVA (per group)", needed: 2, got: groups.map(\.count).min() ?? 0)
        }
        let k = Double(groups.count)
        var weights: [Double] = [], means: [Double] = [], sizes: [Double] = []
        for group in groups {
            let (mean, ss) = meanAndSumOfSquares(group)
            let variance = ss / Double(group.count - 1)
            guard variance > 0 else { throw .degenerate(test: "Welch ANOVA", reason: "a group has zero variance") }
            weights.append(Double(group.count) / variance)
            means.append(mean)
            sizes.append(Double(group.count))
        }
        let sumWeights = weights.reduce(0, +)
        let weightedMean = zip(weights, means).reduce(0) { $0 + $1.0 * $1.1 } / sumWeights
        let a = zip(weights, means).reduce(0) { $0 + $1.0 * ($1.1 - weightedMean) * ($1.1 - weightedMean) } / (k - 1)
        var tmp = 0.0
        for (w, size) in zip(weights, sizes) { tmp += (1 - w / sumWeights) * (1 - w / sumWeights) / (size - 1) }
        tmp /= k * k - 1
        f = a / (1 + 2 * (k - 2) * tmp)
        df1 = k - 1
        df2 = 1 / (3 * tmp)
        p = FDistribution(df1: df1, df2: df2).uppertail(f)
        n = Int(sizes.reduce(0, +))
    }

    public var result: TestResult { TestResult(statisticName: "F", statistic: f, df: [df1, df2], p: p, n: n) }
}
