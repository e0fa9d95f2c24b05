import CementCore
import Foundation
import Statistics

/// Builds the synthetic cohort: 40 patients per DR group whose group means and SDs round to the published ones,
/// whose counts equal the published counts, and whose pooled correlations of DR with the Table 4 variables round
/// to the published r. Deterministic in the seed.
///
/// Method: per group and variable, normal draws are standardised exactly, scaled to the published mean and SD,
/// clipped to the codebook range and rounded to the recording step; single values are then nudged by one step
/// (raising or lowering the mean, widening or narrowing the spread) until mean and SD both round to the
/// published values. Counts are random subsets of the published size. Finally values are swapped between
/// patients of the same group — which changes no group statistic — to reach the Table 4 correlations exactly
/// (to the printed decimals) and plausible within-patient correlations over time.
public struct CohortGenerator: Sendable {
    public let published: PublishedStudy
    public let codebook: Codebook
    public var seed: UInt64

    public init(published: PublishedStudy, codebook: Codebook, seed: UInt64 = 20_210_301) {
        self.published = published
        self.codebook = codebook
        self.seed = seed
    }

    /// Column order of the data contract.
    public static let columns = [
        "case_id", "procedure_date", "dr_group", "age_years", "sex", "bmi", "hypertension", "diabetes", "segment", "level",
        "course_days", "puncture_adjustments", "operation_min", "fluoroscopy_count", "cement_ml", "leakage",
        "dr_recorded_percent", "bed_time_h", "hospital_stay_d", "secondary_fracture", "adjacent_fracture", "vas_pre",
        "vas_1d", "vas_1y", "odi_pre", "odi_1d", "odi_1y", "height_pre_mm", "height_1d_mm", "height_1y_mm",
        "height_ratio_pre", "height_ratio_1d", "height_ratio_1y", "kyphosis_pre_deg", "kyphosis_1d_deg", "kyphosis_1y_deg",
    ]

    /// DR range each group must respect (percent): low ≤ 10 < medium < 20 ≤ high.
    static func drRange(_ group: DRGroup) -> ClosedRange<Double> {
        switch group {
        case .low: 0.5...10
        case .medium: 10.1...19.9
        case .high: 20...45
        }
    }

    /// A small deterministic generator (SplitMix64).
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func gaussian() -> Double {
            let u = max(uniform(), 1e-300), v = uniform()
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
        mutating func shuffle<T>(_ array: inout [T]) {
            guard array.count > 1 else { return }
            for i in stride(from: array.count - 1, to: 0, by: -1) { array.swapAt(i, below(i + 1)) }
        }
    }

    /// Whether a value prints as `target` with `decimals` decimals.
    static func rounds(_ value: Double, to target: Double, decimals: Int) -> Bool {
        abs(value - target) < halfUnit(decimals: decimals) - 1e-9
    }

    /// Values of one group whose mean and SD print as the targets.
    func fit(mean: Double, sd: Double, decimals: Int, n: Int, step: Double, range: ClosedRange<Double>,
             random: inout Random) throws(StudyError) -> [Double] {
        // Positive quantities with a large spread (days of illness, bed time) are right-skewed: draw them
        // log-normally, which the exact standardisation below keeps.
        let skewed = range.lowerBound >= 0 && sd / mean > 0.3
        let logSD = (log(1 + (sd / mean) * (sd / mean))).squareRoot()
        var z = (0..<n).map { _ in skewed ? exp(logSD * random.gaussian()) : random.gaussian() }
        let d = Descriptive(z)
        z = z.map { ($0 - d.mean) / d.sd }
        func snap(_ v: Double) -> Double {
            let clipped = min(range.upperBound, max(range.lowerBound, v))
            return (clipped / step).rounded() * step
        }
        var values = z.map { snap(mean + sd * $0) }
        for _ in 0..<50_000 {
            let summary = Descriptive(values)
            let meanOK = Self.rounds(summary.mean, to: mean, decimals: decimals)
            let sdOK = Self.rounds(summary.sd, to: sd, decimals: decimals)
            if meanOK && sdOK { return values.map { ($0 / step).rounded() * step } }
            let up: Bool = meanOK ? (random.uniform() < 0.5) : summary.mean < mean
            let widen: Bool = sdOK ? (random.uniform() < 0.5) : summary.sd < sd
            // Moving a value above the mean up (or one below it down) widens the spread; the reverse narrows it.
            let order = values.indices.sorted { values[$0] < values[$1] }
            let quarter = max(1, n / 4)
            var candidates = (up == widen) ? Array(order.suffix(quarter)) : Array(order.prefix(quarter))
            candidates = candidates.filter { range.contains(values[$0] + (up ? step : -step)) }
            if candidates.isEmpty {
                // Blocked at a range limit: any value that can move in the needed direction will do.
                candidates = values.indices.filter { range.contains(values[$0] + (up ? step : -step)) }
            }
            guard !candidates.isEmpty else { continue }
            let index = candidates[random.below(candidates.count)]
            values[index] += up ? step : -step
        }
        throw StudyError(file: "cohort generator", "cannot reach mean \(mean) and SD \(sd) with step \(step) in \(range)")
    }

