/// Student's and Welch's two-sample t tests and the paired t test (two-sided).
public enum TTest {
    /// Independent samples; `equalVariances` selects Student's pooled test, otherwise Welch–Satterthwaite.
    public static func independent(_ x: [Double], _ y: [Double], equalVariances: Bool = true) throws(StatisticsError)
        -> TestResult
    {
        let parts = try independentParts(x, y, equalVariances: equalVariances)
        let t = parts.difference / parts.standardError
        guard t.isFinite else { throw .degenerate(test: "t test", reason: "zero variance") }
        return TestResult(statisticName: "t", statistic: t, df: [parts.df], p: StudentT(df: parts.df).twoSided(t),
                          n: x.count + y.count)
    }

    /// Paired samples (x and y of equal length, pair by pair).
    public static func paired(_ x: [Double], _ y: [Double]) throws(StatisticsError) -> TestResult {
        let parts = try pairedParts(x, y)
        let t = parts.difference / parts.standardError
        guard t.isFinite else { throw .degenerate(test: "paired t test", reason: "the differences do not vary") }
        return TestResult(statisticName: "t", statistic: t, df: [parts.df], p: StudentT(df: parts.df).twoSided(t), n: x.count)
    }

    /// x̄ − ȳ, its standard error and degrees of freedom (pooled, or Welch–Satterthwaite).
    static func independentParts(_ x: [Double], _ y: [Double], equalVariances: Bool) throws(StatisticsError)
        -> (difference: Double, standardError: Double, df: Double)
    {
        guard x.count >= 2, y.count >= 2 else {
            throw .tooFewObservations(test: "t test (per group)", needed: 2, got: min(x.count, y.count))
        }
        let (mx, ssx) = meanAndSumOfSquares(x), (my, ssy) = meanAndSumOfSquares(y)
        let nx = Double(x.count), ny = Double(y.count)
        if equalVariances {
            let df = nx + ny - 2
            let pooled = (ssx + ssy) / df
            return (mx - my, (pooled * (1 / nx + 1 / ny)).squareRoot(), df)
        }
        let a = ssx / (nx - 1) / nx, b = ssy / (ny - 1) / ny
        return (mx - my, (a + b).squareRoot(), (a + b) * (a + b) / (a * a / (nx - 1) + b * b / (ny - 1)))
    }

    /// The mean of the differences x − y, its standard error and degrees of freedom.
    static func pairedParts(_ x: [Double], _ y: [Double]) throws(StatisticsError)
        -> (difference: Double, standardError: Double, df: Double)
    {
        guard x.count == y.count else { throw .invalidArgument("paired t test: samples differ in length") }
        guard x.count >= 2 else { throw .tooFewObservations(test: "paired t test", needed: 2, got: x.count) }
        let d = zip(x, y).map { $0 - $1 }
        let (mean, ss) = meanAndSumOfSquares(d)
        let n = Double(d.count)
        return (mean, (ss / (n - 1) / n).squareRoot(), n - 1)
    }
}
