/// Shewhart p-chart of a proportion over subgroups (periods) of unequal size: the centre line is the pooled
/// proportion p̄ = Σxᵢ / Σnᵢ and each subgroup's control limits are p̄ ± k·√(p̄(1 − p̄)/nᵢ) (k = 3 by default),
/// clipped to [0, 1] (Montgomery, Introduction to Statistical Quality Control, ch. 7).
public struct PChart: Sendable, Equatable {
    /// One subgroup: events of a total.
    public struct Subgroup: Sendable, Equatable {
        public var count: Int
        public var total: Int
        public var proportion: Double { total > 0 ? Double(count) / Double(total) : .nan }
        public var lower: Double
        public var upper: Double
        /// Whether the proportion lies outside its limits (a signal of special-cause variation).
        public var isOutOfControl: Bool { total > 0 && (proportion < lower || proportion > upper) }
    }

    /// The pooled proportion p̄.
    public var centre: Double
    public var sigmas: Double
    public var subgroups: [Subgroup]

    /// The chart of `counts[i]` events in `totals[i]`; a subgroup with no total gets no limits (NaN).
    public init(counts: [Int], totals: [Int], sigmas: Double = 3) throws(StatisticsError) {
        guard counts.count == totals.count, !counts.isEmpty else {
            throw .invalidArgument("a p-chart needs one count and one total per subgroup")
        }
        for (count, total) in zip(counts, totals) where count < 0 || total < 0 || count > total {
            throw .invalidArgument("a p-chart's counts must lie between 0 and their totals (got \(count) of \(total))")
        }
        let events = counts.reduce(0, +), all = totals.reduce(0, +)
        guard all > 0 else { throw .invalidArgument("a p-chart needs at least one observation") }
        let centre = Double(events) / Double(all)
        self.centre = centre
        self.sigmas = sigmas
        subgroups = zip(counts, totals).map { count, total in
            guard total > 0 else { return Subgroup(count: count, total: total, lower: .nan, upper: .nan) }
            let half = sigmas * (centre * (1 - centre) / Double(total)).squareRoot()
            return Subgroup(count: count, total: total, lower: max(0, centre - half), upper: min(1, centre + half))
        }
    }
}
