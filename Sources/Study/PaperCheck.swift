import Foundation
import Statistics

/// One result of auditing a paper's printed numbers against each other.
public struct PaperFinding: Sendable, Encodable, Equatable {
    /// What was recomputed.
    public enum Kind: String, Encodable, Sendable {
        /// A test's P from the printed summaries.
        case pValue = "p_value"
        /// A mean ± SD that data recorded in whole steps cannot give (GRIM/GRIMMER).
        case meanSD = "mean_sd"
        /// A percent from its count.
        case percent
        /// A pairwise claim of the text against the printed summaries.
        case pairwiseClaim = "pairwise_claim"
        /// A correlation printed in two places.
        case correlation
        /// A label naming the other variable.
        case label
        /// A value printed in two places.
        case value
    }


    /// Where the number is printed: table1…table4, abstract_zh, abstract_en, results_2.1…
    public var `where`: String
    /// Cohort column name of the variable.
    public var variable: String
    public var kind: Kind
    public var reported: String
    public var recomputed: String
    /// Range of the recomputed quantity that the printed inputs allow after rounding, when one applies.
    public var recomputedRange: [Double]?
    public var consistent: Bool
    public var note: String?

    enum CodingKeys: String, CodingKey {
        case `where`, variable, kind, reported, recomputed, recomputedRange = "recomputed_range", consistent, note
    }
}

/// A statcheck/GRIM-style audit of a published study: every test that the printed summary statistics allow is
/// recomputed over the whole range the printed rounding permits, and numbers printed in several places are
/// compared.
///
/// With a codebook, variables recorded in whole steps (age, VAS, ODI in steps of 2) are checked GRIM/GRIMMER-style:
/// only the P values that actual data with the printed means and SDs can give are allowed.
public struct PaperCheck: PublishedStudyVisitor, Sendable {
    public typealias Failure = Never

    public let study: PublishedStudy
    public let codebook: Codebook?

    public init(study: PublishedStudy, codebook: Codebook? = nil) {
        self.study = study
        self.codebook = codebook
    }

    private var groups: [String] { study.design.groupOrderInTables }
    private var n: Int { study.design.perGroup }

    /// Every finding, in the paper's order.
    public func findings() -> [PaperFinding] { study.walk(self) }

    public func visitRow(table: String, variable: String, _ row: PublishedStudy.Row) -> [PaperFinding] {
        switch row.kind {
        case .meanSD: [anovaFinding(table, variable, row)]
        case .counts, .countPercent: countFindings(table, variable, row)
        }
    }

    public func visitCorrelation(table: String, variable: String, _ correlation: PublishedStudy.Correlation) -> [PaperFinding] {
        [correlationFinding(table, variable, r: correlation.r, decimals: correlation.rDecimals, reported: correlation.p)]
    }

    public func visitAbstract(place: String, _ abstract: PublishedStudy.Abstract) -> [PaperFinding] {
        abstractFindings(place, abstract)
    }

    // MARK: ANOVA from means and SDs


    /// The range of the ANOVA P that means and SDs consistent with their printed rounding allow.
    func anovaRange(means: [Double], sds: [Double], decimals: Int) -> (central: SummaryANOVA, low: Double, high: Double) {
        let h = halfUnit(decimals: decimals)
        let sizes = Array(repeating: n, count: means.count)
        let central = SummaryANOVA(means: means, sds: sds, sizes: sizes)
        func spread(_ m: [Double]) -> Double {
            let grand = m.reduce(0, +) / Double(m.count)
            return m.reduce(0) { $0 + ($1 - grand) * ($1 - grand) }
        }
        // Between-group spread: largest at a corner of the box of means (a convex function), smallest where all
        // means are pulled as close to a common value as the box allows.
        var maxSpread = 0.0
        for corner in 0..<(1 << means.count) {
            maxSpread = max(maxSpread, spread(means.enumerated().map { $0.element + ((corner >> $0.offset) & 1 == 1 ? h : -h) }))
        }
        func pulled(_ c: Double) -> Double {
            means.reduce(0) { total, mean in
                let clamped = min(max(c, mean - h), mean + h)
                return total + (clamped - c) * (clamped - c)
            }
        }
        var a = means.min()! - h, b = means.max()! + h
        for _ in 0..<200 {
            let m1 = a + (b - a) / 3, m2 = b - (b - a) / 3
            if pulled(m1) < pulled(m2) { b = m2 } else { a = m1 }
        }
        let minSpread = pulled((a + b) / 2)
        let df1 = Double(means.count - 1), df2 = Double(n * means.count - means.count)
        let withinMin = sds.reduce(0) { $0 + max(0, $1 - h) * max(0, $1 - h) } * Double(n - 1)
        let withinMax = sds.reduce(0) { $0 + ($1 + h) * ($1 + h) } * Double(n - 1)
        let fMax = Double(n) * maxSpread / df1 / (withinMin / df2)
        let fMin = Double(n) * minSpread / df1 / (withinMax / df2)
        let distribution = FDistribution(df1: df1, df2: df2)
        return (central, distribution.uppertail(fMax), distribution.uppertail(fMin))
    }

    /// Whether a value prints as `printed` with halves rounded up, as SPSS (the study's software) rounds.
    private func prints(_ value: Double, as printed: Double, decimals: Int) -> Bool {
        let h = halfUnit(decimals: decimals), tolerance = 1e-9 * h
        return value >= printed - h - tolerance && value < printed + h - tolerance
    }

    /// Every ANOVA P that n values per group recorded in steps of `step` can give while their means and SDs print
    /// as the printed ones (GRIM for the means, GRIMMER for the SDs). With y = x / step, a group's mean is
    /// step·S/n and its sum of squares step²·(Q − S²/n) for whole numbers S = Σy and Q = Σy², Q having the parity
    /// of S; both lattices are enumerated exactly. Empty when some printed mean or SD cannot occur at all.
    func latticePValues(means: [Double], sds: [Double], decimals: Int, step: Double) -> [Double] {
        let h = halfUnit(decimals: decimals), size = Double(n)
        // Per group: the attainable (S, [Q]) pairs.
        var groupsOptions: [[(sum: Int, squares: [Int])]] = []
        for (mean, sd) in zip(means, sds) {
            var options: [(Int, [Int])] = []
            let low = Int(((mean - h) * size / step).rounded(.down)) - 1, high = Int(((mean + h) * size / step).rounded(.up)) + 1
            for sum in low...high where prints(step * Double(sum) / size, as: mean, decimals: decimals) {
                let offset = Double(sum * sum) / size
                var squares: [Int] = []
                var q = max(0, Int((pow(max(0, sd - h), 2) * (size - 1) / (step * step) + offset).rounded(.down)) - 2)
                while true {
                    let ss = step * step * (Double(q) - offset)
                    if ss > pow(sd + h, 2) * (size - 1) { break }
                    if ss >= 0, (q - sum) % 2 == 0, prints((ss / (size - 1)).squareRoot(), as: sd, decimals: decimals) {
                        squares.append(q)
                    }
                    q += 1
                }
                if !squares.isEmpty { options.append((sum, squares)) }
            }
            if options.isEmpty { return [] }
            groupsOptions.append(options)
        }
        let k = Double(means.count), df2 = Double(n) * k - k
        let distribution = FDistribution(df1: k - 1, df2: df2)
        var values: Set<Double> = []
        func visit(_ group: Int, _ sums: [Int], _ squareSums: Set<Int>) {
            if group == groupsOptions.count {
                let groupMeans = sums.map { step * Double($0) / size }
                let grand = groupMeans.reduce(0, +) / k
                let between = size * groupMeans.reduce(0) { $0 + ($1 - grand) * ($1 - grand) }
                let offset = sums.reduce(0.0) { $0 + Double($1 * $1) / size }
                for q in squareSums {
                    let within = step * step * (Double(q) - offset)
                    values.insert(distribution.uppertail(between / (k - 1) / (within / df2)))
                }
                return
            }
            for (sum, squares) in groupsOptions[group] {
                var next: Set<Int> = []
                for total in squareSums { for q in squares { next.insert(total + q) } }
                visit(group + 1, sums + [sum], next)
            }
        }
        visit(0, [], [0])
        return values.sorted()
    }

