import Foundation

/// Shapiro–Wilk normality test for 3 ≤ n ≤ 5000, by Royston's approximations (Applied Statistics algorithm
/// AS R94, 1995), the method behind R's shapiro.test.
public enum ShapiroWilk {
    public static func test(_ values: [Double]) throws(StatisticsError) -> TestResult {
        let n = values.count
        guard n >= 3 else { throw .tooFewObservations(test: "Shapiro–Wilk", needed: 3, got: n) }
        guard n <= 5000 else { throw .invalidArgument("Shapiro–Wilk: n must be at most 5000 (got \(n))") }
        let x = values.sorted()
        guard x[n - 1] - x[0] > 0 else { throw .degenerate(test: "Shapiro–Wilk", reason: "all values are identical") }
        let a = coefficients(n)
        let mean = meanAndSumOfSquares(x)
        var numerator = CompensatedSum()
        for i in 0..<n { numerator.add(a[i] * (x[i] - mean.mean)) }
        let w = min(1, numerator.value * numerator.value / mean.sumOfSquares)
        return TestResult(statisticName: "W", statistic: w, df: [], p: pValue(w, n: n), n: n)
    }

    /// The weights a₁…aₙ (antisymmetric, Σa² = 1) from normal order-statistic approximations mᵢ, with the two
    /// extreme pairs corrected by Royston's polynomials in 1/√n.
    static func coefficients(_ n: Int) -> [Double] {
        if n == 3 { return [-0.5.squareRoot(), 0, 0.5.squareRoot()] }
        let nn = Double(n)
        let m = (1...n).map { Normal.quantile((Double($0) - 0.375) / (nn + 0.25)) }
        let sumSquares = m.reduce(0) { $0 + $1 * $1 }
        let u = 1 / nn.squareRoot()
        func polynomial(_ c: [Double]) -> Double { c.reversed().reduce(0) { $0 * u + $1 } }
        let last = m[n - 1] / sumSquares.squareRoot()
            + polynomial([0, 0.221157, -0.147981, -2.071190, 4.434685, -2.706056])
        var a = [Double](repeating: 0, count: n)
        if n > 5 {
            let secondLast = m[n - 2] / sumSquares.squareRoot()
                + polynomial([0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633])
            let phi = (sumSquares - 2 * m[n - 1] * m[n - 1] - 2 * m[n - 2] * m[n - 2])
                / (1 - 2 * last * last - 2 * secondLast * secondLast)
            for i in 2..<(n - 2) { a[i] = m[i] / phi.squareRoot() }
            a[n - 2] = secondLast
            a[1] = -secondLast
        } else {
            let phi = (sumSquares - 2 * m[n - 1] * m[n - 1]) / (1 - 2 * last * last)
            for i in 1..<(n - 1) { a[i] = m[i] / phi.squareRoot() }
        }
        a[n - 1] = last
        a[0] = -last
        return a
    }

    /// Royston's normalising transformations of W.
    static func pValue(_ w: Double, n: Int) -> Double {
        let nn = Double(n)
        if n == 3 {
            // Exact distribution for n = 3.
            let p = 6 / Double.pi * (asin(w.squareRoot()) - asin(0.75.squareRoot()))
            return max(0, min(1, p))
        }
        let z: Double
        if n <= 11 {
            let gamma = -2.273 + 0.459 * nn
            let mu = 0.5440 - 0.39978 * nn + 0.025054 * nn * nn - 0.0006714 * nn * nn * nn
            let sigma = exp(1.3822 - 0.77857 * nn + 0.062767 * nn * nn - 0.0020322 * nn * nn * nn)
            let y = log(1 - w)
            if y >= gamma { return tinyP }
            z = (-log(gamma - y) - mu) / sigma
        } else {
            let l = log(nn)
            let mu = -1.5861 - 0.31082 * l - 0.083751 * l * l + 0.0038915 * l * l * l
            let sigma = exp(-0.4803 - 0.082676 * l + 0.0030302 * l * l)
            z = (log(1 - w) - mu) / sigma
        }
        return Normal.uppertail(z)
    }

    /// P reported when W is beyond the range of the small-sample transformation (R returns a value this small).
    static let tinyP = 1e-99
}
