/// The difference of two means (x̄ − ȳ) with its confidence interval from Student's t: pooled or
/// Welch–Satterthwaite for independent samples, the mean of the pairwise differences for paired ones. The same
/// standard error and degrees of freedom as `TTest`, so the interval excludes 0 exactly when P < 1 − level.
public struct MeanDifference: Sendable, Codable, Equatable {
    public var difference: Double
    public var standardError: Double
    public var df: Double
    /// Confidence level of the interval (0.95).
    public var level: Double
    public var ciLow: Double
    public var ciHigh: Double

    init(difference: Double, standardError: Double, df: Double, level: Double) {
        let half = StudentT(df: df).quantile(0.5 + level / 2) * standardError
        (self.difference, self.standardError, self.df, self.level) = (difference, standardError, df, level)
        (ciLow, ciHigh) = (difference - half, difference + half)
    }

    /// Independent samples; `equalVariances` selects the pooled standard error, otherwise Welch's.
    public static func independent(_ x: [Double], _ y: [Double], equalVariances: Bool = true,
                                   level: Double = 0.95) throws(StatisticsError) -> MeanDifference {
        try checkLevel(level)
        let parts = try TTest.independentParts(x, y, equalVariances: equalVariances)
        return MeanDifference(difference: parts.difference, standardError: parts.standardError, df: parts.df, level: level)
    }

    /// Paired samples: the mean of x − y, pair by pair.
    public static func paired(_ x: [Double], _ y: [Double], level: Double = 0.95) throws(StatisticsError) -> MeanDifference {
        try checkLevel(level)
        let parts = try TTest.pairedParts(x, y)
        return MeanDifference(difference: parts.difference, standardError: parts.standardError, df: parts.df, level: level)
    }

    private static func checkLevel(_ level: Double) throws(StatisticsError) {
        guard level > 0, level < 1 else { throw .invalidArgument("confidence level must lie between 0 and 1") }
    }
}
