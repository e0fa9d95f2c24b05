import Foundation

/// The Wilson score interval for a binomial proportion (Wilson 1927), the interval of R's
/// `prop.test(x, n, correct = FALSE)`: unlike the Wald interval it stays inside [0, 1] and keeps its coverage for
/// counts near 0 or n, which the small per-group totals of the study and the audit have.
public struct WilsonInterval: Sendable, Equatable {
    /// Successes.
    public let count: Int
    /// Trials; 0 gives NaN bounds (there is no proportion to bound).
    public let total: Int
    /// Two-sided confidence level in (0, 1), e.g. 0.95.
    public let confidence: Double
    /// Lower bound as a proportion in [0, 1], NaN when `total` is 0.
    public let lower: Double
    /// Upper bound as a proportion in [0, 1], NaN when `total` is 0.
    public let upper: Double

    /// The interval for `count` of `total` at `confidence` (default 95 %).
    public init(count: Int, total: Int, confidence: Double = 0.95) {
        self.count = count
        self.total = total
        self.confidence = confidence
        guard total > 0 else {
            lower = .nan
            upper = .nan
            return
        }
        let z = Normal.quantile(0.5 + confidence / 2), p = Double(count) / Double(total), n = Double(total)
        let centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        let half = z / (1 + z * z / n) * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot()
        lower = max(0, centre - half)
        upper = min(1, centre + half)
    }
}
