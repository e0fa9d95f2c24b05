import Statistics
import XCTest

/// Reference bounds from R 4.2.2, `prop.test(x, n, conf.level = c, correct = FALSE)$conf.int`, printed with
/// `sprintf("%.12f", …)` (the command is in each test).
final class WilsonIntervalTests: XCTestCase {
    private func check(_ ci: WilsonInterval, _ lower: Double, _ upper: Double, file: StaticString = #filePath,
                       line: UInt = #line) {
        XCTAssertEqual(ci.lower, lower, accuracy: 1e-10, file: file, line: line)
        XCTAssertEqual(ci.upper, upper, accuracy: 1e-10, file: file, line: line)
    }

    func testTenOfFortyAt95() {
        // prop.test(10, 40, conf.level = 0.95, correct = FALSE)$conf.int
        check(WilsonInterval(count: 10, total: 40, confidence: 0.95), 0.141871186391, 0.401939614208)
    }

    func testNoneOfTwelveAt95HasLowerBoundZero() {
        // prop.test(0, 12, conf.level = 0.95, correct = FALSE)$conf.int
        check(WilsonInterval(count: 0, total: 12, confidence: 0.95), 0, 0.242494006655)
    }

    func testAllOfSevenAt90HasUpperBoundOne() {
        // prop.test(7, 7, conf.level = 0.90, correct = FALSE)$conf.int
        check(WilsonInterval(count: 7, total: 7, confidence: 0.90), 0.721237304547, 1)
    }

    func testThreeOfTwentyFiveAt99() {
        // prop.test(3, 25, conf.level = 0.99, correct = FALSE)$conf.int
        check(WilsonInterval(count: 3, total: 25, confidence: 0.99), 0.030880058094, 0.368517378237)
    }

    func testDefaultConfidenceIs95() {
        let ci = WilsonInterval(count: 10, total: 40)
        XCTAssertEqual(ci.confidence, 0.95)
        check(ci, 0.141871186391, 0.401939614208)
    }

    func testNoTrialsGiveNaNBounds() {
        let ci = WilsonInterval(count: 0, total: 0)
        XCTAssertTrue(ci.lower.isNaN)
        XCTAssertTrue(ci.upper.isNaN)
    }
}
