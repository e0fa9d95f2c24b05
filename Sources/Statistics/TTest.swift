/// Student's and Welch's two-sample t tests and the paired t test (two-sided).
public enum TTest {
    /// Independent samples; `equalVariances` selects Student's pooled test, otherwise Welch–Satterthwaite.
    public static func independent(_ x: [Double], _ y: [Double], equalVariances: Bool = true) throws(StatisticsError)
        -> TestResult
    {
        guard x.count >= 2, y.count >= 2 else {
            throw .tooFewObservations(test: "t test (per group)", needed: 2, got: min(x.count, y.count))
        }
        let (mx, ssx) = meanAndSumOfSquares(x), (my, ssy) = meanAndSumOfSquares(y)
        let nx = Double(x.count), ny = Double(y.count)
        let vx = ssx / (nx - 1), vy = ssy / (ny - 1)
        let t: Double, df: Double
        if equalVariances {
            df = nx + ny - 2
            let pooled = (ssx + ssy) / df
            t = (mx - my) / (pooled * (1 / nx + 1 / ny)).squareRoot()
        } else {
            let a = vx / nx, b = vy / ny
            t = (mx - my) / (a + b).squareRoot()
            df = (a + b) * (a + b) / (a * a / (nx - 1) + b * b / (ny - 1))
        }
        guard t.isFinite else { throw .degenerate(test: "t test", reason: "zero variance") }
        return TestResult(statisticName: "t", statistic: t, df: [df], p: StudentT(df: df).twoSided(t), n: x.count + y.count)
    }

    /// Paired samples (x and y of equal length, pair by pair).
    public static func paired(_ x: [Double], _ y: [Double]) throws(StatisticsError) -> TestResult {
        guard x.count == y.count else { throw .invalidArgument("paired t test: samples differ in length") }
        guard x.count >= 2 else { throw .tooFewObservations(test: "paired t test", needed: 2, got: x.count) }
        let d = zip(x, y).map { $0 - $1 }
        let (mean, ss) = meanAndSumOfSquares(d)
        let n = Double(d.count)
        let t = mean / (ss / (n - 1) / n).squareRoot()
        guard t.isFinite else { throw .degenerate(test: "paired t test", reason: "the differences do not vary") }
        return TestResult(statisticName: "t", statistic: t, df: [n - 1], p: StudentT(df: n - 1).twoSided(t), n: d.count)
    }
}
