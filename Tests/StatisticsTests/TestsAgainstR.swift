import XCTest

@testable import Statistics

/// Every test of the module on fixed data against R 4.2.2. The R expressions are given with each value; the
/// data are `ReferenceData` (g1, g2, g3; y <- c(g1, g2, g3); g <- factor(rep(c("a","b","c"), c(10, 9, 11)))).
final class TestsAgainstR: XCTestCase {
    let groups = ReferenceData.groups

    func testOneWayANOVA() throws {
        // anova(lm(y ~ g))
        let anova = try OneWayANOVA(groups: groups)
        assertClose(anova.f, 6.2813213601781595)
        assertClose(anova.p, 0.0057551857655362641)
        assertClose(anova.ssBetween, 194.43921212121222)
        assertClose(anova.ssWithin, 417.89445454545461)
        XCTAssertEqual(anova.dfBetween, 2)
        XCTAssertEqual(anova.dfWithin, 27)
    }

    func testWelchANOVA() throws {
        // oneway.test(y ~ g, var.equal = FALSE)
        let welch = try WelchANOVA(groups: groups)
        assertClose(welch.f, 7.4412664008810054)
        assertClose(welch.df2, 16.150255574945806)
        assertClose(welch.p, 0.0051234139375735416)
    }

    func testPostHocComparisons() throws {
        // pairwise.t.test(y, g, p.adjust.method = "none" / "bonferroni", pool.sd = TRUE)
        let lsd = try PostHoc(groups: groups, method: .lsd).pairs
        assertClose(lsd[0].p, 0.187692200035336487)
        assertClose(lsd[1].p, 0.039157334950751299)
        assertClose(lsd[2].p, 0.0016798427702878387)
        let bonferroni = try PostHoc(groups: groups, method: .bonferroni).pairs
        assertClose(bonferroni[0].p, 0.56307660010600946)
        assertClose(bonferroni[1].p, 0.11747200485225390)
        assertClose(bonferroni[2].p, 0.0050395283108635161)
        // TukeyHSD(aov(y ~ g)): R's ptukey is itself accurate to about 1e-8 here.
        let tukey = try PostHoc(groups: groups, method: .tukey).pairs
        assertClose(tukey[0].p, 0.3798542249247905955, rel: 1e-7)
        assertClose(tukey[1].p, 0.0952028514216410882, rel: 1e-7)
        assertClose(tukey[2].p, 0.0046318006253324162, rel: 1e-6)
    }

    func testLeveneAndBrownForsythe() throws {
        // d <- abs(y - ave(y, g, FUN = mean | median)); anova(lm(d ~ g))
        let levene = try LeveneTest.test(groups: groups, centre: .mean)
        assertClose(levene.statistic, 0.90698195870768339)
        assertClose(levene.p, 0.41569060420780735)
        let brownForsythe = try LeveneTest.test(groups: groups, centre: .median)
        assertClose(brownForsythe.statistic, 0.80214600020626081)
        assertClose(brownForsythe.p, 0.45876426173809803)
    }

    func testKruskalWallis() throws {
        // kruskal.test(y ~ g); with ties: kruskal.test(round(y) ~ g) (R rounds half to even)
        let result = try KruskalWallis.test(groups: groups)
        assertClose(result.statistic, 9.3919061583577559)
        assertClose(result.p, 0.00913215954780504)
        let tied = try KruskalWallis.test(groups: groups.map { $0.map { $0.rounded(.toNearestOrEven) } })
        assertClose(tied.statistic, 9.3771052423678238)
        assertClose(tied.p, 0.0091999923984408608)
    }

    func testTTests() throws {
        let g1 = ReferenceData.g1, g3 = ReferenceData.g3
        // t.test(g1, g3, var.equal = TRUE); t.test(g1, g3); t.test(g1, g3[1:10], paired = TRUE)
        let student = try TTest.independent(g1, g3)
        assertClose(student.statistic, -2.2446064941781683)
        assertClose(student.p, 0.036895517336853444)
        let welch = try TTest.independent(g1, g3, equalVariances: false)
        assertClose(welch.statistic, -2.1945388678677795)
        assertClose(welch.df[0], 14.709969892496551)
        assertClose(welch.p, 0.044688399958659274)
        let paired = try TTest.paired(g1, Array(g3[0..<10]))
        assertClose(paired.statistic, -2.2331619540970031)
        assertClose(paired.p, 0.052425430592438101)
    }

