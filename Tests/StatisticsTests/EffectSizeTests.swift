import XCTest

@testable import Statistics

/// Noncentral F and chi-square CDFs and the effect-size intervals built on them, against SciPy 1.17.1
/// (`scipy.stats.ncf.cdf`, `scipy.stats.ncx2.cdf`, Boost's algorithms) and intervals found independently with
/// `scipy.optimize.brentq` on those CDFs (xtol 1e-14); the script is in the comments of each test.
final class EffectSizeTests: XCTestCase {
    func testNoncentralF() {
        // stats.ncf.cdf(f, d1, d2, lam)
        let cases: [(Double, Double, Double, Double, Double)] = [
            (2.5, 2, 117, 0.0, 0.9135384896589257),
            (2.5, 2, 117, 5.0, 0.4071787817768845),
            (7.3, 2, 117, 14.2, 0.46551157297393564),
            (1.2, 3, 20, 40.0, 3.41937622999361e-06),
            (0.5, 4, 10, 2.0, 0.13829576124894247),
            (150.0, 5, 50, 2000.0, 8.066186106289862e-09),
            (30.0, 2, 117, 500.0, 1.6571304912366957e-38),
        ]
        for (f, df1, df2, lambda, expected) in cases {
            let value = NoncentralF(df1: df1, df2: df2, noncentrality: lambda).cdf(f)
            assertClose(value, expected, rel: 1e-9, "ncf(\(f), \(df1), \(df2), \(lambda))")
        }
        // λ = 0 is the central F.
        assertClose(NoncentralF(df1: 2, df2: 27, noncentrality: 0).cdf(3.2),
                    1 - FDistribution(df1: 2, df2: 27).uppertail(3.2), rel: 1e-14)
    }

    func testNoncentralChiSquare() {
        // stats.ncx2.cdf(x, k, lam)
        let cases: [(Double, Double, Double, Double)] = [
            (3.0, 2, 0.0, 0.7768698398515702),
            (3.0, 2, 4.0, 0.2902546197658882),
            (10.0, 4, 2.5, 0.8182512340882735),
            (80.0, 3, 60.0, 0.8594805798042658),
            (0.2, 1, 1.0, 0.2162862846057853),
            (900.0, 6, 800.0, 0.9484388215755575),
        ]
        for (x, df, lambda, expected) in cases {
            assertClose(NoncentralChiSquared(df: df, noncentrality: lambda).cdf(x), expected, rel: 1e-10,
                        "ncx2(\(x), \(df), \(lambda))")
        }
    }

    func testEtaSquaredInterval() throws {
        // F, p = stats.f_oneway(*g); bounds: brentq on ncf.cdf(F, 2, N-3, λ) = 0.975 and 0.025, η² = λ/(λ+N).
        let groups: [[Double]] = [
            [7.1, 6.8, 8.0, 7.4, 6.5, 7.9, 8.3, 7.0],
            [6.2, 6.9, 5.8, 7.1, 6.6, 6.0, 6.4, 7.2],
            [6.1, 5.5, 6.8, 6.3, 5.9, 6.7, 5.2, 6.0],
        ]
        let anova = try OneWayANOVA(groups: groups)
        assertClose(anova.f, 10.96722518873136, rel: 1e-12)
        let eta = EffectSizeInterval.etaSquared(anova)
        assertClose(eta.estimate, 0.5108822911350603, rel: 1e-12)
        assertClose(eta.low, 0.14940534762288493, rel: 1e-7)
        assertClose(eta.high, 0.6698525176179052, rel: 1e-7)
        XCTAssertEqual(eta.confidence, 0.95)
    }

    func testCramersVInterval() throws {
        // chi2_contingency(t, correction=False); V = sqrt(X²/(n(k-1))); bounds from ncx2 as above.
        let twoByThree = try ChiSquareTest(table: [[2, 5, 10], [38, 35, 30]])
        let v = EffectSizeInterval.cramersV(twoByThree)
        assertClose(v.estimate, 0.23657560794653212, rel: 1e-12)
        XCTAssertEqual(v.low, 0, "X² below its 97.5th central percentile: the lower bound is 0")
        assertClose(v.high, 0.4019225932772282, rel: 1e-7)

        let threeByThree = try ChiSquareTest(table: [[12, 5, 9], [8, 15, 11], [10, 10, 20]])
        let v3 = EffectSizeInterval.cramersV(threeByThree)
        assertClose(v3.estimate, 0.20435492444100312, rel: 1e-12)
        XCTAssertEqual(v3.low, 0)
        assertClose(v3.high, 0.3130720188975755, rel: 1e-7)

        let strong = try ChiSquareTest(table: [[25, 8, 3], [10, 20, 30]])
        let vs = EffectSizeInterval.cramersV(strong)
        assertClose(strong.statistic, 29.506493506493506, rel: 1e-12)
        assertClose(vs.estimate, 0.5543999525246258, rel: 1e-12)
        assertClose(vs.low, 0.34241889726710817, rel: 1e-7)
        assertClose(vs.high, 0.7463352595975262, rel: 1e-7)
    }
}
