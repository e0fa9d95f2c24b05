import Foundation

/// An effect size with a two-sided confidence interval.
///
/// The intervals invert the noncentral distribution of the test statistic (Steiger 2004; the method of R's
/// `effectsize` and `MBESS` packages): the noncentrality λ is bracketed by the values that put the observed
/// statistic at the 97.5th and 2.5th percentiles, then mapped to the effect size. A bound whose λ would be
/// negative is 0.
public struct EffectSizeInterval: Sendable, Codable, Equatable {
    /// "eta²" or "Cramér's V".
    public var name: String
    public var estimate: Double
    public var low: Double
    public var high: Double
    public var confidence: Double

    /// η² = SS_between / SS_total of a one-way ANOVA; interval from F′(df1, df2, λ) with η² = λ / (λ + N).
    public static func etaSquared(_ anova: OneWayANOVA, confidence: Double = 0.95) -> EffectSizeInterval {
        let total = anova.dfBetween + anova.dfWithin + 1
        let (low, high) = noncentralityInterval(confidence: confidence) { lambda in
            NoncentralF(df1: anova.dfBetween, df2: anova.dfWithin, noncentrality: lambda).cdf(anova.f)
        }
        return EffectSizeInterval(name: "eta²", estimate: anova.etaSquared, low: low / (low + total),
                                  high: high / (high + total), confidence: confidence)
    }

    /// Cramér's V = √(X² / (n (k − 1))), k the smaller table dimension; interval from χ′²(df, λ) with λ in place
    /// of X².
    public static func cramersV(_ test: ChiSquareTest, confidence: Double = 0.95) -> EffectSizeInterval {
        let k = Double(min(test.expected.count, test.expected.first?.count ?? 0))
        let scale = Double(test.n) * (k - 1)
        let (low, high) = noncentralityInterval(confidence: confidence) { lambda in
            NoncentralChiSquared(df: test.df, noncentrality: lambda).cdf(test.statistic)
        }
        return EffectSizeInterval(name: "Cramér's V", estimate: (test.statistic / scale).squareRoot(),
                                  low: min(1, (low / scale).squareRoot()), high: min(1, (high / scale).squareRoot()),
                                  confidence: confidence)
    }

    /// The λ interval: cdf(λ) falls from cdf(0) towards 0 as λ grows, so each bound is the root of
    /// cdf(λ) = target, found by bracketing and bisection to 1e-10 relative.
    static func noncentralityInterval(confidence: Double, cdf: (Double) -> Double) -> (Double, Double) {
        let alpha = (1 - confidence) / 2
        func solve(_ target: Double) -> Double {
            if cdf(0) <= target { return 0 }
            var low = 0.0, high = 1.0
            while cdf(high) > target, high < 1e7 { low = high; high *= 2 }
            for _ in 0..<200 {
                let middle = (low + high) / 2
                if cdf(middle) > target { low = middle } else { high = middle }
                if high - low <= 1e-10 * high { break }
            }
            return (low + high) / 2
        }
        return (solve(1 - alpha), solve(alpha))
    }
}
