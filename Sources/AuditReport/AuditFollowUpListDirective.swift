import Foundation
import Report

/// ```` ```{audit-followup-list id=tbl-x caption="…"} ```` : the period's treated levels with a low DR — the
/// study's patients at risk of a secondary fracture — with the DR and its interval and the day a closer follow-up
/// is due (`followup_months` after the procedure).
struct AuditFollowUpListDirective: BlockDirective {
    let name = "audit-followup-list"
    let allowedOptions: Set<String> = ["id", "caption"]
    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Block] {
        let state = try context.audit(call)
        let zh = context.isChinese
        let table = AuditLevelTable(
            header: zh ? ["病例", "椎体", "弥散率 (%)", "90 % 区间", "手术日期", "随访截止"]
                : ["Case", "Level", "DR (%)", "90 % interval", "Procedure", "Follow-up due"],
            empty: zh ? "本期无低弥散率病例。" : "No case of the period has a low DR.",
            selects: { $0.group == "low" },
            row: { item, level in
                [item.caseID, item.levelName(level.levelIndex),
                 level.distributionRatePercent.map { String(format: "%.1f", $0) } ?? "—",
                 level.distributionRateInterval.map { String(format: "%.1f–%.1f", $0[0], $0[1]) } ?? "—",
                 state.cohort.localDate(item) ?? "—",
                 state.cohort.date(item, plusMonths: state.followUpMonths) ?? "—"]
            })
        return table.render(call, state.cohort)
    }
}
