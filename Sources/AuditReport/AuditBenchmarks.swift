import Foundation

/// Published rates an audit is compared with, and their source (a JSON file named by the template's
/// `benchmarks:`; `report/audit-benchmarks.json` holds the study's own).
public struct AuditBenchmarks: Sendable, Codable {
    public struct Rate: Sendable, Codable {
        public var variable: String
        public var count: Int
        public var total: Int
        public var labelEn: String
        public var labelZh: String

        enum CodingKeys: String, CodingKey {
            case variable, count, total, labelEn = "label_en", labelZh = "label_zh"
        }
    }

    public struct GroupDR: Sendable, Codable {
        public var group: String
        public var mean: Double
        public var sd: Double
    }

    /// The citation printed with every comparison.
    public var source: String
    public var rates: [Rate]
    public var drGroups: [GroupDR]

    enum CodingKeys: String, CodingKey {
        case source, rates, drGroups = "dr_groups"
    }
}
