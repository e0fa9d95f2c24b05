import CementCore
import Foundation
import Statistics
import Tabular

/// One number the paper prints next to the number reproduced from the data.
public struct VerificationItem: Sendable, Encodable, Equatable {
    public enum Status: String, Sendable, Encodable {
        /// The reproduced number prints as the published one.
        case match
        /// It does not.
        case mismatch
        /// It does not, and cannot: the paper's own printed numbers rule the printed value out (`cement check-paper`
        /// gives the reason). Not counted as a mismatch unless asked for.
        case unattainable
    }

    /// Where the number is printed: table1…table4, table2_within_group, abstract_zh, abstract_en, results_2.1…
    public var `where`: String
    /// Cohort column (or, for changes over time, the variable's stem such as `vas`).
    public var variable: String
    /// n, mean, sd, count, percent, p, r, claim.
    public var quantity: String
    public var group: String?
    public var published: String
    public var reproduced: String
    /// What counts as the same: rounding to the printed decimals, or the interval of P that prints as published.
    public var tolerance: String
    public var status: Status
    public var note: String?
}

/// Every number of a published study (`data/published.json`) recomputed from a data table with the paper's own
/// tests (one-way ANOVA, chi-square, Pearson, LSD, repeated-measures ANOVA) and compared at the printed precision.
///
/// The Figure 1 case (one real patient) is not verified: the synthetic cohort does not contain that patient.
public struct StudyVerification: PublishedStudyVisitor, Sendable {
    public typealias Failure = StudyError

    public let study: PublishedStudy
    /// The data; nil cells are missing values.
    public let data: DataTable
    public let groupColumn: String
    /// Recording steps of the variables, for the GRIM-aware audit that decides what is unattainable.
    public let codebook: Codebook?

    public init(study: PublishedStudy, data: DataTable, codebook: Codebook? = nil, groupColumn: String = "dr_group")
        throws(StudyError)
    {
        guard data[groupColumn] != nil else { throw StudyError(file: data.source, "no column '\(groupColumn)'") }
        self.study = study
        self.data = data
        self.codebook = codebook
        self.groupColumn = groupColumn
    }

    /// Verifies against a cohort (its columns typed by its codebook).
    public init(study: PublishedStudy, cohort: Cohort) throws(StudyError) {
        try self.init(study: study, data: cohort.data, codebook: cohort.codebook)
    }

    /// Names the data in error messages.
    private var source: String { data.source }

    private var groups: [String] { study.design.groupOrderInTables }

    /// All comparisons, in the paper's order: design, Tables 1–4, changes over time, abstracts, text.
    public func items() throws(StudyError) -> [VerificationItem] {
        let impossible = Set(PaperCheck(study: study, codebook: codebook).findings().filter { !$0.consistent }.map { "\($0.where)|\($0.variable)" })
        let items = try study.walk(self)
        return items.map { item in
            var item = item
            if item.status == .mismatch, ["p", "claim"].contains(item.quantity),
               impossible.contains("\(item.where)|\(item.variable)")
            {
                item.status = .unattainable
                item.note = "the paper's own numbers do not allow the printed value (cement check-paper)"
            }
            return item
        }
    }

    // MARK: Data access

    /// A table operation, failing as a study input.
    private func reading<T>(_ body: () throws(TableError) -> T) throws(StudyError) -> T {
        do { return try body() } catch { throw StudyError(error) }
    }

    private func column(_ name: String) throws(StudyError) -> [String?] {
        try reading { () throws(TableError) in try data.texts(name) }
    }

    private func rows(in group: String) throws(StudyError) -> [Int] {
        try reading { () throws(TableError) in try data.grouped(by: groupColumn, levels: [group]).rows[0] }
    }

    /// The present values of `name` in `rows`; a cell that is not a number is an error naming its row.
    private func numbers(_ name: String, rows: [Int]) throws(StudyError) -> [Double] {
        try reading { () throws(TableError) in
            let values = try data.numbers(name)
            return try data.complete(columns: [name], rows: rows).rows.map { values[$0]! }
        }
    }

    /// The present values of `name` per group, as recorded (for means).
    private func groupNumbers(_ name: String) throws(StudyError) -> [[Double]] {
        var result: [[Double]] = []
        for group in groups { result.append(try numbers(name, rows: try rows(in: group))) }
        return result
    }

