import Foundation

/// Pearson's product-moment correlation with its t test (n − 2 df) and Fisher-z confidence interval.
public struct PearsonCorrelation: Sendable, Codable, Equatable {
    public var r: Double
    public var t: Double
    public var df: Double
    public var p: Double
    public var n: Int
    public var ciLow: Double
    public var ciHigh: Double

    public init(_ x: [Double], _ y: [Double], confidence: Double = 0.95) throws(StatisticsError) {
        guard x.count == y.count else { throw .invalidArgument("correlation: samples differ in length") }
        guard x.count >= 3 else { throw .tooFewObservations(test: "Pearson correlation", needed: 3, got: x.count) }
        let moments = CrossMoments(x, y)
        guard moments.sxx > 0, moments.syy > 0 else {
            throw .degenerate(test: "Pearson correlation", reason: "a variable does not vary")
        }
        r = max(-1, min(1, moments.sxy / (moments.sxx * moments.syy).squareRoot()))
        n = x.count
        df = Double(n - 2)
        t = r * (df / ((1 - r) * (1 + r))).squareRoot()
        p = abs(r) == 1 ? 0 : StudentT(df: df).twoSided(t)
        if n > 3 {
            let z = atanh(r), halfWidth = Normal.quantile(0.5 + confidence / 2) / Double(n - 3).squareRoot()
            ciLow = tanh(z - halfWidth)
            ciHigh = tanh(z + halfWidth)
        } else {
            ciLow = .nan
            ciHigh = .nan
        }
    }

    public var result: TestResult { TestResult(statisticName: "r", statistic: r, df: [df], p: p, n: n) }
}

/// Spearman's rank correlation ρ (Pearson on mid-ranks), P from the t approximation with n − 2 df (R's
/// cor.test(method = "spearman", exact = FALSE)).
public struct SpearmanCorrelation: Sendable, Codable, Equatable {
    public var rho: Double
    public var p: Double
    public var n: Int

    public init(_ x: [Double], _ y: [Double]) throws(StatisticsError) {
        guard x.count == y.count else { throw .invalidArgument("correlation: samples differ in length") }
        guard x.count >= 3 else { throw .tooFewObservations(test: "Spearman correlation", needed: 3, got: x.count) }
        let moments = CrossMoments(Ranking(x).ranks, Ranking(y).ranks)
        guard moments.sxx > 0, moments.syy > 0 else {
            throw .degenerate(test: "Spearman correlation", reason: "a variable does not vary")
        }
        rho = max(-1, min(1, moments.sxy / (moments.sxx * moments.syy).squareRoot()))
        n = x.count
        let df = Double(n - 2)
        p = abs(rho) == 1 ? 0 : StudentT(df: df).twoSided(rho * (df / ((1 - rho) * (1 + rho))).squareRoot())
    }

    public var result: TestResult { TestResult(statisticName: "rho", statistic: rho, df: [Double(n - 2)], p: p, n: n) }
}

/// Means and centred second moments of paired data (two-pass, compensated).
struct CrossMoments {
    let meanX: Double, meanY: Double, sxx: Double, syy: Double, sxy: Double

    init(_ x: [Double], _ y: [Double]) {
        let mx = meanAndSumOfSquares(x), my = meanAndSumOfSquares(y)
        meanX = mx.mean
        meanY = my.mean
        sxx = mx.sumOfSquares
        syy = my.sumOfSquares
        sxy = CompensatedSum.of(zip(x, y).lazy.map { ($0 - mx.mean) * ($1 - my.mean) })
    }
}

/// Ordinary least squares of y on x.
public struct LinearRegression: Sendable, Codable, Equatable {
    public var slope: Double
    public var intercept: Double
    public var slopeSE: Double
    public var interceptSE: Double
    /// t statistic and two-sided P of the slope (n − 2 df).
    public var t: Double
    public var p: Double
    public var rSquared: Double
    /// Residual standard deviation.
    public var sigma: Double
    public var n: Int
    let meanX: Double
    let sxx: Double

    public init(x: [Double], y: [Double]) throws(StatisticsError) {
        guard x.count == y.count else { throw .invalidArgument("regression: samples differ in length") }
        guard x.count >= 3 else { throw .tooFewObservations(test: "linear regression", needed: 3, got: x.count) }
        let m = CrossMoments(x, y)
        guard m.sxx > 0 else { throw .degenerate(test: "linear regression", reason: "x does not vary") }
        n = x.count
        slope = m.sxy / m.sxx
        intercept = m.meanY - slope * m.meanX
        let sse = max(0, m.syy - slope * m.sxy)
        let df = Double(n - 2)
        sigma = (sse / df).squareRoot()
        slopeSE = sigma / m.sxx.squareRoot()
        interceptSE = sigma * (1 / Double(n) + m.meanX * m.meanX / m.sxx).squareRoot()
        t = slope / slopeSE
        p = slopeSE > 0 ? StudentT(df: df).twoSided(t) : 0
        rSquared = m.syy > 0 ? m.sxy * m.sxy / (m.sxx * m.syy) : 1
        meanX = m.meanX
        sxx = m.sxx
    }

    /// Fitted mean at x0 and its confidence interval (the band drawn around a regression line).
    public func meanBand(at x0: Double, confidence: Double = 0.95) -> (fit: Double, low: Double, high: Double) {
        let fit = intercept + slope * x0
        let q = StudentT(df: Double(n - 2)).quantile(0.5 + confidence / 2)
        let half = q * sigma * (1 / Double(n) + (x0 - meanX) * (x0 - meanX) / sxx).squareRoot()
        return (fit, fit - half, fit + half)
    }
}
