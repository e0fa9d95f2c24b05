import Registry
import Report

/// ```` ```{audit-overview id=tbl-x caption="…"} ```` : cases in the period and cumulatively — measured levels,
/// levels flagged for review, cases with their follow-up complete, cases without a procedure date.
struct AuditOverviewDirective: BlockDirective {
    let name = "audit-overview"
    let allowedOptions: Set<String> = ["id", "caption"]
    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Block] {
        let cohort = try context.audit(call).cohort
        let zh = context.isChinese
        func column(_ cases: [RegisteredCase]) -> [String] {
            let levels = cases.flatMap(\.levels)
            let complete = cases.filter { item in
                AuditCompletenessDirective.outcomes.allSatisfy { item.followUp[$0] != nil }
            }
            return [String(cases.count), String(levels.count), String(levels.filter(\.needsReview).count),
                    countPercent(complete.count, cases.count)]
        }
        let labels = zh ? ["病例数", "已测量椎体", "需复核（质控标记）", "随访完整"]
            : ["Cases", "Measured levels", "Levels flagged for review", "Follow-up complete"]
        let period = column(cohort.inPeriod), cumulative = column(cohort.cumulative)
        var rows = labels.indices.map { [labels[$0], period[$0], cumulative[$0]] }
        rows.append([zh ? "无手术日期（不计入任何时期）" : "Without a procedure date (in no period)", "—",
                     String(cohort.undated.count)])
        return auditTable(call, header: zh ? ["", "本期 \(cohort.period)", "累计"] : ["", "Period \(cohort.period)", "Cumulative"],
                          rows: rows)
    }
}
