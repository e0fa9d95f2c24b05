import Foundation
import Tabular

/// The registry's cases as a table: one row per measured level (a case without levels has one row).
public enum CaseListing {
    public static let header = ["case_id", "procedure_at", "level", "operator", "distribution_rate_percent",
                                "dr_interval_low", "dr_interval_high", "dr_group", "qc_flags", "needs_review",
                                "engine_version", "follow_up_values"]

    /// The rows, in the columns of `header`.
    public static func rows(_ cases: [RegisteredCase]) -> [[String]] {
        var rows: [[String]] = []
        for item in cases {
            let levels: [RegisteredLevel?] = item.levels.isEmpty ? [nil] : item.levels
            for level in levels {
                rows.append([item.caseID, item.procedureAt ?? "", level.map { item.levelName($0.levelIndex) } ?? "",
                             item.operatorCode ?? "", level?.distributionRatePercent.map { String($0) } ?? "",
                             level?.distributionRateInterval.map { String($0[0]) } ?? "",
                             level?.distributionRateInterval.map { String($0[1]) } ?? "", level?.group ?? "",
                             level?.qcFlags.joined(separator: ";") ?? "", level.map { $0.needsReview ? "1" : "0" } ?? "",
                             item.engineVersion, String(item.followUp.count)])
            }
        }
        return rows
    }

    /// The table as CSV.
    public static func csv(_ cases: [RegisteredCase]) -> Data {
        CSVText.document(header: header, rows: rows(cases))
    }
}
