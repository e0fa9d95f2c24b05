import Foundation
import Statistics

/// What `cement stats` prints; JSON keys follow the documented contract (statistic, df, p, n, …).
struct StatsOutput: Encodable {
    struct Pair: Encodable {
        var a: String
        var b: String
        var diff: Double
        var se: Double
        var statistic: Double
        var p: Double
        var ci_low: Double?
        var ci_high: Double?
    }

    struct GroupSummary: Encodable {
        var label: String
        var n: Int
        var missing: Int?
        var mean: Double?
        var sd: Double?
        var se: Double?
        var median: Double?
        var q1: Double?
        var q3: Double?
        var min: Double?
        var max: Double?
        var statistic: Double?
        var p: Double?
        /// Why the summaries given as null are undefined (one observation: no SD).
        var undefined: String?

        init(label: String, descriptive d: Descriptive) {
            self.label = label
            n = d.n
            missing = d.missing
            (mean, sd, se, median, q1, q3, min, max) = (finite(d.mean), finite(d.sd), finite(d.se), finite(d.median),
                                                       finite(d.q1), finite(d.q3), finite(d.min), finite(d.max))
            undefined = d.undefinedReason
        }

        enum CodingKeys: String, CodingKey { case label, n, missing, mean, sd, se, median, q1, q3, min, max, statistic, p, undefined }

        /// Summaries of a descriptive group are always present, null when undefined (with `undefined` saying why).
        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(label, forKey: .label)
            try container.encode(n, forKey: .n)
            if let missing {
                try container.encode(missing, forKey: .missing)
                for (key, value) in [(CodingKeys.mean, mean), (.sd, sd), (.se, se), (.median, median), (.q1, q1), (.q3, q3),
                                     (.min, min), (.max, max)] {
                    try container.encode(value, forKey: key)
                }
                try container.encodeIfPresent(undefined, forKey: .undefined)
            }
            try container.encodeIfPresent(statistic, forKey: .statistic)
            try container.encodeIfPresent(p, forKey: .p)
        }

        init(label: String, n: Int, statistic: Double, p: Double) {
            self.label = label
            self.n = n
            self.statistic = statistic
            self.p = p
        }
    }

    /// A number or a pair of numbers.
    enum DegreesOfFreedom: Encodable {
        case one(Double), two(Double, Double)
        func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case let .one(df): try container.encode(df)
            case let .two(a, b): try container.encode([a, b])
            }
        }
    }

    var test = ""
    var statistic: Double?
    var statistic_name: String?
    var df: DegreesOfFreedom?
    var p: Double?
    var n = 0
    var dropped: Int?
    var groupLabels: [String]?
    var rowLabels: [String]?
    var table: [[Int]]?
    var groups: [GroupSummary]?
    var pairs: [Pair]?
    var expected_min: Double?
    var warnings: [String]?
    var ci_low: Double?
    var ci_high: Double?
    var slope: Double?
    var intercept: Double?
    var r_squared: Double?
    var epsilon_gg: Double?
    var epsilon_hf: Double?
    var p_gg: Double?
    var mauchly_w: Double?
    var mauchly_p: Double?
    var etaSquared: Double?
    var omegaSquared: Double?
    /// t tests: the first group's (or column's) mean minus the second's; ci_low and ci_high are its 95 % CI.
    var mean_difference: Double?
    /// "A − B": what mean_difference subtracts.
    var difference_of: String?

    enum CodingKeys: String, CodingKey {
        case test, statistic, statistic_name, df, p, n, dropped, groupLabels = "levels", rowLabels = "row_levels"
        case table, groups, pairs, expected_min, warnings, ci_low, ci_high, slope, intercept, r_squared
        case epsilon_gg, epsilon_hf, p_gg, mauchly_w, mauchly_p, etaSquared = "eta_squared", omegaSquared = "omega_squared"
        case mean_difference, difference_of
    }

    mutating func setMeanDifference(_ difference: MeanDifference, _ a: String, _ b: String) {
        mean_difference = finite(difference.difference)
        difference_of = "\(a) − \(b)"
        (ci_low, ci_high) = (finite(difference.ciLow), finite(difference.ciHigh))
    }

    mutating func apply(_ result: TestResult) {
        statistic = finite(result.statistic)
        statistic_name = result.statisticName
        switch result.df.count {
        case 1: df = .one(result.df[0])
        case 2: df = .two(result.df[0], result.df[1])
        default: df = nil
        }
        p = finite(result.p)
        n = result.n
    }

    var humanReadable: String {
        var lines: [String] = []
        if let statistic, let statistic_name {
            var line = "\(test): \(statistic_name) = \(String(format: "%.4g", statistic))"
            switch df {
            case let .one(d): line += ", df = \(String(format: "%g", d))"
            case let .two(a, b): line += ", df = (\(String(format: "%g", a)), \(String(format: "%g", b)))"
            case nil: break
            }
            if let p { line += ", P = \(String(format: "%.4g", p)) (\(StatFormat.p(p)))" }
            line += ", n = \(n)"
            lines.append(line)
        }
        if let dropped, dropped > 0 { lines.append("  \(dropped) row(s) with missing values left out") }
        for group in groups ?? [] {
            if let mean = group.mean {
                let sd = group.sd.map { String(format: "%.4g", $0) } ?? "undefined (\(group.undefined ?? "n < 2"))"
                lines.append("  \(group.label): n = \(group.n), mean ± SD = \(String(format: "%.4g", mean)) ± "
                             + "\(sd), median \(String(format: "%.4g", group.median ?? .nan)) "
                             + "[\(String(format: "%.4g", group.q1 ?? .nan)), \(String(format: "%.4g", group.q3 ?? .nan))]"
                             + ((group.missing ?? 0) > 0 ? ", missing \(group.missing!)" : ""))
            } else if group.n == 0 {
                lines.append("  \(group.label): n = 0, summaries undefined (\(group.undefined ?? "no observations"))")
            } else if let s = group.statistic, let p = group.p {
                lines.append("  \(group.label): n = \(group.n), W = \(String(format: "%.4f", s)), P = \(StatFormat.p(p))")
            }
        }
        for pair in pairs ?? [] {
            lines.append("  \(pair.a) − \(pair.b): diff = \(String(format: "%.4g", pair.diff)), SE = "
                         + "\(String(format: "%.4g", pair.se)), P = \(StatFormat.p(pair.p))")
        }
        if let mean_difference, let difference_of, let ci_low, let ci_high {
            lines.append("  mean difference \(difference_of) = \(String(format: "%.4g", mean_difference)), 95% CI "
                         + "\(String(format: "%.4g", ci_low)) to \(String(format: "%.4g", ci_high))")
        } else if let ci_low, let ci_high { lines.append("  95% CI \(String(format: "%.4f", ci_low)) to \(String(format: "%.4f", ci_high))") }
        if let epsilon_gg, let p_gg {
            lines.append("  Greenhouse–Geisser ε = \(String(format: "%.4f", epsilon_gg)), P = \(StatFormat.p(p_gg))")
        }
        if let mauchly_w, let mauchly_p {
            lines.append("  Mauchly W = \(String(format: "%.4f", mauchly_w)), P = \(StatFormat.p(mauchly_p))")
        }
        return lines.joined(separator: "\n")
    }
}

/// The value, or nil when it is NaN or infinite (JSON has no such numbers; nil prints as null).
private func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }
