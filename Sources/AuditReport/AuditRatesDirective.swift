import Foundation
import Report
import Statistics

/// ```` ```{audit-rates id=tbl-x caption="…"} ```` : each benchmarked rate (leakage, secondary and adjacent
/// fracture) in the period with its 95 % Wilson interval, against the published rate and its interval; the
/// caption cites the benchmarks' source. Cases without the follow-up value are left out of the rate's total
/// (their number is under data completeness).
struct AuditRatesDirective: BlockDirective {
    let name = "audit-rates"
    let allowedOptions: Set<String> = ["id", "caption"]
    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Block] {
        let state = try context.audit(call)
        guard let benchmarks = state.benchmarks else {
            throw context.failure(call, "{audit-rates} needs 'benchmarks:' in the front matter (published rates and their source)")
        }
        let zh = context.isChinese
        let cases = state.cohort.inPeriod
        func interval(_ k: Int, _ n: Int) -> String {
            guard n > 0 else { return "—" }
            let ci = WilsonInterval(count: k, total: n)
            return String(format: "%.1f–%.1f %%", 100 * ci.lower, 100 * ci.upper)
        }
        var rows: [[String]] = []
        for rate in benchmarks.rates {
            let known = cases.compactMap { AuditCohort.outcome($0, rate.variable) }
            let k = known.filter { $0 }.count, n = known.count
            let published = 100 * Double(rate.count) / Double(rate.total)
            var verdict = "—"
            if n > 0 {
                let ci = WilsonInterval(count: k, total: n)
                verdict = published < 100 * ci.lower ? (zh ? "高于文献" : "above the benchmark")
                    : published > 100 * ci.upper ? (zh ? "低于文献" : "below the benchmark") : (zh ? "与文献相符" : "consistent")
            }
            rows.append([zh ? rate.labelZh : rate.labelEn, countPercent(k, n), interval(k, n),
                         countPercent(rate.count, rate.total), interval(rate.count, rate.total), verdict])
        }
        let header = zh ? ["指标", "本期", "95 % CI（Wilson）", "文献", "文献 95 % CI", "比较"]
            : ["Rate", "Period", "95 % CI (Wilson)", "Benchmark", "Benchmark 95 % CI", "Comparison"]
        let caption = (call.options["caption"] ?? "") + (zh ? " 文献来源：" : " Benchmark source: ") + benchmarks.source
        return auditTable(call, header: header, rows: rows, caption: caption)
    }
}
