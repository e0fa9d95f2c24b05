import Figures
import Foundation
import Report
import Registry
import Statistics

/// ```` ```{audit-pchart measure=leakage|low_dr id=fig-x caption="…"} ```` : a p-chart with 3σ limits over the
/// `periods` periods ending with the audited one — the share of cases with clinically noted leakage (of those
/// with the value recorded), or of treated levels with a low DR.
struct AuditPChartDirective: BlockDirective {
    let name = "audit-pchart"
    let allowedOptions: Set<String> = ["id", "caption", "measure"]
    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Block] {
        let state = try context.audit(call)
        let zh = context.isChinese
        let measure = call.options["measure"] ?? "leakage"
        let outcome: (Registry.RegisteredCase) -> Bool?
        let label: String
        switch measure {
        case "leakage":
            outcome = { AuditCohort.outcome($0, "leakage") }
            label = zh ? "骨水泥渗漏 (%)" : "Cement leakage (%)"
        case "low_dr":
            outcome = AuditCohort.isLowDR
            label = zh ? "低弥散率 (%)" : "Low DR (%)"
        default:
            throw context.failure(call, "measure must be leakage or low_dr, not '\(measure)'"
                                  + suggestion(measure, ["leakage", "low_dr"]))
        }
        let periods = state.cohort.period.trailing(state.chartPeriods)
        var counts: [Int] = [], totals: [Int] = []
        for period in periods {
            let known = state.cohort.cases(in: period).compactMap(outcome)
            counts.append(known.filter { $0 }.count)
            totals.append(known.count)
        }
        guard totals.reduce(0, +) > 0 else {
            return [.paragraph([.text(zh ? "（各期均无数据，无法绘制控制图。）" : "(No data in these periods: no control chart.)")])]
        }
        let chart: PChart
        do { chart = try PChart(counts: counts, totals: totals) } catch {
            throw context.failure(call, "the control chart cannot be computed (\(error))")
        }
        let figure = ControlChart(chart: chart, labels: periods.map(\.description), yLabel: label,
                                  legend: zh ? ("比例", "中心线 p̄", "3σ 控制限") : ("proportion", "centre p̄", "3σ limits"),
                                  title: "")
        let svg: String
        do { svg = String(decoding: try FigureRenderer.render(figure, format: .svg), as: UTF8.self) } catch {
            throw context.failure(call, "the control chart could not be drawn (\(error))")
        }
        return [.figure(Figure(id: call.options["id"], caption: call.options["caption"].map { [.text($0)] } ?? [],
                               svg: svg, number: nil, chart: figure))]
    }
}
