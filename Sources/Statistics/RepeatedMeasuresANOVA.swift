import Foundation

/// One-way repeated-measures ANOVA (subjects × conditions, complete cases) with Mauchly's sphericity test and the
/// Greenhouse–Geisser and Huynh–Feldt corrections, as SPSS GLM reports them.
public struct RepeatedMeasuresANOVA: Sendable, Codable, Equatable {
    public var ssConditions: Double
    public var ssSubjects: Double
    public var ssError: Double
    public var dfConditions: Double
    public var dfError: Double
    public var f: Double
    public var p: Double
    public var n: Int
    public var mauchlyW: Double
    public var mauchlyChiSquare: Double
    public var mauchlyDF: Double
    public var mauchlyP: Double
    public var epsilonGG: Double
    public var epsilonHF: Double
    public var pGG: Double
    public var pHF: Double
    /// Paired t tests between every two conditions (a < b), P values Bonferroni-adjusted for the number of pairs.
    public var pairs: [PairwiseComparison]

    /// `rows[i][j]`: subject i under condition j.
    public init(rows: [[Double]]) throws(StatisticsError) {
        guard let k = rows.first?.count, k >= 2, rows.allSatisfy({ $0.count == k }) else {
            throw .invalidArgument("repeated measures: every subject needs the same number (≥ 2) of conditions")
        }
        let n = rows.count
        // Mauchly's test and the Huynh–Feldt ε need more subjects than conditions (n − 1 ≥ k): with fewer the
        // covariance of the contrasts is singular and ε̃'s denominator n − 1 − (k − 1)ε̂ can reach zero.
        guard n >= k + 1 else {
            throw .tooFewObservations(test: "repeated-measures ANOVA of \(k) conditions (subjects)", needed: k + 1, got: n)
        }
        guard rows.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
            throw .invalidArgument("repeated measures: values must be finite numbers")
        }
        let shift = rows[0][0]
        let data = rows.map { $0.map { $0 - shift } }
        let grand = CompensatedSum.of(data.lazy.flatMap { $0 }) / Double(n * k)
        let conditionMeans = (0..<k).map { j in CompensatedSum.of(data.lazy.map { $0[j] }) / Double(n) }
        let subjectMeans = data.map { CompensatedSum.of($0) / Double(k) }
        let total = CompensatedSum.of(data.lazy.flatMap { $0 }.map { ($0 - grand) * ($0 - grand) })
        ssConditions = Double(n) * CompensatedSum.of(conditionMeans.map { ($0 - grand) * ($0 - grand) })
        ssSubjects = Double(k) * CompensatedSum.of(subjectMeans.map { ($0 - grand) * ($0 - grand) })
        ssError = max(0, total - ssConditions - ssSubjects)
        dfConditions = Double(k - 1)
        dfError = Double((n - 1) * (k - 1))
        guard ssError > 0 else { throw .degenerate(test: "repeated-measures ANOVA", reason: "no residual variation") }
        f = (ssConditions / dfConditions) / (ssError / dfError)
        p = FDistribution(df1: dfConditions, df2: dfError).uppertail(f)
        self.n = n

        // Covariance of the conditions, transformed by orthonormal (Helmert) contrasts.
        var covariance = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for a in 0..<k {
            for b in 0..<k {
                covariance[a][b] = CompensatedSum.of(data.lazy.map { ($0[a] - conditionMeans[a]) * ($0[b] - conditionMeans[b]) })
                    / Double(n - 1)
            }
        }
        let contrasts = Self.helmert(k)
        let q = k - 1
        var transformed = [[Double]](repeating: [Double](repeating: 0, count: q), count: q)
        for a in 0..<q {
            for b in 0..<q {
                var sum = 0.0
                for i in 0..<k { for j in 0..<k { sum += contrasts[a][i] * covariance[i][j] * contrasts[b][j] } }
                transformed[a][b] = sum
            }
        }
        let trace = (0..<q).reduce(0) { $0 + transformed[$1][$1] }
        let traceOfSquare = transformed.flatMap { $0 }.reduce(0) { $0 + $1 * $1 }
        let p = Double(q)
        epsilonGG = trace * trace / (p * traceOfSquare)
        let nn = Double(n)
        epsilonHF = min(1, (nn * p * epsilonGG - 2) / (p * (nn - 1 - p * epsilonGG)))
        mauchlyW = max(0, min(1, Self.determinant(transformed) / pow(trace / p, p)))
        let correction = 1 - (2 * p * p + p + 2) / (6 * p * (nn - 1))
        mauchlyChiSquare = -(nn - 1) * correction * log(mauchlyW)
        mauchlyDF = p * (p + 1) / 2 - 1
        mauchlyP = mauchlyDF > 0 ? ChiSquared(df: mauchlyDF).uppertail(mauchlyChiSquare) : 1
        pGG = FDistribution(df1: dfConditions * epsilonGG, df2: dfError * epsilonGG).uppertail(f)
        pHF = FDistribution(df1: dfConditions * epsilonHF, df2: dfError * epsilonHF).uppertail(f)
        var pairs: [PairwiseComparison] = []
        let pairCount = Double(k * (k - 1) / 2)
        for a in 0..<k {
            for b in (a + 1)..<k {
                let test = try TTest.paired(data.map { $0[a] }, data.map { $0[b] })
                let diff = conditionMeans[a] - conditionMeans[b]
                pairs.append(PairwiseComparison(a: a, b: b, diff: diff, se: diff / test.statistic, statistic: test.statistic,
                                                p: min(1, test.p * pairCount)))
            }
        }
        self.pairs = pairs
    }

    /// Orthonormal Helmert contrasts: k − 1 rows of length k.
    static func helmert(_ k: Int) -> [[Double]] {
        (1..<k).map { r in
            var row = [Double](repeating: 0, count: k)
            let norm = (Double(r) * Double(r + 1)).squareRoot()
            for i in 0..<r { row[i] = 1 / norm }
            row[r] = -Double(r) / norm
            return row
        }
    }

    /// Determinant by Gaussian elimination with partial pivoting.
    static func determinant(_ matrix: [[Double]]) -> Double {
        var a = matrix
        let n = a.count
        var det = 1.0
        for column in 0..<n {
            let pivot = (column..<n).max { abs(a[$0][column]) < abs(a[$1][column]) }!
            if a[pivot][column] == 0 { return 0 }
            if pivot != column {
                a.swapAt(pivot, column)
                det = -det
            }
            det *= a[column][column]
            for row in (column + 1)..<n {
                let factor = a[row][column] / a[column][column]
                for c in column..<n { a[row][c] -= factor * a[column][c] }
            }
        }
        return det
    }

    public var result: TestResult {
        TestResult(statisticName: "F", statistic: f, df: [dfConditions, dfError], p: p, n: n)
    }
}
