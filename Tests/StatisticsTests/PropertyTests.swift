import XCTest

@testable import Statistics

/// Relations that must hold between tests whatever the data.
final class PropertyTests: XCTestCase {
    let groups = ReferenceData.groups

    func testTwoGroupANOVAIsTheSquaredTTest() throws {
        let anova = try OneWayANOVA(groups: [ReferenceData.g1, ReferenceData.g2])
        let t = try TTest.independent(ReferenceData.g1, ReferenceData.g2)
        assertClose(anova.f, t.statistic * t.statistic, rel: 1e-12)
        assertClose(anova.p, t.p, rel: 1e-12)
    }

    func testPearsonPEqualsTheRegressionSlopeP() throws {
        let x = ReferenceData.g2, y = Array(ReferenceData.g3[0..<9])
        let r = try PearsonCorrelation(x, y)
        let fit = try LinearRegression(x: x, y: y)
        assertClose(r.p, fit.p, rel: 1e-12)
        assertClose(r.r * r.r, fit.rSquared, rel: 1e-12)
    }

    func testGroupOrderAndObservationOrderDoNotMatter() throws {
        let shuffled = groups.reversed().map { Array($0.reversed()) }
        assertClose(try OneWayANOVA(groups: shuffled).f, try OneWayANOVA(groups: groups).f, rel: 1e-13)
        assertClose(try KruskalWallis.test(groups: shuffled).statistic, try KruskalWallis.test(groups: groups).statistic,
                    rel: 1e-13)
        assertClose(try LeveneTest.test(groups: shuffled).statistic, try LeveneTest.test(groups: groups).statistic,
                    rel: 1e-12)
    }

    func testLargeOffsetsDoNotCostDigits() throws {
        // Adding 1e9 to every value changes no statistic that is location invariant.
        let shifted = groups.map { $0.map { $0 + 1e9 } }
        assertClose(try OneWayANOVA(groups: shifted).f, try OneWayANOVA(groups: groups).f, rel: 1e-6)
        let d = Descriptive(shifted[0])
        assertClose(d.sd, Descriptive(groups[0]).sd, rel: 1e-6)
    }

    func testDescriptiveQuantilesFollowTheirDefinitions() {
        // R: quantile(g1, c(.25, .5, .75), type = 7) and type = 6
        let d7 = Descriptive(ReferenceData.g1)
        assertClose(d7.q1, 70.975, rel: 1e-14)
        assertClose(d7.median, 73.85, rel: 1e-14)
        assertClose(d7.q3, 77.175, rel: 1e-14)
        let d6 = Descriptive(ReferenceData.g1, quantiles: .type6)
        assertClose(d6.q1, 70.45, rel: 1e-14)
        assertClose(d6.q3, 78.475, rel: 1e-14)
        let withMissing = Descriptive([1, nil, 3, nil] as [Double?])
        XCTAssertEqual(withMissing.n, 2)
        XCTAssertEqual(withMissing.missing, 2)
        XCTAssertEqual(withMissing.mean, 2)
    }
}