    private func anovaFinding(_ table: String, _ variable: String, _ row: PublishedStudy.Row) -> PaperFinding {
        let means = groups.map { row.values($0)[0] }, sds = groups.map { row.values($0)[1] }
        let decimals = row.decimals ?? 1
        let (central, low, high) = anovaRange(means: means, sds: sds, decimals: decimals)
        let recomputed = "one-way ANOVA F(\(Int(central.df1)), \(Int(central.df2))) = \(String(format: "%.2f", central.f)), "
            + "P = \(String(format: "%.4f", central.p))"
        let reported = ReportedP(row.p)
        var consistent = reported?.overlaps(low, high) ?? false
        var range = [low, high]
        var note: String? = consistent ? nil : "no means and SDs that round to the printed ones give P = \(row.p)"
        // Whole-step variables: only the P values that real data can give (GRIM/GRIMMER).
        if consistent, let step = codebook?[variable].flatMap({ $0.type == "integer" ? $0.step : nil }), let reported {
            let attainable = latticePValues(means: means, sds: sds, decimals: decimals, step: step)
            let units = "\(n) values per group in steps of \(StatFormat.fixed(step, decimals: 0))"
            guard let first = attainable.first, let last = attainable.last else {
                return PaperFinding(where: table, variable: variable, kind: .meanSD, reported: row.p, recomputed: recomputed,
                                    consistent: false, note: "GRIM/GRIMMER: no \(units) have the printed means and SDs")
            }
            range = [first, last]
            consistent = attainable.contains { reported.overlaps($0, $0) }
            if !consistent {
                let nearest = attainable.min { abs($0 - (reported.low + reported.high) / 2) < abs($1 - (reported.low + reported.high) / 2) }!
                note = "GRIMMER: no \(units) whose means and SDs print as published (halves rounded up, as SPSS does) give "
                    + "P = \(row.p); the nearest attainable P is \(String(format: "%.4f", nearest))"
            }
        }
        return PaperFinding(where: table, variable: variable, kind: .pValue, reported: row.p, recomputed: recomputed,
                            recomputedRange: range, consistent: consistent, note: note)
    }

    // MARK: Counts

    private func countFindings(_ table: String, _ variable: String, _ row: PublishedStudy.Row) -> [PaperFinding] {
        var findings: [PaperFinding] = []
        var contingency: [[Int]]
        if row.kind == .counts {
            let levels = row.levels?.count ?? 2
            contingency = (0..<levels).map { level in groups.map { Int(row.values($0)[level]) } }
            for group in groups {
                let total = row.values(group).reduce(0, +)
                if Int(total) != n {
                    findings.append(PaperFinding(where: table, variable: variable, kind: .value,
                                                 reported: "\(group): \(Int(total))", recomputed: "\(n)", consistent: false,
                                                 note: "the counts of the \(group) group do not add up to its size"))
                }
            }
        } else {
            let events = groups.map { Int(row.values($0)[0]) }
            contingency = [events, events.map { n - $0 }]
            for group in groups {
                let count = Int(row.values(group)[0]), printed = row.values(group)[1]
                let decimals = row.percentDecimals ?? 1
                let percent = (100 * Double(count) / Double(n) * pow(10, Double(decimals))).rounded() / pow(10, Double(decimals))
                if abs(percent - printed) > 1e-9 {
                    findings.append(PaperFinding(where: table, variable: variable, kind: .percent,
                                                 reported: "\(group): \(count) (\(printed))", recomputed: "\(percent)",
                                                 consistent: false, note: "percentage does not match \(count)/\(n)"))
                }
            }
        }
        guard let chi = try? ChiSquareTest(table: contingency) else { return findings }
        let reported = ReportedP(row.p)
        let exact = try? FisherExactTest.test(table: contingency)
        var consistent = reported?.overlaps(chi.p, chi.p) ?? false
        var note: String? = nil
        if let exact, chi.expectedMin < 5 {
            note = "expected counts below 5 (smallest \(String(format: "%.2f", chi.expectedMin))); Fisher–Freeman–Halton "
                + "exact P = \(String(format: "%.4f", exact.p))"
            consistent = consistent || (reported?.overlaps(exact.p, exact.p) ?? false)
        }
        if !consistent, note == nil { note = "the printed counts give another P" }
        findings.append(PaperFinding(where: table, variable: variable, kind: .pValue, reported: row.p,
                                     recomputed: "chi-square(\(Int(chi.df))) = \(String(format: "%.3f", chi.statistic)), "
                                         + "P = \(String(format: "%.4f", chi.p))",
                                     recomputedRange: [chi.p, chi.p], consistent: consistent, note: note))
        return findings
    }

