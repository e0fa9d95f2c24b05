import Foundation
import Report

/// ```` ```{audit-completeness id=tbl-x caption="…" variables=leakage,vas_1y} ```` : for each follow-up variable
/// (by default the benchmarked outcomes), how many of the period's cases have it recorded, and which lack it.
struct AuditCompletenessDirective: BlockDirective {
    let name = "audit-completeness"
    let allowedOptions: Set<String> = ["id", "caption", "variables"]
    /// The outcomes the audit's rates need.
    static let outcomes = ["leakage", "secondary_fracture", "adjacent_fracture"]

    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Block] {
        let state = try context.audit(call)
        let zh = context.isChinese
        let variables = call.options["variables"].map { $0.split(separator: ",").map(String.init) } ?? Self.outcomes
        let cases = state.cohort.inPeriod
        let rows = variables.map { variable -> [String] in
            let missing = cases.filter { $0.followUp[variable] == nil }.map(\.caseID)
            let listed = missing.prefix(8).joined(separator: ", ") + (missing.count > 8 ? " …" : "")
            return [variable, countPercent(cases.count - missing.count, cases.count), missing.isEmpty ? "—" : listed]
        }
        return auditTable(call, header: zh ? ["变量", "已记录", "缺失病例"] : ["Variable", "Recorded", "Missing in cases"],
                          rows: rows)
    }
}
