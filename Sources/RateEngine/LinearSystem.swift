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
}
