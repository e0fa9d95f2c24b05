import Foundation

/// Pearson's chi-square test of independence for an r×c table of counts (R's chisq.test).
public struct ChiSquareTest: Sendable, Codable, Equatable {
    public var statistic: Double
    public var df: Double
    public var p: Double
    public var n: Int
    public var expected: [[Double]]
    /// Smallest expected count; below 5 the approximation is doubtful (see `warnings`).
    public var expectedMin: Double
    public var warnings: [String]
    public var yates: Bool

    /// `yates` applies the continuity correction (2×2 tables only, as R does).
    public init(table: [[Int]], yates: Bool = false) throws(StatisticsError) {
        let (rows, columns, total) = try Self.margins(table)
        let r = table.count, c = table[0].count
        var expected = [[Double]](repeating: [Double](repeating: 0, count: c), count: r)
        var statistic = 0.0
        let useYates = yates && r == 2 && c == 2
        var correction = 0.0
        if useYates {
            var smallest = Double.infinity
            for i in 0..<r {
                for j in 0..<c {
                    let e = Double(rows[i]) * Double(columns[j]) / Double(total)
                    smallest = min(smallest, abs(Double(table[i][j]) - e))
                }
            }
            correction = min(0.5, smallest)
        }
        for i in 0..<r {
            for j in 0..<c {
                let e = Double(rows[i]) * Double(columns[j]) / Double(total)
                expected[i][j] = e
                let d = abs(Double(table[i][j]) - e) - correction
                statistic += d * d / e
            }
        }
        self.statistic = statistic
        df = Double((r - 1) * (c - 1))
        p = ChiSquared(df: df).uppertail(statistic)
        n = total
        self.expected = expected
        expectedMin = expected.flatMap { $0 }.min() ?? .nan
        let small = expected.flatMap { $0 }.filter { $0 < 5 }.count
        warnings = small > 0
            ? ["\(small) of \(r * c) expected counts are below 5 (smallest \(String(format: "%.2f", expectedMin))); "
               + "the chi-square approximation may be inaccurate: consider Fisher's exact test"]
            : []
        self.yates = useYates
    }

    static func margins(_ table: [[Int]]) throws(StatisticsError) -> ([Int], [Int], Int) {
        guard table.count >= 2, let width = table.first?.count, width >= 2, table.allSatisfy({ $0.count == width }) else {
            throw .invalidArgument("contingency table must be at least 2×2 and rectangular")
        }
        guard table.allSatisfy({ $0.allSatisfy { $0 >= 0 } }) else { throw .invalidArgument("counts must be ≥ 0") }
        let rows = table.map { $0.reduce(0, +) }
        let columns = (0..<width).map { j in table.reduce(0) { $0 + $1[j] } }
        guard rows.allSatisfy({ $0 > 0 }), columns.allSatisfy({ $0 > 0 }) else {
            throw .degenerate(test: "contingency table", reason: "a row or column is empty")
        }
        return (rows, columns, rows.reduce(0, +))
    }

    public var result: TestResult {
        TestResult(statisticName: "chi-square", statistic: statistic, df: [df], p: p, n: n)
    }
}

/// Fisher's exact test (2×2) and its Freeman–Halton extension to r×c tables (two-sided, as R's fisher.test:
/// the P value sums the probabilities of all tables with the observed margins that are no more likely than
/// the observed one, with a relative tolerance of 1e-7).
public enum FisherExactTest {
    /// Largest number of tables the exact enumeration visits before giving up.
    public static let tableLimit = 50_000_000

    public static func test(table: [[Int]]) throws(StatisticsError) -> TestResult {
        let (rows, columns, total) = try ChiSquareTest.margins(table)
        var estimate = 1.0
        for i in 0..<(rows.count - 1) {
            for j in 0..<(columns.count - 1) { estimate *= Double(min(rows[i], columns[j]) + 1) }
        }
        guard estimate <= Double(tableLimit) * 50 else {
            throw .tooLarge("Fisher's exact test: table too large to enumerate (about \(Int(estimate)) tables); "
                            + "use the chi-square test")
        }
        let logConstant = rows.reduce(0.0) { $0 + logFactorial($1) } + columns.reduce(0.0) { $0 + logFactorial($1) }
            - logFactorial(total)
        func logProbability(_ cells: [[Int]]) -> Double {
            logConstant - cells.reduce(0.0) { $0 + $1.reduce(0.0) { $0 + logFactorial($1) } }
        }
        let observed = logProbability(table)
        let threshold = observed + log1p(1e-7)
        var p = CompensatedSum()
        var visited = 0
        var remainingColumns = columns
        var tooMany = false
        // Fill row by row, cell by cell; the last cell of each row and the last row are determined.
        func fill(row: Int, column: Int, rowLeft: Int, partial: Double) {
            if tooMany { return }
            if row == rows.count - 1 {
                var value = partial
                for j in 0..<columns.count { value -= logFactorial(remainingColumns[j]) }
                visited += 1
                if visited > tableLimit { tooMany = true }
                if value <= threshold { p.add(exp(value)) }
                return
            }
            if column == columns.count - 1 {
                guard rowLeft <= remainingColumns[column] else { return }
                remainingColumns[column] -= rowLeft
                fill(row: row + 1, column: 0, rowLeft: rows[row + 1], partial: partial - logFactorial(rowLeft))
                remainingColumns[column] += rowLeft
                return
            }
            // What the later columns of this row can still take bounds this cell from below.
            let laterCapacity = remainingColumns[(column + 1)...].reduce(0, +)
            let low = max(0, rowLeft - laterCapacity), high = min(rowLeft, remainingColumns[column])
            if low > high { return }
            for value in low...high {
                remainingColumns[column] -= value
                fill(row: row, column: column + 1, rowLeft: rowLeft - value, partial: partial - logFactorial(value))
                remainingColumns[column] += value
            }
        }
        fill(row: 0, column: 0, rowLeft: rows[0], partial: logConstant)
        if tooMany {
            throw .tooLarge("Fisher's exact test: more than \(tableLimit) tables; use the chi-square test")
        }
        return TestResult(statisticName: "table probability", statistic: exp(observed), df: [], p: min(1, p.value), n: total)
    }

    static func logFactorial(_ n: Int) -> Double { lgamma(Double(n) + 1) }
}
