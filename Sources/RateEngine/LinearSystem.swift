/// Small dense linear systems, for least-squares fits of a few coefficients.
enum LinearSystem {
    /// Solves an n × (n + 1) augmented matrix [A | b] by Gauss–Jordan elimination with partial pivoting; nil when
    /// A is singular (a pivot under 1e-12).
    static func solve(_ augmented: [[Double]]) -> [Double]? {
        var m = augmented
        let n = m.count
        for column in 0..<n {
            guard let pivot = (column..<n).max(by: { abs(m[$0][column]) < abs(m[$1][column]) }),
                  abs(m[pivot][column]) > 1e-12 else { return nil }
            m.swapAt(pivot, column)
            for row in 0..<n where row != column {
                let factor = m[row][column] / m[column][column]
                for c in column...n { m[row][c] -= factor * m[column][c] }
            }
        }
        return (0..<n).map { m[$0][n] / m[$0][$0] }
    }

    /// Least-squares coefficients c minimising Σ (c · row − value)² over the rows (each with the same number of
    /// features), by the normal equations; nil when they are singular.
    static func leastSquares(_ rows: [[Double]], _ values: [Double]) -> [Double]? {
        guard let unknowns = rows.first?.count else { return nil }
        var normal = [[Double]](repeating: [Double](repeating: 0, count: unknowns + 1), count: unknowns)
        for (row, value) in zip(rows, values) {
            for r in 0..<unknowns {
                for c in 0..<unknowns { normal[r][c] += row[r] * row[c] }
                normal[r][unknowns] += row[r] * value
            }
        }
        return solve(normal)
    }
}
