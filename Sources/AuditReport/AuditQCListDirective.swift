import Foundation
import RateEngine
import Report

/// ```` ```{audit-qc-list id=tbl-x caption="…"} ```` : the period's levels whose QC flags ask for review
/// (`QCFlag.needsReview`), with what each flag means.
struct AuditQCListDirective: BlockDirective {
    let name = "audit-qc-list"
    let allowedOptions: Set<String> = ["id", "caption"]
    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Block] {
        let state = try context.audit(call)
        let zh = context.isChinese
        var rows: [[String]] = []
        for item in state.cohort.inPeriod {
            for level in item.levels where level.needsReview {
                let flags = level.qcFlags.compactMap(QCFlag.init(rawValue:)).filter(\.needsReview)
                rows.append([item.caseID, item.levelName(level.levelIndex),
                             level.distributionRatePercent.map { String(format: "%.1f", $0) } ?? "—",
                             flags.map { "\($0.rawValue): \($0.description)" }.joined(separator: "; ")])
            }
        }
        if rows.isEmpty {
            // A table even when empty, so that cross-references to it stay valid.
            rows = [[zh ? "本期无需复核的测量。" : "No measurement of the period is flagged for review."] + Array(repeating: "", count: 3)]
        }
        return auditTable(call, header: zh ? ["病例", "椎体", "弥散率 (%)", "质控标记"] : ["Case", "Level", "DR (%)", "QC flags"],
                          rows: rows)
    }
}
