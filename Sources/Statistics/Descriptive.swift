/// How sample quantiles interpolate between order statistics (Hyndman & Fan's numbering).
public enum QuantileMethod: String, Sendable, Codable {
    /// R's default: h = (n − 1)p + 1.
    case type7
    /// SPSS's and Minitab's "weighted average": h = (n + 1)p.
    case type6
}

/// Summary of one numeric variable, missing values counted but left out.
public struct Descriptive: Sendable, Codable, Equatable {
    public var n: Int
    public var missing: Int
    public var mean: Double
    /// Standard deviation with n − 1 in the denominator.
    public var sd: Double
    /// Standard error of the mean, sd / √n.
    public var se: Double
    public var median: Double
    public var q1: Double
    public var q3: Double
    public var min: Double
    public var max: Double

    /// Summarises `values`; nil entries are missing.
    public init(_ values: [Double?], quantiles method: QuantileMethod = .type7) {
        let present = values.compactMap { $0 }
        self.init(present, missing: values.count - present.count, quantiles: method)
    }

    public init(_ values: [Double], missing: Int = 0, quantiles method: QuantileMethod = .type7) {
        n = values.count
        self.missing = missing
        let (mean, ss) = meanAndSumOfSquares(values)
        self.mean = values.isEmpty ? .nan : mean
        sd = values.count > 1 ? (ss / Double(values.count - 1)).squareRoot() : .nan
        se = values.count > 1 ? sd / Double(values.count).squareRoot() : .nan
        let sorted = values.sorted()
        median = Self.quantile(sorted: sorted, 0.5, method: method)
        q1 = Self.quantile(sorted: sorted, 0.25, method: method)
        q3 = Self.quantile(sorted: sorted, 0.75, method: method)
        min = sorted.first ?? .nan
        max = sorted.last ?? .nan
    }

    /// Why some summaries are undefined (NaN), nil when all are defined: the SD and SE need two observations,
    /// every summary needs one.
    public var undefinedReason: String? {
        switch n {
        case 0: "no observations"
        case 1: "one observation: the SD and SE need at least two"
        default: nil
        }
    }

    /// The p-quantile of sorted data.
    public static func quantile(sorted: [Double], _ p: Double, method: QuantileMethod = .type7) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let n = Double(sorted.count)
        let h: Double
        switch method {
        case .type7: h = (n - 1) * p + 1
        case .type6: h = (n + 1) * p
        }
        let lower = Swift.max(1, Swift.min(n, h.rounded(.down)))
        let upper = Swift.max(1, Swift.min(n, lower + 1))
        let fraction = Swift.max(0, Swift.min(1, h - lower))
        let a = sorted[Int(lower) - 1], b = sorted[Int(upper) - 1]
        return a + fraction * (b - a)
    }
}

/// Counts of one category within a total.
public struct Proportion: Sendable, Codable, Equatable {
    public var count: Int
    public var total: Int
    public var percent: Double { total > 0 ? 100 * Double(count) / Double(total) : .nan }

    public init(count: Int, total: Int) {
        self.count = count
        self.total = total
    }
}
