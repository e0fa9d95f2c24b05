import XCTest

@testable import Statistics

/// Distribution functions against R 4.2.2 (pt, pf, pchisq, pnorm, qnorm, qt, pbeta, lbeta) and the studentized
/// range against arbitrary-precision (mpmath) values published with SciPy's test data.
final class DistributionTests: XCTestCase {
    func testNormal() {
        // pnorm(-37), pnorm(-8), pnorm(0.3), pnorm(5, lower.tail = FALSE)
        assertClose(Normal.cdf(-37), 5.7255712225245771e-300, rel: 1e-12)
        assertClose(Normal.cdf(-8), 6.2209605742717849e-16, rel: 1e-13)
        assertClose(Normal.cdf(0.3), 0.61791142218895267, rel: 1e-14)
        assertClose(Normal.uppertail(5), 2.8665157187919391e-07, rel: 1e-13)
        // qnorm(1e-300), qnorm(0.975), qnorm(0.3), qnorm(1e-10), qnorm(0.999999)
        assertClose(Normal.quantile(1e-300), -37.047096299361201, rel: 1e-14)
        assertClose(Normal.quantile(0.975), 1.9599639845400536, rel: 1e-14)
        assertClose(Normal.quantile(0.3), -0.52440051270804067, rel: 1e-14)
        assertClose(Normal.quantile(1e-10), -6.3613409024040557, rel: 1e-14)
        assertClose(Normal.quantile(0.999999), 4.7534243088170891, rel: 1e-12)
    }

    func testStudentFChiSquare() {
        // pt(-40, 3), pt(2.5, 17, lower.tail = FALSE), pt(1e-3, 5), pt(-300, 10)
        assertClose(StudentT(df: 3).cdf(-40), 1.719034039457927e-05, rel: 1e-12)
        assertClose(StudentT(df: 17).uppertail(2.5), 0.01147390349319247, rel: 1e-12)
        assertClose(StudentT(df: 5).cdf(1e-3), 0.50037960661390124, rel: 1e-14)
        assertClose(StudentT(df: 10).cdf(-300), 2.0827487617146278e-21, rel: 1e-10)
        // qt(0.975, 27), qt(0.995, 3), qt(0.999, 117)
        assertClose(StudentT(df: 27).quantile(0.975), 2.051830516480285, rel: 1e-12)
        assertClose(StudentT(df: 3).quantile(0.995), 5.8409093097333544, rel: 1e-12)
        assertClose(StudentT(df: 117).quantile(0.999), 3.1613529293331029, rel: 1e-12)
        // pf(3.2, 2, 27, lower = FALSE), pf(500, 3, 100, lower = FALSE), pf(0.01, 5, 7, lower = FALSE)
        assertClose(FDistribution(df1: 2, df2: 27).uppertail(3.2), 0.056602226408500836, rel: 1e-12)
        assertClose(FDistribution(df1: 3, df2: 100).uppertail(500), 4.8466962308085713e-60, rel: 1e-10)
        assertClose(FDistribution(df1: 5, df2: 7).uppertail(0.01), 0.99995455681501677, rel: 1e-14)
        // pchisq(1000, 5, lower = FALSE), pchisq(3.5, 2, lower = FALSE), pchisq(0.1, 10, lower = FALSE)
        assertClose(ChiSquared(df: 5).uppertail(1000), 6.0100776879208033e-214, rel: 1e-10)
        assertClose(ChiSquared(df: 2).uppertail(3.5), 0.17377394345044514, rel: 1e-13)
        assertClose(ChiSquared(df: 10).uppertail(0.1), 0.99999999750204871, rel: 1e-14)
    }

    func testIncompleteBetaAndLogBeta() {
        // pbeta(0.3, 200, 300), pbeta(1e-5, 2, 3), pbeta(0.999, 0.5, 40, lower = FALSE), pbeta(0.5, 1000, 1000)
        assertClose(SpecialFunctions.regularizedBeta(0.3, a: 200, b: 300), 1.0496985243292928e-06, rel: 1e-10)
        assertClose(SpecialFunctions.regularizedBeta(1e-5, a: 2, b: 3), 5.9999200003000063e-10, rel: 1e-13)
        assertClose(SpecialFunctions.regularizedBeta(0.999, a: 0.5, b: 40, upper: true), 8.8971290012804506e-122, rel: 1e-10)
        assertClose(SpecialFunctions.regularizedBeta(0.5, a: 1000, b: 1000), 0.5, rel: 1e-13)
        // lbeta(1000, 2000), lbeta(0.5, 30), lbeta(3, 4)
        assertClose(SpecialFunctions.logBeta(1000, 2000), -1911.8746142144516, rel: 1e-14)
        assertClose(SpecialFunctions.logBeta(0.5, 30), -1.1240672740766993, rel: 1e-13)
        assertClose(SpecialFunctions.logBeta(3, 4), -4.0943445622221004, rel: 1e-14)
    }

    func testStudentizedRangeAgainstArbitraryPrecision() {
        // (q, k, ν, P(Q ≤ q)) from SciPy's studentized_range_mpmath_ref.json (mpmath, 1e-11 tolerance there).
        let cases: [(Double, Int, Double, Double)] = [
            (0.1, 3, 3, 0.0027502772229359594), (0.1, 10, 10, 2.8544145010066327e-12),
            (1, 3, 3, 0.22331624289542043), (1, 10, 20, 0.0008732969319364606), (1, 20, 3, 9.2267674885784e-05),
            (4, 3, 3, 0.8711786295203324), (4, 3, 100, 0.9845292772767739), (4, 10, 10, 0.7573606942645745),
            (4, 20, 120, 0.6493671527818267), (10, 3, 3, 0.9881335633712994), (10, 10, 50, 0.9999997977351971),
            (10, 20, 3, 0.9312318042339768),
        ]
        for (q, k, nu, expected) in cases {
            let value = StudentizedRange(groups: k, df: nu).cdf(q)
            XCTAssertEqual(value, expected, accuracy: max(1e-11, 1e-9 * expected), "q=\(q) k=\(k) ν=\(nu)")
        }
    }

    func testProbabilitiesStayInTheUnitInterval() {
        for df in stride(from: 0.5, through: 500, by: 12.25) {
            for x in stride(from: -50.0, through: 50, by: 0.37) {
            for p in [StudentT(df: df).twoSided(x), FDistribution(df1: df, df2: df / 2 + 1).uppertail(abs(x)),
                      ChiSquared(df: df).uppertail(abs(x)), Normal.cdf(x)] {
                XCTAssertTrue((0...1).contains(p), "\(p)")
            }
            }
        }
    }
}
