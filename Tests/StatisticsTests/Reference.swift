import XCTest

/// Asserts |actual − expected| ≤ rel·|expected| (or ≤ rel when expected is 0).
func assertClose(_ actual: Double, _ expected: Double, rel: Double = 1e-10, _ message: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    let tolerance = expected == 0 ? rel : rel * abs(expected)
    XCTAssertEqual(actual, expected, accuracy: tolerance, message, file: file, line: line)
}

/// Data shared by the reference tests. The expected numbers were computed with R 4.2.2 (`Rscript`), each
/// test naming the R call; they are not produced by this package.
enum ReferenceData {
    static let g1 = [74.1, 68.3, 80.2, 71.5, 77.9, 69.4, 75.0, 82.3, 70.8, 73.6]
    static let g2 = [72.4, 65.1, 78.8, 70.2, 74.5, 68.9, 71.3, 76.6, 69.0]
    static let g3 = [75.5, 79.1, 81.4, 73.3, 77.2, 80.6, 74.8, 78.9, 76.1, 82.0, 79.5]
    static var groups: [[Double]] { [g1, g2, g3] }
    /// y <- c(g1, g2, g3) in R.
    static var pooled: [Double] { g1 + g2 + g3 }
}