    func testMannWhitney() throws {
        // wilcox.test(g1, g2) (exact); wilcox.test(round(g1), round(g3), exact = FALSE)
        let exact = try MannWhitney.test(ReferenceData.g1, ReferenceData.g2)
        XCTAssertEqual(exact.statistic, 58)
        assertClose(exact.p, 0.31537812033168078)
        let tied = try MannWhitney.test(ReferenceData.g1.map { $0.rounded(.toNearestOrEven) }, ReferenceData.g3.map { $0.rounded(.toNearestOrEven) })
        XCTAssertEqual(tied.statistic, 26.5)
        assertClose(tied.p, 0.048132459919502442)
    }

    func testChiSquare() throws {
        // chisq.test(matrix(c(29, 11, 24, 16, 28, 12), nrow = 2))
        let sex = try ChiSquareTest(table: [[29, 24, 28], [11, 16, 12]])
        assertClose(sex.statistic, 1.5954415954415955)
        assertClose(sex.p, 0.45035424368226951)
        XCTAssertTrue(sex.warnings.isEmpty)
        // chisq.test(matrix(c(2, 38, 5, 35, 10, 30), nrow = 2)): min expected 5.6667
        let secondary = try ChiSquareTest(table: [[2, 5, 10], [38, 35, 30]])
        assertClose(secondary.statistic, 6.7161621930325524)
        assertClose(secondary.p, 0.034801976545982154)
        assertClose(secondary.expectedMin, 5.666666666666667)
        // chisq.test(matrix(c(4, 36, 2, 38), nrow = 2)) with and without Yates; R warns (expected 3 < 5)
        let yates = try ChiSquareTest(table: [[4, 2], [36, 38]], yates: true)
        assertClose(yates.statistic, 0.18018018018018017)
        assertClose(yates.p, 0.67121844226323069)
        XCTAssertEqual(yates.warnings.count, 1)
        let plain = try ChiSquareTest(table: [[4, 2], [36, 38]])
        assertClose(plain.statistic, 0.72072072072072069)
        assertClose(plain.p, 0.39590760142202625)
    }

    func testFisherExact() throws {
        // fisher.test on the 2×2, 2×3, 3×2 and 3×3 tables below
        assertClose(try FisherExactTest.test(table: [[4, 2], [36, 38]]).p, 0.67516028275521967)
        assertClose(try FisherExactTest.test(table: [[2, 5, 10], [38, 35, 30]]).p, 0.042627418009844924)
        assertClose(try FisherExactTest.test(table: [[4, 36], [2, 38], [2, 38]]).p, 0.72815893114866592)
        assertClose(try FisherExactTest.test(table: [[3, 2, 0], [1, 4, 2], [0, 1, 5]]).p, 0.03550303182656097)
    }

    func testCorrelationAndRegression() throws {
        let x = ReferenceData.g1, y = Array(ReferenceData.g3[0..<10])
        // cor.test(x, y)
        let pearson = try PearsonCorrelation(x, y)
        assertClose(pearson.r, 0.16456715260737664)
        assertClose(pearson.t, 0.47190014069249037)
        assertClose(pearson.p, 0.64960134521030566)
        assertClose(pearson.ciLow, -0.51881676590480774)
        assertClose(pearson.ciHigh, 0.71962855880289878)
        // cor.test(x, y, method = "spearman", exact = FALSE), and on rounded data (ties)
        let spearman = try SpearmanCorrelation(x, y)
        assertClose(spearman.rho, -0.0060606060606060597)
        assertClose(spearman.p, 0.98674291119498914)
        let tied = try SpearmanCorrelation(x.map { $0.rounded(.toNearestOrEven) }, y.map { $0.rounded(.toNearestOrEven) })
        assertClose(tied.rho, 0.064418390210327164)
        assertClose(tied.p, 0.85966807690631675)
        // summary(lm(y ~ x)); predict(fit, data.frame(x = 75), interval = "confidence")
        let fit = try LinearRegression(x: x, y: y)
        assertClose(fit.intercept, 70.061386082150804)
        assertClose(fit.slope, 0.10535074576570043)
        assertClose(fit.interceptSE, 16.618505586355017)
        assertClose(fit.slopeSE, 0.2232479643068197)
        assertClose(fit.p, 0.6496013452103051)
        assertClose(fit.rSquared, 0.027082347717299809)
        assertClose(fit.sigma, 3.1005678410432962)
        let band = fit.meanBand(at: 75)
        assertClose(band.fit, 77.962692014578337)
        assertClose(band.low, 75.673954445349494)
        assertClose(band.high, 80.25142958380718)
    }

