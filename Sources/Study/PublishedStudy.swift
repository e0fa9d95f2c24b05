import Foundation

/// The numbers a study prints (`data/published.json`), as printed.
public struct PublishedStudy: Decodable, Sendable {
    /// A continuous variable summarised per group as mean ± SD, or a count variable.
    public struct Row: Decodable, Sendable {
        /// How a row is printed; an unknown kind fails the loading, so no row is silently skipped.
        public enum Kind: String, Decodable, Sendable {
            /// Mean ± SD per group, tested by one-way ANOVA.
            case meanSD = "mean_sd"
            /// Counts per level of a category per group.
            case counts
            /// Count and percent of one level per group.
            case countPercent = "count_percent"
        }

        public var kind: Kind
        public var unit: String?
        public var decimals: Int?
        public var percentDecimals: Int?
        public var levels: [String]?
        public var labelEn: String
        public var labelZh: String
        /// Per group: [mean, sd] (mean_sd), counts per level (counts), or [count, percent] (count_percent).
        public var groups: [String: [Double]]
        public var p: String

        /// The printed values of `group`: present for every group of the design (checked by `load`).
        public func values(_ group: String) -> [Double] { groups[group] ?? [] }

        /// How many values each group prints for this kind of row.
        var valuesPerGroup: Int? {
            switch kind {
            case .meanSD, .countPercent: 2
            case .counts: levels?.count
            }
        }

        enum CodingKeys: String, CodingKey {
            case kind, unit, decimals, percentDecimals = "percent_decimals", levels, labelEn = "label_en"
            case labelZh = "label_zh", groups, p
        }
    }

    public struct Correlation: Decodable, Sendable {
        public var r: Double
        public var rDecimals: Int
        public var p: String
        public var labelEn: String
        public var labelZh: String

        enum CodingKeys: String, CodingKey {
            case r, rDecimals = "r_decimals", p, labelEn = "label_en", labelZh = "label_zh"
        }
    }

    public struct AbstractEntry: Decodable, Sendable {
        public var groups: [String: [Double]]
        public var p: String
    }

    public struct AbstractCorrelation: Decodable, Sendable {
        public var variable: String
        public var label: String
        public var r: Double
        public var p: String
    }

