import Foundation

/// Kruskal–Wallis rank sum test with the tie correction (R's kruskal.test).
public enum KruskalWallis {
    public static func test(groups: [[Double]]) throws(StatisticsError) -> TestResult {
        let groups = groups.filter { !$0.isEmpty }
        guard groups.count >= 2 else { throw .tooFewObservations(test: "Kruskal–Wallis", needed: 2, got: groups.count) }
        let all = groups.flatMap { $0 }
        let n = Double(all.count)
        let ranking = Ranking(all)
        var offset = 0
        var sum = 0.0
        for group in groups {
            let rankSum = ranking.ranks[offset..<(offset + group.count)].reduce(0, +)
            sum += rankSum * rankSum / Double(group.count)
            offset += group.count
        }
        let h = 12 / (n * (n + 1)) * sum - 3 * (n + 1)
        let correction = 1 - ranking.tieSum / (n * n * n - n)
        guard correction > 0 else { throw .degenerate(test: "Kruskal–Wallis", reason: "all values are tied") }
        let statistic = h / correction
        let df = Double(groups.count - 1)
        return TestResult(statisticName: "H", statistic: statistic, df: [df], p: ChiSquared(df: df).uppertail(statistic),
                          n: all.count)
    }
}

/// Wilcoxon–Mann–Whitney rank sum test (R's wilcox.test for two samples, two-sided): exact P when both
/// samples have fewer than 50 values and there are no ties, otherwise the normal approximation with tie and
/// continuity corrections. The statistic is W = rank sum of x − nₓ(nₓ+1)/2.
public enum MannWhitney {
    public static func test(_ x: [Double], _ y: [Double]) throws(StatisticsError) -> TestResult {
        guard !x.isEmpty, !y.isEmpty else {
            throw .tooFewObservations(test: "Mann–Whitney", needed: 1, got: min(x.count, y.count))
        }
        let ranking = Ranking(x + y)
        let nx = Double(x.count), ny = Double(y.count)
        let w = ranking.ranks[0..<x.count].reduce(0, +) - nx * (nx + 1) / 2
        let p: Double
        if x.count < 50 && y.count < 50 && ranking.ties.isEmpty {
            let distribution = exactDistribution(x.count, y.count)
            let total = distribution.reduce(0, +)
            let index = Int(w.rounded())
            let lower = distribution[0...index].reduce(0, +) / total
            let upper = distribution[index...].reduce(0, +) / total
            p = min(1, 2 * min(lower, upper))
        } else {
            let n = nx + ny
            let z0 = w - nx * ny / 2
            let sigma = (nx * ny / 12 * ((n + 1) - ranking.tieSum / (n * (n - 1)))).squareRoot()
            guard sigma > 0 else { throw .degenerate(test: "Mann–Whitney", reason: "all values are tied") }
            let correction = z0 > 0 ? 0.5 : (z0 < 0 ? -0.5 : 0)
            let z = (z0 - correction) / sigma
            p = min(1, 2 * min(Normal.cdf(z), Normal.uppertail(z)))
        }
        return TestResult(statisticName: "W", statistic: w, df: [], p: p, n: x.count + y.count)
    }

    /// Number of ways each value of W = 0…m·n arises (counts as Double; exact for m, n < 50).
    static func exactDistribution(_ m: Int, _ n: Int) -> [Double] {
        // counts[i][j][w]: orderings of i x's and j y's with statistic w. The largest value is either an x,
        // which exceeds all j y's (adds j), or a y (adds nothing). Only rows i − 1 and i are kept.
        var previous: [[Double]] = (0...n).map { _ in [1] }
        for i in 1...max(1, m) where m > 0 {
            var current: [[Double]] = [[1]]
            for j in 1...max(1, n) where n > 0 {
                var counts = [Double](repeating: 0, count: i * j + 1)
                for (w, c) in previous[j].enumerated() { counts[w + j] += c }
                for (w, c) in current[j - 1].enumerated() { counts[w] += c }
                current.append(counts)
            }
            previous = current
        }
        return previous[n]
    }
}