    // MARK: Correlations

    /// Two-sided P of Pearson's r over the interval that the printed r allows (n − 2 df).
    func correlationRange(r: Double, decimals: Int, n: Int) -> (Double, Double) {
        let h = halfUnit(decimals: decimals), df = Double(n - 2)
        func p(_ r: Double) -> Double {
            let t = r * (df / ((1 - r) * (1 + r))).squareRoot()
            return StudentT(df: df).twoSided(t)
        }
        let small = abs(r) - h <= 0 ? 1 : p(abs(r) - h)
        return (p(abs(r) + h), small)
    }

    private func correlationFinding(_ place: String, _ variable: String, r: Double, decimals: Int, reported: String)
        -> PaperFinding
    {
        let (low, high) = correlationRange(r: r, decimals: decimals, n: study.design.total)
        let consistent = ReportedP(reported)?.overlaps(low, high) ?? false
        return PaperFinding(where: place, variable: variable, kind: .correlation, reported: "r = \(r), P = \(reported)",
                            recomputed: "P from r and n = \(study.design.total): \(String(format: "%.4g", low))–"
                                + "\(String(format: "%.4g", high))",
                            recomputedRange: [low, high], consistent: consistent,
                            note: consistent ? nil : "no r that rounds to \(r) gives P = \(reported) with n = \(study.design.total)")
    }

    // MARK: Abstracts and text

    private func tableRow(_ variable: String) -> (String, PublishedStudy.Row)? {
        for (table, name, row) in study.rows where name == variable { return (table, row) }
        return nil
    }

    private func abstractFindings(_ place: String, _ abstract: PublishedStudy.Abstract) -> [PaperFinding] {
        var findings: [PaperFinding] = []
        for variable in abstract.entries.keys.sorted() {
            guard let entry = abstract.entries[variable], let (table, row) = tableRow(variable) else { continue }
            let sameValues = groups.allSatisfy { entry.groups[$0] == row.groups[$0] }
            if !sameValues {
                findings.append(PaperFinding(where: place, variable: variable, kind: .value,
                                             reported: groups.map { "\(entry.groups[$0] ?? [])" }.joined(separator: " vs "),
                                             recomputed: "\(table): " + groups.map { "\(row.groups[$0] ?? [])" }.joined(separator: " vs "),
                                             consistent: false, note: "the abstract and the table print different values"))
            }
            let abstractP = ReportedP(entry.p), tableP = ReportedP(row.p)
            let consistent = if let abstractP, let tableP { abstractP.overlaps(tableP.low, tableP.high) } else { false }
            findings.append(PaperFinding(where: place, variable: variable, kind: .pValue, reported: entry.p,
                                         recomputed: "\(table): P = \(row.p)", recomputedRange: tableP.map { [$0.low, $0.high] },
                                         consistent: consistent,
                                         note: consistent ? nil : "the abstract's P disagrees with \(table)"))
        }
        for correlation in abstract.correlations {
            guard let row = study.table4[correlation.variable] else { continue }
            let same = correlation.r == row.r && correlation.p == row.p
            findings.append(PaperFinding(where: place, variable: correlation.variable, kind: .correlation,
                                         reported: "r = \(correlation.r), P = \(correlation.p)",
                                         recomputed: "table4: r = \(row.r), P = \(row.p)", consistent: same,
                                         note: same ? nil : "the abstract and Table 4 differ"))
            if place == "abstract_en" {
                // A label naming the height ratio must say "ratio"; one naming the height must not.
                let saysRatio = correlation.label.lowercased().contains("ratio")
                let isRatio = correlation.variable.contains("ratio")
                if saysRatio != isRatio {
                    findings.append(PaperFinding(where: place, variable: correlation.variable, kind: .label,
                                                 reported: "r = \(correlation.r) labelled '\(correlation.label)'",
                                                 recomputed: "table4: r = \(row.r) is '\(row.labelEn)'", consistent: false,
                                                 note: "the label names the other height variable"))
                }
            }
        }
        return findings
    }

