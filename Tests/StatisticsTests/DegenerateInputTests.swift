import XCTest

@testable import Statistics

/// Degenerate input gives a clear refusal or an undefined value with its reason, never a trap or a NaN that
/// breaks JSON.
final class DegenerateInputTests: XCTestCase {
    func testRepeatedMeasuresWithTwoSubjectsIsRefused() {
        XCTAssertThrowsError(try RepeatedMeasuresANOVA(rows: [[1, 2, 4], [2, 3, 3]])) { error in
            XCTAssertEqual(error as? StatisticsError,
                           .tooFewObservations(test: "repeated-measures ANOVA of 3 conditions (subjects)", needed: 4, got: 2))
        }
        XCTAssertThrowsError(try RepeatedMeasuresANOVA(rows: [[1, 2], [2, 4]]))
        XCTAssertThrowsError(try RepeatedMeasuresANOVA(rows: [[1, 2, 3], [2, .nan, 3], [3, 4, 1], [1, 1, 2]]))
        XCTAssertThrowsError(try RepeatedMeasuresANOVA(rows: [[1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3]]),
                             "no residual variation")
    }

    func testRepeatedMeasuresWithOneMoreSubjectThanConditionsMatchesR() throws {
        // R 4.2.2: summary(aov(y ~ c + Error(s/c))) gives F = 11.4 on (2, 6), pf(11.4, 2, 6, lower.tail = FALSE) =
        // 0.00904224537037038; mauchly.test on the same 4 × 3 matrix gives W = 0.72.
        let rm = try RepeatedMeasuresANOVA(rows: [[1, 2, 4], [2, 3, 3], [3, 5, 6], [2, 2, 5]])
        XCTAssertEqual(rm.f, 11.4, accuracy: 1e-10)
        XCTAssertEqual(rm.p, 0.00904224537037037, accuracy: 1e-12)
        XCTAssertEqual(rm.mauchlyW, 0.72, accuracy: 1e-10)
        XCTAssertTrue(rm.epsilonHF.isFinite && rm.pHF.isFinite && rm.pGG.isFinite)
    }

    func testSummariesOfOneOrNoObservationSayWhyTheyAreUndefined() {
        let one = Descriptive([5.0])
        XCTAssertEqual(one.mean, 5)
        XCTAssertTrue(one.sd.isNaN)
        XCTAssertEqual(one.undefinedReason, "one observation: the SD and SE need at least two")
        XCTAssertEqual(Descriptive([Double]()).undefinedReason, "no observations")
        XCTAssertNil(Descriptive([1.0, 2]).undefinedReason)
    }
}