    /// Moves single values of the groups by one recording step, keeping every group's mean and SD at their printed
    /// values, until the one-way ANOVA P prints as published — or, where the paper's own numbers rule that out
    /// (`PaperCheck`), as close to it as the rounding allows. Distance is measured on log P, so P = 0.0005 is as far
    /// from "0.006" as 0.072 is.
    func matchANOVA(_ groups: inout [[Double]], row: PublishedStudy.Row, names: [String], target: ReportedP,
                    step: Double, random: inout Random, range: (Int) -> ClosedRange<Double>)
    {
        let decimals = row.decimals ?? 1
        // Aim at the inner 80 % of a printed interval ("0.260"): its edges are often one discrete step from
        // outside. A bound ("<0.001") is met anywhere beyond it.
        let logLow = log(target.low), logHigh = log(target.high)
        let (centre, reach) = ((logLow + logHigh) / 2, 0.4 * (logHigh - logLow))
        func distance(_ groups: [[Double]]) -> Double {
            guard let p = try? OneWayANOVA(groups: groups).p, p > 0 else { return .infinity }
            if target.low == 0 { return max(0, log(p) - logHigh) }
            if target.high == 1 { return max(0, logLow - log(p)) }
            return max(0, abs(log(p) - centre) - reach)
        }
        // Strictly inside the rounding interval: a mean exactly halfway (possible with 40 values in whole steps)
        // would print one way or the other depending on the last bit of a floating-point sum.
        func printsAsPublished(_ values: [Double], _ group: Int) -> Bool {
            let summary = Descriptive(values), printed = row.groups[names[group]]!
            return Self.rounds(summary.mean, to: printed[0], decimals: decimals)
                && Self.rounds(summary.sd, to: printed[1], decimals: decimals)
        }
        var state = groups
        var current = distance(groups), best = current
        var iteration = 0
        // Three annealing rounds of 150 000 moves, each restarting hot from the best state so far.
        let roundLength = 150_000
        while best > 0, iteration < 3 * roundLength {
            iteration += 1
            if iteration % roundLength == 0 { (state, current) = (groups, best) }
            // One value moves (shifting mean and SD), or two move apart or together (SD only, the mean stays).
            let group = random.below(groups.count), count = groups[group].count
            let shift = random.uniform() < 0.5 ? step : -step
            var moves = [(random.below(count), shift)]
            if random.uniform() < 0.5 { moves.append((random.below(count), -shift)) }
            var candidate = state
            var valid = moves.count == 1 || moves[0].0 != moves[1].0
            for (index, delta) in moves {
                let moved = ((candidate[group][index] + delta) / step).rounded() * step
                valid = valid && range(group).contains(moved)
                candidate[group][index] = moved
            }
            guard valid, printsAsPublished(candidate[group], group) else { continue }
            let d = distance(candidate)
            // Annealing: a worse state is taken now and then (less often as the search cools), so the search
            // leaves the local minima that the discrete values and the rounding constraints create.
            let temperature = 0.3 * pow(1e-3, Double(iteration % roundLength) / Double(roundLength))
            if d <= current || random.uniform() < exp((current - d) / temperature) {
                state = candidate
                current = d
                if d < best { (groups, best) = (candidate, d) }
            }
        }
    }