    public func visitClaim(_ claim: PublishedStudy.Claim) -> [PaperFinding] {
        if claim.kind == .correlation, let row = study.table4[claim.variable], let r = claim.r {
            let same = r == row.r && claim.p == row.p
            return [PaperFinding(where: claim.where, variable: claim.variable, kind: .correlation,
                                 reported: "r = \(r), P = \(claim.p)", recomputed: "table4: r = \(row.r), P = \(row.p)",
                                 consistent: same, note: same ? nil : "the text and Table 4 differ")]
        }
        // `PublishedStudy.load` has checked that a pairwise claim names its groups, statement and a table row.
        guard claim.kind == .pairwiseClaim, let a = claim.a, let b = claim.b, let statement = claim.claim,
              let (_, row) = tableRow(claim.variable) else { return [] }
        let (low, high, description) = pairwiseRange(row, a, b)
        let ra = row.values(a)[0], rb = row.values(b)[0]
        let direction: Double = ra == rb ? 0 : (ra > rb ? 1 : -1)
        let consistent = switch statement {
        case .greater: direction > 0 && low < 0.05
        case .less: direction < 0 && low < 0.05
        case .notSignificant: high > 0.05
        }
        let wording = statement == .notSignificant ? "\(a) vs \(b): no significant difference (P \(claim.p))"
            : "\(a) \(statement.rawValue) than \(b) (P \(claim.p))"
        return [PaperFinding(where: claim.where, variable: claim.variable, kind: .pairwiseClaim,
                             reported: wording, recomputed: description, recomputedRange: [low, high],
                             consistent: consistent,
                             note: consistent ? nil : "the printed summary statistics do not support the claim")]
    }

    private func pairwiseRange(_ row: PublishedStudy.Row, _ a: String, _ b: String) -> (Double, Double, String) {
        if row.kind == .meanSD {
            let h = halfUnit(decimals: row.decimals ?? 1)
            let sds = groups.map { row.values($0)[1] }
            let df = Double(n * groups.count - groups.count)
            let mseMin = sds.reduce(0) { $0 + max(0, $1 - h) * max(0, $1 - h) } / Double(groups.count)
            let mseMax = sds.reduce(0) { $0 + ($1 + h) * ($1 + h) } / Double(groups.count)
            let diff = abs(row.values(a)[0] - row.values(b)[0])
            let t = StudentT(df: df)
            func p(_ d: Double, _ mse: Double) -> Double { t.twoSided(d / (mse * 2 / Double(n)).squareRoot()) }
            let low = p(diff + 2 * h, mseMin), high = p(max(0, diff - 2 * h), mseMax)
            let central = p(diff, sds.reduce(0) { $0 + $1 * $1 } / Double(groups.count))
            return (low, high, "LSD P = \(String(format: "%.4f", central)) (range \(String(format: "%.4f", low))–\(String(format: "%.4f", high)))")
        }
        let ea = Int(row.values(a)[0]), eb = Int(row.values(b)[0])
        let table = [[ea, eb], [n - ea, n - eb]]
        let chi = (try? ChiSquareTest(table: table))?.p ?? .nan
        let exact = (try? FisherExactTest.test(table: table))?.p ?? .nan
        return (min(chi, exact), max(chi, exact),
                "2×2 chi-square P = \(String(format: "%.4f", chi)), Fisher exact P = \(String(format: "%.4f", exact))")
    }
}
