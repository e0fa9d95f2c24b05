import Report

/// `{audit-period}`: the audited period and the time zone its boundaries are taken in ("2026-Q3, Asia/Shanghai").
struct AuditPeriodDirective: InlineDirective {
    let name = "audit-period"
    let allowedOptions: Set<String> = []
    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Inline] {
        let state = try context.audit(call)
        return [.text("\(state.cohort.period), \(state.cohort.timeZone.identifier)")]
    }
}