    func testShapiroWilk() throws {
        // shapiro.test(y[1:n]) for several n, and an outlying sample
        let cases: [(Int, Double, Double)] = [
            (3, 0.99978819542502095, 0.97220386718672447), (4, 0.97195395755794578, 0.85354377444570351),
            (5, 0.97572530502294852, 0.91056088120476975), (7, 0.96262820024635631, 0.84094151370669556),
            (11, 0.94898071840942255, 0.63095560662372852), (12, 0.98153234944566747, 0.9890202041970485),
            (20, 0.98173995653974166, 0.95453211877735766), (30, 0.97145788833635316, 0.57979240069135141),
        ]
        for (n, w, p) in cases {
            let result = try ShapiroWilk.test(Array(ReferenceData.pooled[0..<n]))
            assertClose(result.statistic, w, rel: 1e-9, "W, n = \(n)")
            assertClose(result.p, p, rel: 1e-7, "P, n = \(n)")
        }
        let outlier = try ShapiroWilk.test([1, 2, 3, 4, 5, 6, 7, 8, 9, 100])
        assertClose(outlier.statistic, 0.44852154090720564, rel: 1e-9)
        assertClose(outlier.p, 9.1103078834548105e-07, rel: 1e-6)
    }

    func testRepeatedMeasuresANOVA() throws {
        // Y <- cbind(pre, d1, y1); mauchly.test(lm(Y ~ 1), X = ~1) in R; F, ε (GG, HF) from pingouin 0.5
        // (rm_anova, epsilon); p_GG = pf(F, 2ε, 22ε, lower.tail = FALSE) in R.
        let pre = [7.1, 6.8, 7.5, 8.0, 6.2, 7.7, 7.0, 6.9, 7.3, 8.1, 6.6, 7.4]
        let d1 = [2.3, 2.9, 2.1, 3.0, 1.8, 2.6, 2.2, 2.8, 2.0, 3.1, 1.9, 2.4]
        let y1 = [1.7, 2.5, 1.2, 2.9, 1.6, 1.9, 2.6, 1.3, 2.2, 2.0, 1.1, 2.7]
        let rm = try RepeatedMeasuresANOVA(rows: (0..<12).map { [pre[$0], d1[$0], y1[$0]] })
        assertClose(rm.ssConditions, 202.55055555555549063)
        assertClose(rm.ssError, 3.61611111111110706)
        assertClose(rm.f, 616.14702719311765122)
        assertClose(rm.p, 4.8334417504845751e-20, rel: 1e-8)
        assertClose(rm.mauchlyW, 0.84473527926081227, rel: 1e-10)
        assertClose(rm.mauchlyP, 0.43013339458322281, rel: 1e-10)
        assertClose(rm.epsilonGG, 0.8656024736565554)
        XCTAssertEqual(rm.epsilonHF, 1)
        assertClose(rm.pGG, 1.2776607618079722e-17, rel: 1e-8)
        // Paired comparisons, Bonferroni: pairwise.t.test(c(pre, d1, y1), rep(1:3, each = 12), paired = TRUE,
        // p.adjust.method = "bonferroni") in R 4.2.2.
        XCTAssertEqual(rm.pairs.count, 3)
        assertClose(rm.pairs[0].p, 2.4414064919859699e-12, rel: 1e-8)
        assertClose(rm.pairs[1].p, 4.7726465085004784e-11, rel: 1e-8)
        assertClose(rm.pairs[2].p, 0.068758196477897604)
    }
}