    /// The cohort as rows of text cells in `columns` order.
    public func generate() throws(StudyError) -> [[String]] {
        var random = Random(state: seed)
        let groups = DRGroup.allCases
        let n = published.design.perGroup
        var data: [String: [DRGroup: [Double]]] = [:]   // variable → group → values
        for (_, variable, row) in published.rows {
            guard let meta = codebook[variable] else { throw StudyError(file: "codebook", "no variable \(variable)") }
            for group in groups {
                guard let values = row.groups[group.rawValue] else { continue }
                switch row.kind {
                case .meanSD:
                    var range = (meta.minimum ?? -1e9)...(meta.maximum ?? 1e9)
                    if variable == "dr_recorded_percent" { range = Self.drRange(group) }
                    data[variable, default: [:]][group] = try fit(mean: values[0], sd: values[1],
                                                                  decimals: row.decimals ?? 1, n: n,
                                                                  step: meta.step ?? 0.1, range: range, random: &random)
                case .counts, .countPercent:
                    // Binary or two-level category (counts), or one level's count (count_percent): that count is
                    // coded 1.
                    var flags = [Double](repeating: 0, count: n)
                    for i in 0..<Int(values[0]) { flags[i] = 1 }
                    random.shuffle(&flags)
                    data[variable, default: [:]][group] = flags
                }
            }
            if row.kind == .meanSD, let target = ReportedP(row.p) {
                var fitted = groups.map { data[variable]![$0]! }
                let range = (meta.minimum ?? -1e9)...(meta.maximum ?? 1e9)
                matchANOVA(&fitted, row: row, names: groups.map(\.rawValue), target: target, step: meta.step ?? 0.1, random: &random) {
                    variable == "dr_recorded_percent" ? Self.drRange(groups[$0]) : range
                }
                for (index, group) in groups.enumerated() { data[variable]![group] = fitted[index] }
            }
        }
        try correlate(&data, groups: groups, random: &random)
        return rows(data, groups: groups, random: &random)
    }

