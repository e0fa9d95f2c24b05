import Statistics
import XCTest

/// p-chart limits against the closed form p̄ ± 3√(p̄(1−p̄)/nᵢ) (Montgomery, ch. 7), evaluated independently in
/// Python 3 (math.sqrt) for these counts: p̄ = 107/450.
final class PChartTests: XCTestCase {
    func testLimitsMatchTheClosedForm() throws {
        let chart = try PChart(counts: [20, 30, 12, 45], totals: [100, 150, 80, 120])
        XCTAssertEqual(chart.centre, 0.23777777777777778, accuracy: 1e-15)
        let expected: [(Double, Double)] = [(0.11006107739934035, 0.3654944781562152), (0.1334975285914128, 0.3420580269641428),
                                            (0.09498616582369818, 0.3805693897318574), (0.12118891483211318, 0.35436664072344237)]
        for (group, limits) in zip(chart.subgroups, expected) {
            XCTAssertEqual(group.lower, limits.0, accuracy: 1e-14)
            XCTAssertEqual(group.upper, limits.1, accuracy: 1e-14)
        }
        XCTAssertEqual(chart.subgroups.map(\.isOutOfControl), [false, false, false, true])
    }

    func testLimitsAreClippedToZeroAndAnEmptyPeriodHasNone() throws {
        // p̄ = 11/85; 3σ for n = 20 is 0.2252 > p̄, so the lower limit is 0 (Python: 0.3545760645798106 upper).
        let chart = try PChart(counts: [2, 5, 1, 3, 0], totals: [20, 25, 10, 30, 0])
        XCTAssertEqual(chart.subgroups[0].lower, 0)
        XCTAssertEqual(chart.subgroups[0].upper, 0.3545760645798106, accuracy: 1e-14)
        XCTAssertTrue(chart.subgroups[4].lower.isNaN)
        XCTAssertFalse(chart.subgroups[4].isOutOfControl)
        XCTAssertThrowsError(try PChart(counts: [3], totals: [2]))
        XCTAssertThrowsError(try PChart(counts: [0], totals: [0]))
    }
}
