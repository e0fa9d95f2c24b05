/// A hypothesis test's result: the statistic, its degrees of freedom where it has them, the P value and the
/// number of observations used.
public struct TestResult: Sendable, Codable, Equatable {
    /// Name of the statistic: "F", "t", "chi-square", "H", "W", "U", "r", "rho".
    public var statisticName: String
    public var statistic: Double
    /// Degrees of freedom: none, one, or two (numerator, denominator).
    public var df: [Double]
    public var p: Double
    public var n: Int

    public init(statisticName: String, statistic: Double, df: [Double], p: Double, n: Int) {
        self.statisticName = statisticName
        self.statistic = statistic
        self.df = df
        self.p = p
        self.n = n
    }
}
