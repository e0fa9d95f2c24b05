import Foundation
import Report
import Statistics

/// ```` ```{audit-dr-groups id=tbl-x caption="…"} ```` : the treated levels of the period by DR group (the
/// engine's, `DistributionRateGroups`) — count and share, DR mean ± SD — beside the study's DR per group from
/// the benchmarks file.
struct AuditDRGroupsDirective: BlockDirective {
    let name = "audit-dr-groups"
    let allowedOptions: Set<String> = ["id", "caption"]
    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Block] {
        let state = try context.audit(call)
        let zh = context.isChinese
        let levels = state.cohort.inPeriod.compactMap(\.levels.first)
        let measured = levels.filter { $0.group != nil }
        let names = zh ? ["low": "低弥散率组", "medium": "中弥散率组", "high": "高弥散率组"]
            : ["low": "low DR", "medium": "medium DR", "high": "high DR"]
        var rows: [[String]] = []
        for group in ["low", "medium", "high"] {
            let values = measured.filter { $0.group == group }.compactMap(\.distributionRatePercent)
            let summary = values.isEmpty ? "—" : values.count == 1 ? String(format: "%.1f", values[0])
                : StatFormat.meanSD(Descriptive(values).mean, Descriptive(values).sd, decimals: 1)
            let study = state.benchmarks?.drGroups.first { $0.group == group }
                .map { StatFormat.meanSD($0.mean, $0.sd, decimals: 1) } ?? "—"
            rows.append([names[group]!, countPercent(values.count, measured.count), summary, study])
        }
        let unmeasured = levels.count - measured.count
        if unmeasured > 0 { rows.append([zh ? "无弥散率（未找到椎体）" : "no DR (no body found)", String(unmeasured), "—", "—"]) }
        let header = zh ? ["分组", "本期 n (%)", "本期弥散率 (%)", "研究弥散率 (%)"]
            : ["Group", "Period n (%)", "Period DR (%)", "Study DR (%)"]
        var caption = call.options["caption"] ?? ""
        if let source = state.benchmarks?.source { caption += (zh ? " 研究数据：" : " Study: ") + source }
        return auditTable(call, header: header, rows: rows, caption: caption)
    }
}
