/// One-way ANOVA computed from each group's printed mean, SD and size (as for checking published tables).
public struct SummaryANOVA: Sendable, Equatable {
    public var f: Double
    public var df1: Double
    public var df2: Double
    public var p: Double

    public init(means: [Double], sds: [Double], sizes: [Int]) {
        let n = sizes.map(Double.init), total = n.reduce(0, +)
        let grand = zip(means, n).reduce(0) { $0 + $1.0 * $1.1 } / total
        let between = zip(means, n).reduce(0) { $0 + $1.1 * ($1.0 - grand) * ($1.0 - grand) }
        let within = zip(sds, n).reduce(0) { $0 + ($1.1 - 1) * $1.0 * $1.0 }
        df1 = Double(means.count - 1)
        df2 = total - Double(means.count)
        f = (between / df1) / (within / df2)
        p = FDistribution(df1: df1, df2: df2).uppertail(f)
    }
}
