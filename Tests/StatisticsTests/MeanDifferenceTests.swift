import XCTest

@testable import Statistics

/// The mean difference of the t tests and its 95 % confidence interval, against R 4.2.2:
///   s <- t.test(g1, g3, var.equal = TRUE); w <- t.test(g1, g3); p <- t.test(g1, g3[1:10], paired = TRUE)
///   c(s$estimate[1] - s$estimate[2], s$conf.int) …  (options(digits = 17))
final class MeanDifferenceTests: XCTestCase {
    func testStudentWelchAndPairedAgreeWithR() throws {
        let g1 = ReferenceData.g1, g3 = ReferenceData.g3
        let student = try MeanDifference.independent(g1, g3)
        assertClose(student.difference, -3.72636363636362944)
        assertClose(student.ciLow, -7.20107902483403706)
        assertClose(student.ciHigh, -0.25164824789322165)
        let welch = try MeanDifference.independent(g1, g3, equalVariances: false)
        assertClose(welch.ciLow, -7.35182562323593292)
        assertClose(welch.ciHigh, -0.10090164949132555)
        assertClose(welch.df, 14.709969892496551)
        let paired = try MeanDifference.paired(g1, Array(g3[0..<10]))
        assertClose(paired.difference, -3.579999999999999627)
        assertClose(paired.ciLow, -7.206482453706441582)
        assertClose(paired.ciHigh, 0.046482453706442342)
    }

    func testALevelOutsideZeroToOneIsRefused() {
        XCTAssertThrowsError(try MeanDifference.independent([1, 2, 3], [4, 5, 6], level: 1))
    }
}
