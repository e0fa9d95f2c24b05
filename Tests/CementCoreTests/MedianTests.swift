import XCTest
import CementCore

final class MedianTests: XCTestCase {
    /// Expected values from R 4.2.2: median(c(3, 1, 2)) = 2, median(c(4, 1, 3, 2)) = 2.5,
    /// median(c(0.1, 0.7, 0.2, 0.4, 0.3, 0.9)) = 0.35.
    func testMedianMatchesR() {
        XCTAssertEqual([3.0, 1, 2].median(), 2)
        XCTAssertEqual([4.0, 1, 3, 2].median(), 2.5)
        XCTAssertEqual([0.1, 0.7, 0.2, 0.4, 0.3, 0.9].median()!, 0.35, accuracy: 1e-15)
        XCTAssertEqual([Float(5)].median(), 5)
        XCTAssertNil([Double]().median())
    }
}
