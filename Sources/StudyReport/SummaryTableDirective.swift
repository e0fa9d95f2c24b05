import Figures
import Foundation
import Report
import Statistics
import Study

/// ```` ```{summary id=tbl-1 caption="…" by=dr_group levels=high,medium,low} ```` with one variable per line:
/// a table with a row per variable — its codebook label, "x̄±s" (numbers) or "n (%)" of a level (`VARIABLE
/// LEVEL` lines) in each group, and the P of one-way ANOVA (numbers) or chi-square (levels), as the paper's
/// Tables 1–3 report them. Where an expected count is below 5 the P is the Fisher–Freeman–Halton exact test's,
/// marked ᵃ and explained in the caption.
struct SummaryTableDirective: BlockDirective {
    let name = "summary"
    let allowedOptions: Set<String> = ["id", "caption", "by", "levels", "labels"]

    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Block] {
        let grouped = try GroupedVariables(call, context)
        let zh = context.template.language == "zh"
        var rows: [[[Inline]]] = []
        var exactUsed = false
        for line in grouped.lines {
            var cells: [[Inline]] = []
            var p: String
            if let level = line.level {
                for values in grouped.categories(line) {
                    cells.append([.text(StatFormat.countPercent(values.filter { $0 == level }.count, of: values.count))])
                }
                let table = grouped.contingency(line)
                do {
                    let chi = try ChiSquareTest(table: table)
                    p = StatFormat.p(chi.p)
                    // Small expected counts make the chi-square approximation doubtful: report the exact test.
                    if chi.expectedMin < 5 {
                        p = StatFormat.p(try FisherExactTest.test(table: table).p) + "ᵃ"
                        exactUsed = true
                    }
                } catch { throw grouped.failure(line, error) }
            } else {
                let groups = try grouped.numbers(line)
                let decimals = max(1, context.codebook?[line.variable]?.decimals ?? 1)
                for values in groups {
                    let summary = Descriptive(values)
                    cells.append([.text(StatFormat.meanSD(summary.mean, summary.sd, decimals: decimals))])
                }
                do { p = StatFormat.p(try OneWayANOVA(groups: groups).p) } catch { throw grouped.failure(line, error) }
            }
            rows.append([[.text(grouped.label(line, context))]] + cells + [[.text(p)]])
        }
        let header: [[Inline]] = [[.text(zh ? "指标" : "Variable")]] + grouped.levelLabels.map { [.text($0)] }
            + [[.text(zh ? "P 值" : "P")]]
        var caption: [Inline] = call.options["caption"].map { [.text($0)] } ?? []
        if exactUsed {
            caption.append(.text(zh ? "（ᵃ 期望频数小于 5，采用 Fisher–Freeman–Halton 精确检验）"
                                    : " (ᵃ Fisher–Freeman–Halton exact test: an expected count is below 5)"))
        }
        return [.table(Table(id: call.options["id"], caption: caption, header: header,
                             rows: rows, alignments: Array(repeating: .left, count: header.count), number: nil))]
    }
}