    /// Swaps values within groups until every Table 4 correlation with DR rounds to the published r and the
    /// repeated measurements of a patient are positively related.
    private func correlate(_ data: inout [String: [DRGroup: [Double]]], groups: [DRGroup], random: inout Random)
        throws(StudyError)
    {
        func pooled(_ variable: String) -> [Double] { groups.flatMap { data[variable]![$0]! } }
        let dr = pooled("dr_recorded_percent")
        func r(_ a: [Double], _ b: [Double]) -> Double { (try? PearsonCorrelation(a, b).r) ?? 0 }
        // Hard targets: Table 4. Soft targets: follow-up values follow earlier ones, ratios follow heights.
        let hard = published.table4.map { ($0.key, $0.value.r, $0.value.rDecimals) }.sorted { $0.0 < $1.0 }
        let total = Double(groups.count * published.design.perGroup)
        // Each r also aims at the part of its rounding interval whose P prints as published, where there is one.
        let aims: [String: (centre: Double, halfWidth: Double)] = Dictionary(uniqueKeysWithValues: hard.map { variable, r, decimals in
            let h = halfUnit(decimals: decimals)
            var low = abs(r) - h, high = abs(r) + h
            if let printed = ReportedP(published.table4[variable]!.p) {
                let t = StudentT(df: total - 2)
                func rFor(_ p: Double) -> Double {
                    guard p > 0, p < 1 else { return p <= 0 ? 1 : 0 }
                    let q = t.quantile(1 - p / 2)
                    return q / (total - 2 + q * q).squareRoot()
                }
                let (fromP, toP) = (rFor(printed.high), rFor(printed.low))
                if max(low, fromP) < min(high, toP) { (low, high) = (max(low, fromP), min(high, toP)) }
            }
            let sign: Double = r < 0 ? -1 : 1
            return (variable, (sign * (low + high) / 2, (high - low) / 2))
        })
        let series = [["vas_pre", "vas_1d", "vas_1y"], ["odi_pre", "odi_1d", "odi_1y"],
                      ["height_pre_mm", "height_1d_mm", "height_1y_mm"],
                      ["height_ratio_pre", "height_ratio_1d", "height_ratio_1y"],
                      ["kyphosis_pre_deg", "kyphosis_1d_deg", "kyphosis_1y_deg"]]
        var soft: [(String, String, Double)] = []
        for s in series { soft += [(s[0], s[1], 0.45), (s[1], s[2], 0.55)] }
        soft += [("height_pre_mm", "height_ratio_pre", 0.7), ("height_1d_mm", "height_ratio_1d", 0.7),
                 ("height_1y_mm", "height_ratio_1y", 0.7)]
        func cost() -> Double {
            var total = 0.0
            for (variable, _, _) in hard {
                let aim = aims[variable]!
                let miss = max(0, abs(r(dr, pooled(variable)) - aim.centre) - 0.8 * aim.halfWidth)
                total += 1e4 * miss * miss
            }
            for (a, b, target) in soft {
                let d = r(pooled(a), pooled(b)) - target
                total += d * d
            }
            return total
        }
        let movable = Array(Set(hard.map(\.0) + soft.flatMap { [$0.0, $0.1] })).sorted()
        var current = cost()
        let n = published.design.perGroup
        for _ in 0..<60_000 {
            let variable = movable[random.below(movable.count)]
            let group = groups[random.below(groups.count)]
            let i = random.below(n), j = random.below(n)
            guard i != j, data[variable]![group]![i] != data[variable]![group]![j] else { continue }
            data[variable]![group]!.swapAt(i, j)
            let candidate = cost()
            if candidate <= current { current = candidate } else { data[variable]![group]!.swapAt(i, j) }
        }
        for (variable, target, decimals) in hard where !Self.rounds(r(dr, pooled(variable)), to: target, decimals: decimals) {
            throw StudyError(file: "cohort generator", "could not reach r = \(target) for \(variable)")
        }
    }

    private func rows(_ data: [String: [DRGroup: [Double]]], groups: [DRGroup], random: inout Random) -> [[String]] {
        var rows: [[String]] = []
        let n = published.design.perGroup
        let thoracic = ["T10", "T11", "T12"], lumbar = ["L1", "L1", "L2", "L2", "L3", "L4", "L5"]
        let start = CalendarDate(year: 2021, month: 3, day: 1)!
        var caseNumber = 0
        // Patients are listed in order of procedure date, as a register would be.
        var entries: [(date: Int, group: DRGroup, index: Int)] = []
        for group in groups { for index in 0..<n { entries.append((random.below(671), group, index)) } }
        // Ties in date are broken by the group name, as the register was first generated.
        entries.sort { ($0.date, $0.group.rawValue, $0.index) < ($1.date, $1.group.rawValue, $1.index) }
        for (day, group, index) in entries {
            caseNumber += 1
            var cells: [String] = []
            for column in Self.columns {
                switch column {
                case "case_id": cells.append(String(format: "P%03d", caseNumber))
                case "procedure_date": cells.append(start.adding(days: day).iso)
                case "dr_group": cells.append(group.rawValue)
                case "sex": cells.append(data["sex"]![group]![index] == 1 ? "F" : "M")
                case "segment": cells.append(data["segment"]![group]![index] == 1 ? "lower_thoracic" : "lumbar")
                case "level":
                    let options = data["segment"]![group]![index] == 1 ? thoracic : lumbar
                    cells.append(options[random.below(options.count)])
                default:
                    let value = data[column]![group]![index]
                    let decimals = codebook[column]?.type == "number" ? 1 : 0
                    cells.append(String(format: "%.\(decimals)f", value))
                }
            }
            rows.append(cells)
        }
        return rows
    }

    /// The cohort as CSV text (header, then one line per patient, newline-terminated).
    public func csv() throws(StudyError) -> String {
        ([Self.columns] + (try generate())).map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
    }
}