    /// The present values of `name` per group, centred in exact decimal arithmetic (for ANOVA, which depends on
    /// the values only through their deviations).
    private func centredGroups(_ name: String) throws(StudyError) -> [[Double]] {
        try reading { () throws(TableError) in
            try data.centred(name, in: try data.grouped(by: groupColumn, levels: groups).rows)
        }
    }

    // MARK: Comparison rules

    private static func number(_ value: Double, _ decimals: Int) -> String { StatFormat.fixed(value, decimals: decimals) }

    /// Reproduced and published agree when the reproduced value rounds to the printed one.
    private func valueItem(_ place: String, _ variable: String, _ quantity: String, _ group: String?, published: Double,
                           reproduced: Double, decimals: Int) -> VerificationItem
    {
        let h = halfUnit(decimals: decimals)
        let same = abs(reproduced - published) <= h * (1 + 1e-9)
        return VerificationItem(where: place, variable: variable, quantity: quantity, group: group,
                                published: Self.number(published, decimals), reproduced: Self.number(reproduced, decimals + 2),
                                tolerance: "±" + Self.number(h, decimals + 1), status: same ? .match : .mismatch)
    }

    private func countItem(_ place: String, _ variable: String, _ group: String?, quantity: String = "count",
                           published: Int, reproduced: Int) -> VerificationItem
    {
        VerificationItem(where: place, variable: variable, quantity: quantity, group: group, published: "\(published)",
                         reproduced: "\(reproduced)", tolerance: "exact", status: published == reproduced ? .match : .mismatch)
    }

    private func pItem(_ place: String, _ variable: String, _ group: String? = nil, published: String, p: Double,
                       test: String) throws(StudyError) -> VerificationItem
    {
        guard let printed = ReportedP(published) else {
            throw StudyError(file: "published.json", "\(place).\(variable): '\(published)' is not a P value")
        }
        let interval = printed.text.contains("<") || printed.text.contains(">") ? printed.text
            : "\(Self.number(printed.low, 4))–\(Self.number(printed.high, 4))"
        return VerificationItem(where: place, variable: variable, quantity: "p", group: group, published: published,
                                reproduced: "\(Self.formatP(p)) (\(test))", tolerance: interval,
                                status: printed.overlaps(p, p) ? .match : .mismatch)
    }

    /// Four significant digits, so a reader sees how far a P is from the printed interval.
    private static func formatP(_ p: Double) -> String { p < 1e-4 ? String(format: "%.2e", p) : String(format: "%.4f", p) }

    // MARK: Items

    public func visitDesign(_ design: PublishedStudy.Design) throws(StudyError) -> [VerificationItem] {
        var items: [VerificationItem] = []
        var total = 0
        for group in groups {
            let n = try rows(in: group).count
            total += n
            items.append(countItem("design", groupColumn, group, quantity: "n", published: design.perGroup, reproduced: n))
        }
        items.append(countItem("design", groupColumn, nil, quantity: "n", published: design.total, reproduced: total))
        return items
    }

    private func rowItems(_ table: String, _ variable: String, _ row: PublishedStudy.Row) throws(StudyError) -> [VerificationItem] {
        switch row.kind {
        case .meanSD:
            let values = try groupNumbers(variable)
            var items: [VerificationItem] = []
            let decimals = row.decimals ?? 1
            for (group, sample) in zip(groups, values) {
                guard let printed = row.groups[group], printed.count == 2 else { continue }
                let summary = Descriptive(sample)
                items.append(valueItem(table, variable, "mean", group, published: printed[0], reproduced: summary.mean, decimals: decimals))
                items.append(valueItem(table, variable, "sd", group, published: printed[1], reproduced: summary.sd, decimals: decimals))
            }
            let p: Double
            do { p = try OneWayANOVA(groups: try centredGroups(variable)).p } catch let error as StudyError {
                throw error
            } catch {
                throw StudyError(file: source, "\(variable): \(error)")
            }
            items.append(try pItem(table, variable, published: row.p, p: p, test: "one-way ANOVA"))
            return items
        case .counts, .countPercent:
            return try countRowItems(table, variable, row)
        }
    }

    /// Counts (`counts`: per level; `count_percent`: events and their percentage) and the chi-square P.
    private func countRowItems(_ table: String, _ variable: String, _ row: PublishedStudy.Row) throws(StudyError)
        -> [VerificationItem]
    {
        let values = try column(variable)
        let levels = row.levels ?? ["1"]
        var items: [VerificationItem] = []
        var contingency = [[Int]](repeating: [], count: row.kind == .counts ? levels.count : 2)
        for group in groups {
            let members = try rows(in: group).filter { values[$0] != nil }
            let counts = levels.map { level in members.filter { values[$0] == level }.count }
            guard let printed = row.groups[group] else { continue }
            if row.kind == .counts {
                for (index, level) in levels.enumerated() {
                    items.append(countItem(table, variable, "\(group), \(level)", published: Int(printed[index]), reproduced: counts[index]))
                    contingency[index].append(counts[index])
                }
            } else {
                items.append(countItem(table, variable, group, published: Int(printed[0]), reproduced: counts[0]))
                let percent = 100 * Double(counts[0]) / Double(max(1, members.count))
                items.append(valueItem(table, variable, "percent", group, published: printed[1], reproduced: percent,
                                       decimals: row.percentDecimals ?? 1))
                contingency[0].append(counts[0])
                contingency[1].append(members.count - counts[0])
            }
        }
        do {
            let chi = try ChiSquareTest(table: contingency)
            var item = try pItem(table, variable, published: row.p, p: chi.p, test: "chi-square")
            if item.status == .mismatch, chi.expectedMin < 5, let exact = try? FisherExactTest.test(table: contingency),
               ReportedP(row.p)?.overlaps(exact.p, exact.p) == true
            {
                item = try pItem(table, variable, published: row.p, p: exact.p, test: "Fisher–Freeman–Halton exact")
            }
            items.append(item)
        } catch let error as StudyError {
            throw error
        } catch {
            throw StudyError(file: source, "\(variable): \(error)")
        }
        return items
    }

    private func correlationItems(_ place: String, _ variable: String, r: Double, decimals: Int, p: String)
        throws(StudyError) -> [VerificationItem]
    {
        // Complete pairs only; a cell that is not a number is an error naming its row.
        let (xs, ys) = try reading { () throws(TableError) in
            let rows = [try data.complete(columns: ["dr_recorded_percent", variable]).rows]
            return (try data.centred("dr_recorded_percent", in: rows)[0], try data.centred(variable, in: rows)[0])
        }
        let correlation: PearsonCorrelation
        do { correlation = try PearsonCorrelation(xs, ys) } catch {
            throw StudyError(file: source, "\(variable): \(error)")
        }
        return [valueItem(place, variable, "r", nil, published: r, reproduced: correlation.r, decimals: decimals),
                try pItem(place, variable, published: p, p: correlation.p, test: "Pearson")]
    }

    public func visitWithinGroup(table: String, stem: String, _ entry: PublishedStudy.WithinGroup) throws(StudyError)
        -> [VerificationItem]
    {
        var items: [VerificationItem] = []
        for group in groups {
            let printed = entry.p[group] ?? ""
            // The subjects with every occasion (the occasions share one location, so the values stay as recorded).
            let subjects = try reading { () throws(TableError) in
                let complete = try data.complete(columns: entry.columns, rows: try data.grouped(by: groupColumn, levels: [group]).rows[0])
                let columns = try entry.columns.map { name throws(TableError) in try data.numbers(name) }
                return complete.rows.map { row in columns.map { $0[row]! } }
            }
            let anova: RepeatedMeasuresANOVA
            do { anova = try RepeatedMeasuresANOVA(rows: subjects) } catch {
                throw StudyError(file: source, "\(stem) in \(group): \(error)")
            }
            items.append(try pItem(table, stem, group, published: printed, p: anova.p, test: "repeated-measures ANOVA"))
        }
        return items
    }

    public func visitRow(table: String, variable: String, _ row: PublishedStudy.Row) throws(StudyError) -> [VerificationItem] {
        try rowItems(table, variable, row)
    }

    public func visitCorrelation(table: String, variable: String, _ correlation: PublishedStudy.Correlation) throws(StudyError)
        -> [VerificationItem]
    {
        try correlationItems(table, variable, r: correlation.r, decimals: correlation.rDecimals, p: correlation.p)
    }

