/// Pairwise comparisons after a one-way ANOVA, all on the pooled error mean square (MSE) with df N − k.
public enum PostHocMethod: String, Sendable, Codable, CaseIterable {
    /// Fisher's least significant difference, as SPSS defines it: t = diff / √(MSE (1/nᵢ + 1/nⱼ)), df N − k,
    /// no adjustment.
    case lsd
    /// LSD P values multiplied by the number of pairs (capped at 1).
    case bonferroni
    /// Tukey–Kramer: q = |diff| / √(MSE/2 · (1/nᵢ + 1/nⱼ)) against the studentized range.
    case tukey
}

/// One pair of groups compared.
public struct PairwiseComparison: Sendable, Codable, Equatable {
    /// Indices of the two groups (a < b).
    public var a: Int
    public var b: Int
    /// Mean of a minus mean of b.
    public var diff: Double
    /// Standard error of the difference, √(MSE (1/nₐ + 1/n_b)).
    public var se: Double
    /// t for LSD and Bonferroni, q for Tukey.
    public var statistic: Double
    public var p: Double
    /// 95 % confidence interval of the difference (LSD: t quantile; Bonferroni: t at 1 − 0.05/(2m)); nil for Tukey.
    public var ciLow: Double?
    public var ciHigh: Double?
}

public struct PostHoc: Sendable, Codable, Equatable {
    public var method: PostHocMethod
    public var pairs: [PairwiseComparison]
    public var df: Double
    public var mse: Double

    public init(groups: [[Double]], method: PostHocMethod) throws(StatisticsError) {
        let anova = try OneWayANOVA(groups: groups)
        self.init(anova: anova, method: method)
    }

    public init(anova: OneWayANOVA, method: PostHocMethod) {
        self.method = method
        df = anova.dfWithin
        mse = anova.msWithin
        let k = anova.groupMeans.count
        let pairCount = Double(k * (k - 1) / 2)
        let t = StudentT(df: df)
        let range = StudentizedRange(groups: k, df: df)
        var pairs: [PairwiseComparison] = []
        for a in 0..<k {
            for b in (a + 1)..<k {
                let diff = anova.groupMeans[a] - anova.groupMeans[b]
                let se = (mse * (1 / Double(anova.groupSizes[a]) + 1 / Double(anova.groupSizes[b]))).squareRoot()
                var pair = PairwiseComparison(a: a, b: b, diff: diff, se: se, statistic: diff / se, p: 0)
                switch method {
                case .lsd:
                    pair.p = t.twoSided(diff / se)
                    let q = t.quantile(0.975)
                    (pair.ciLow, pair.ciHigh) = (diff - q * se, diff + q * se)
                case .bonferroni:
                    pair.p = min(1, t.twoSided(diff / se) * pairCount)
                    let q = t.quantile(1 - 0.025 / pairCount)
                    (pair.ciLow, pair.ciHigh) = (diff - q * se, diff + q * se)
                case .tukey:
                    pair.statistic = abs(diff) / (se / 2.0.squareRoot())
                    pair.p = range.uppertail(pair.statistic)
                }
                pairs.append(pair)
            }
        }
        self.pairs = pairs
    }
}