    public struct Abstract: Decodable, Sendable {
        public var entries: [String: AbstractEntry]
        public var correlations: [AbstractCorrelation]

        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            var entries: [String: AbstractEntry] = [:]
            var correlations: [AbstractCorrelation] = []
            for key in container.allKeys {
                if key.stringValue == "correlations" {
                    correlations = try container.decode([AbstractCorrelation].self, forKey: key)
                } else {
                    entries[key.stringValue] = try container.decode(AbstractEntry.self, forKey: key)
                }
            }
            self.entries = entries
            self.correlations = correlations
        }
    }

    public struct Claim: Decodable, Sendable {
        /// What a sentence of the text claims; an unknown kind fails the loading.
        public enum Kind: String, Decodable, Sendable {
            /// A correlation printed in the text (also in Table 4).
            case correlation
            /// One group's value greater, less or not different than another's.
            case pairwiseClaim = "pairwise_claim"
        }

        /// What a pairwise claim says of group a against group b.
        public enum Statement: String, Decodable, Sendable {
            case greater, less
            case notSignificant = "not_significant"
        }

        public var `where`: String
        public var variable: String
        public var kind: Kind
        public var a: String?
        public var b: String?
        public var claim: Statement?
        public var r: Double?
        public var p: String
    }

    /// A P printed per group for the change of a variable over its time points (one per column).
    public struct WithinGroup: Decodable, Sendable {
        public var columns: [String]
        public var p: [String: String]
    }

    public struct Design: Decodable, Sendable {
        public var perGroup: Int
        public var total: Int
        public var groupOrderInTables: [String]

        enum CodingKeys: String, CodingKey {
            case perGroup = "per_group", total, groupOrderInTables = "group_order_in_tables"
        }
    }

    public var design: Design
    public var table1: [String: Row]
    public var table2: [String: Row]
    public var table3: [String: Row]
    public var table4: [String: Correlation]
    public var table2WithinGroup: [String: WithinGroup]
    public var table3WithinGroup: [String: WithinGroup]
    public var abstractZh: Abstract
    public var abstractEn: Abstract
    public var textClaims: [Claim]

    enum CodingKeys: String, CodingKey {
        case design, table1, table2, table3, table4, abstractZh = "abstract_zh", abstractEn = "abstract_en"
        case table2WithinGroup = "table2_within_group", table3WithinGroup = "table3_within_group"
        case textClaims = "text_claims"
    }

    /// Reads `published.json`; a malformed file is an error naming it.
    public static func load(_ path: String) throws -> PublishedStudy {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw StudyError(file: path, "cannot read the file")
        }
        let decoder = JSONDecoder()
        let study: PublishedStudy
        do {
            study = try decoder.decode(PublishedStudy.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw StudyError(file: path, "missing '\(key.stringValue)' at \(context.codingPath.map(\.stringValue).joined(separator: "."))")
        } catch let DecodingError.typeMismatch(_, context) {
            throw StudyError(file: path, "unexpected value at \(context.codingPath.map(\.stringValue).joined(separator: "."))")
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            // An unknown row or claim kind, say: named with its place, never skipped.
            throw StudyError(file: path, "invalid value at \(context.codingPath.map(\.stringValue).joined(separator: ".")) "
                             + "(\(context.debugDescription))")
        } catch {
            throw StudyError(file: path, "not a published-numbers file (\(error))")
        }
        if let problem = study.problem() { throw StudyError(file: path, problem) }
        return study
    }

    /// The first place where the numbers do not fit together (a group missing from a row, a claim naming a
    /// variable no table prints…), so that every walk over a loaded study finds what it looks up.
    func problem() -> String? {
        let groups = design.groupOrderInTables
        for (table, variable, row) in rows {
            if row.kind == .counts, row.levels == nil { return "\(table).\(variable): a counts row needs 'levels'" }
            for group in groups {
                guard let values = row.groups[group] else { return "\(table).\(variable).groups: no group '\(group)'" }
                if let count = row.valuesPerGroup, values.count != count {
                    return "\(table).\(variable).groups.\(group): \(values.count) values, a \(row.kind.rawValue) row has \(count)"
                }
            }
        }
        for (table, entries) in [("table2_within_group", table2WithinGroup), ("table3_within_group", table3WithinGroup)] {
            for (stem, entry) in entries.sorted(by: { $0.key < $1.key }) {
                if entry.columns.count < 2 { return "\(table).\(stem).columns: a change over time needs two time points" }
                for group in groups where entry.p[group] == nil { return "\(table).\(stem).p: no group '\(group)'" }
            }
        }
        for (place, abstract) in [("abstract_zh", abstractZh), ("abstract_en", abstractEn)] {
            for (variable, entry) in abstract.entries.sorted(by: { $0.key < $1.key }) {
                guard let row = rows.first(where: { $0.variable == variable })?.row else {
                    return "\(place).\(variable): no table prints this variable"
                }
                for group in groups where entry.groups[group].map({ $0.count != row.values(group).count }) ?? true {
                    return "\(place).\(variable).groups: group '\(group)' missing or not shaped as in its table"
                }
            }
            for correlation in abstract.correlations where table4[correlation.variable] == nil {
                return "\(place).correlations: '\(correlation.variable)' is not in table4"
            }
        }
        for (index, claim) in textClaims.enumerated() {
            let place = "text_claims[\(index)] (\(claim.where), \(claim.variable))"
            switch claim.kind {
            case .correlation:
                if claim.r == nil { return "\(place): a correlation claim needs 'r'" }
                if table4[claim.variable] == nil { return "\(place): '\(claim.variable)' is not in table4" }
            case .pairwiseClaim:
                guard let a = claim.a, let b = claim.b, claim.claim != nil else {
                    return "\(place): a pairwise claim needs 'a', 'b' and 'claim'"
                }
                for group in [a, b] where !groups.contains(group) { return "\(place): no group '\(group)'" }
                if !rows.contains(where: { $0.variable == claim.variable }) {
                    return "\(place): no table prints '\(claim.variable)'"
                }
            }
        }
        return nil
    }

    /// Every table row by variable, with the table it comes from.
    public var rows: [(table: String, variable: String, row: Row)] {
        [("table1", table1), ("table2", table2), ("table3", table3)].flatMap { table, rows in
            rows.sorted(by: { $0.key < $1.key }).map { (table, $0.key, $0.value) }
        }
    }
}