    public func visitAbstract(place: String, _ abstract: PublishedStudy.Abstract) throws(StudyError) -> [VerificationItem] {
        var items: [VerificationItem] = []
        for variable in abstract.entries.keys.sorted() {
            guard let entry = abstract.entries[variable],
                  let (_, _, row) = study.rows.first(where: { $0.variable == variable }) else { continue }
            var restated = row
            restated.groups = entry.groups
            restated.p = entry.p
            items += try rowItems(place, variable, restated)
        }
        for correlation in abstract.correlations {
            let decimals = study.table4[correlation.variable]?.rDecimals ?? 3
            items += try correlationItems(place, correlation.variable, r: correlation.r, decimals: decimals, p: correlation.p)
        }
        return items
    }

    public func visitClaim(_ claim: PublishedStudy.Claim) throws(StudyError) -> [VerificationItem] {
        if claim.kind == .correlation, let r = claim.r {
            let decimals = study.table4[claim.variable]?.rDecimals ?? 3
            return try correlationItems(claim.where, claim.variable, r: r, decimals: decimals, p: claim.p)
        }
        // `PublishedStudy.load` has checked that a pairwise claim names its groups, statement and a table row.
        guard claim.kind == .pairwiseClaim, let a = claim.a, let b = claim.b, let statement = claim.claim,
              let ia = groups.firstIndex(of: a), let ib = groups.firstIndex(of: b),
              let (_, _, row) = study.rows.first(where: { $0.variable == claim.variable }) else { return [] }
        let (difference, p, test) = try pairwise(claim.variable, row, ia, ib)
        let holds = switch statement {
        case .greater: difference > 0 && p < 0.05
        case .less: difference < 0 && p < 0.05
        case .notSignificant: p >= 0.05
        }
        let wording = statement == .notSignificant ? "\(a) vs \(b): not significant (P \(claim.p))"
            : "\(a) \(statement.rawValue) than \(b) (P \(claim.p))"
        return [VerificationItem(where: claim.where, variable: claim.variable, quantity: "claim", group: "\(a) vs \(b)",
                                 published: wording,
                                 reproduced: "difference \(String(format: "%+.3g", difference)), \(test) P = \(Self.formatP(p))",
                                 tolerance: "direction and P vs 0.05", status: holds ? .match : .mismatch)]
    }

    /// Difference a − b and its P: LSD (pooled variance of all groups) for means, 2×2 chi-square for proportions.
    private func pairwise(_ variable: String, _ row: PublishedStudy.Row, _ a: Int, _ b: Int) throws(StudyError)
        -> (Double, Double, String)
    {
        if row.kind == .meanSD {
            // As recorded, not centred: the claim prints the difference of the means (to 3 digits, where a
            // difference such as 1.105 is a tie that the last bit of the means decides).
            let values = try groupNumbers(variable)
            do {
                let lsd = try PostHoc(groups: values, method: .lsd)
                guard let pair = lsd.pairs.first(where: { Set([$0.a, $0.b]) == Set([a, b]) }) else {
                    throw StudyError(file: source, "\(variable): no LSD comparison of groups \(a) and \(b)")
                }
                return (pair.a == a ? pair.diff : -pair.diff, pair.p, "LSD")
            } catch let error as StudyError {
                throw error
            } catch {
                throw StudyError(file: source, "\(variable): \(error)")
            }
        }
        let values = try column(variable)
        var events: [Int] = [], sizes: [Int] = []
        for index in [a, b] {
            let members = try rows(in: groups[index]).filter { values[$0] != nil }
            events.append(members.filter { values[$0] == "1" }.count)
            sizes.append(members.count)
        }
        let table = [events, zip(sizes, events).map { $0 - $1 }]
        do {
            let p = try ChiSquareTest(table: table).p
            let rates = zip(events, sizes).map { 100 * Double($0) / Double(max(1, $1)) }
            return (rates[0] - rates[1], p, "chi-square")
        } catch {
            throw StudyError(file: source, "\(variable): \(error)")
        }
    }
}

extension [VerificationItem] {
    /// Counts by status.
    public var tally: (match: Int, mismatch: Int, unattainable: Int) {
        (filter { $0.status == .match }.count, filter { $0.status == .mismatch }.count,
         filter { $0.status == .unattainable }.count)
    }
}
