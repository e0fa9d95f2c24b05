import Foundation

/// Poisson-mixture sums behind the noncentral F and chi-square distributions: Σⱼ Pois(j; μ) · term(j).
///
/// The sum starts at the Poisson mode and walks outwards in both directions, so large noncentralities
/// (μ in the thousands) need only O(√μ) terms and never underflow the first weight. Upwards the terms fall
/// monotonically (both the weight and, for the CDFs used here, the central term); downwards the central term is
/// at most 1, so the weight alone bounds what is left. Absolute error about 1e-15.
enum PoissonMixture {
    static func sum(mean mu: Double, _ term: (Int) -> Double) -> Double {
        if mu <= 0 { return term(0) }
        let mode = Int(mu.rounded(.down))
        let logWeightAtMode = -mu + Double(mode) * log(mu) - lgamma(Double(mode) + 1)
        var total = 0.0
        var logWeight = logWeightAtMode
        var j = mode
        // Upwards from the mode.
        while j < mode + 1_000_000 {
            let weighted = exp(logWeight) * term(j)
            total += weighted
            if j > mode + 2, weighted <= 1e-17 * total || exp(logWeight) < 1e-300 { break }
            j += 1
            logWeight += log(mu) - log(Double(j))
        }
        // Downwards from just below the mode.
        logWeight = logWeightAtMode
        j = mode
        while j > 0 {
            logWeight -= log(mu) - log(Double(j))
            j -= 1
            let weight = exp(logWeight)
            total += weight * term(j)
            if weight <= 1e-17 * max(total, 1e-300) { break }
        }
        return total
    }
}

/// The noncentral F distribution F′(df1, df2, λ): the distribution of the ANOVA F statistic when the group
/// means differ, with λ = Σ nᵢ(μᵢ − μ)² / σ². Used to turn an observed F into a confidence interval for η².
public struct NoncentralF: Sendable {
    public let df1: Double
    public let df2: Double
    public let noncentrality: Double

    public init(df1: Double, df2: Double, noncentrality: Double) {
        precondition(df1 > 0 && df2 > 0 && noncentrality >= 0, "noncentral F needs df1, df2 > 0 and λ ≥ 0")
        self.df1 = df1
        self.df2 = df2
        self.noncentrality = noncentrality
    }

    /// P(F′ ≤ f) = Σⱼ Pois(j; λ/2) · I_x(df1/2 + j, df2/2) with x = df1·f / (df1·f + df2).
    public func cdf(_ f: Double) -> Double {
        if f.isNaN { return .nan }
        if f <= 0 { return 0 }
        if f.isInfinite { return 1 }
        let x = df1 * f / (df1 * f + df2)
        let a = df1 / 2, b = df2 / 2
        return min(1, PoissonMixture.sum(mean: noncentrality / 2) { j in
            SpecialFunctions.regularizedBeta(x, a: a + Double(j), b: b)
        })
    }
}

/// The noncentral chi-square distribution χ′²(df, λ), the distribution of Pearson's X² under an alternative.
/// Used to turn an observed X² into a confidence interval for Cramér's V.
public struct NoncentralChiSquared: Sendable {
    public let df: Double
    public let noncentrality: Double

    public init(df: Double, noncentrality: Double) {
        precondition(df > 0 && noncentrality >= 0, "noncentral chi-square needs df > 0 and λ ≥ 0")
        self.df = df
        self.noncentrality = noncentrality
    }

    /// P(X ≤ x) = Σⱼ Pois(j; λ/2) · P(df/2 + j, x/2) (regularised lower incomplete gamma).
    public func cdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x <= 0 { return 0 }
        if x.isInfinite { return 1 }
        return min(1, PoissonMixture.sum(mean: noncentrality / 2) { j in
            SpecialFunctions.regularizedGamma(df / 2 + Double(j), x: x / 2)
        })
    }
}
