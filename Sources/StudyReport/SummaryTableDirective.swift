import Figures
import Foundation
import Report
import Statistics
import Study

/// ```` ```{summary id=tbl-1 caption="…" by=dr_group levels=high,medium,low} ```` with one variable per line:
/// a table with a row per variable — its codebook label, "x̄±s" (numbers) or "n (%)" of a level (`VARIABLE
/// LEVEL` lines) in each group, and the P of one-way ANOVA (numbers) or chi-square (levels), as the paper's
/// Tables 1–3 report them. Where an expected count is below 5 the P is the Fisher–Freeman–Halton exact test's,
/// marked ᵃ. A note under the table says what the cells hold and which tests gave the P; group sizes join the
/// header where the groups differ in size.
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
            let by = call.options["by"]
            var pValue: Double, test: String
            if let level = line.level {
                for (group, values) in zip(grouped.levels, grouped.categories(line)) {
                    let count = values.filter { $0 == level }.count
                    let percent = values.isEmpty ? Double.nan : 100 * Double(count) / Double(values.count)
                    context.record(name, at: line.position, variable: line.variable, group: group, groupColumn: by, level: level,
                                   [PrintedNumber(.count, "\(count)", value: Double(count)),
                                    PrintedNumber(.percent, StatFormat.fixed(percent, decimals: 1), value: percent)])
                    cells.append([.text(StatFormat.countPercent(count, of: values.count))])
                }
                let table = grouped.contingency(line)
                do {
                    let chi = try ChiSquareTest(table: table)
                    (pValue, test) = (chi.p, "chi-square")
                    p = StatFormat.p(chi.p)
                    // Small expected counts make the chi-square approximation doubtful: report the exact test.
                    if chi.expectedMin < 5 {
                        (pValue, test) = (try FisherExactTest.test(table: table).p, "Fisher–Freeman–Halton exact")
                        p = StatFormat.p(pValue) + "ᵃ"
                        exactUsed = true
                    }
                } catch { throw grouped.failure(line, error) }
            } else {
                let groups = try grouped.numbers(line)
                let decimals = context.codebook?[line.variable]?.summaryPrecision ?? 1
                for (group, values) in zip(grouped.levels, groups) {
                    let summary = Descriptive(values)
                    context.record(name, at: line.position, variable: line.variable, group: group, groupColumn: by,
                                   [PrintedNumber(.mean, StatFormat.fixed(summary.mean, decimals: decimals), value: summary.mean),
                                    PrintedNumber(.sd, StatFormat.fixed(summary.sd, decimals: decimals), value: summary.sd)])
                    cells.append([.text(StatFormat.typographic(StatFormat.meanSD(summary.mean, summary.sd, decimals: decimals)))])
                }
                do { pValue = try OneWayANOVA(groups: try grouped.centred(line)).p } catch { throw grouped.failure(line, error) }
                test = "one-way ANOVA"
                p = StatFormat.p(pValue)
            }
            context.record(name, at: line.position, variable: line.variable, groupColumn: by, level: line.level, test: test,
                           [PrintedNumber(.p, StatFormat.p(pValue), value: pValue)])
            rows.append([[.text(grouped.label(line, context))]] + cells + [[.text(p)]])
        }
        // Group sizes go into the header where they differ (groups made by another measurement, say) and the
        // labels do not already give them.
        let sizes = grouped.groupSizes
        let showSizes = Set(sizes).count > 1
        let groupHeaders = zip(grouped.levelLabels, sizes).map { label, n -> [Inline] in
            [.text(showSizes && !label.contains("n=") && !label.contains("n =") ? "\(label) (n\u{00A0}=\u{00A0}\(n))" : label)]
        }
        let header: [[Inline]] = [[.text(zh ? "指标" : "Variable")]] + groupHeaders + [[.text("P")]]
        let hasNumbers = grouped.lines.contains { $0.level == nil }, hasCounts = grouped.lines.contains { $0.level != nil }
        var note: [String] = []
        if zh {
            note.append("数据以" + [hasNumbers ? "均数 ± 标准差" : nil, hasCounts ? "例数（%）" : nil].compactMap { $0 }.joined(separator: "或") + "表示")
            note.append("P 值：" + [hasNumbers ? "计量资料采用单因素方差分析" : nil, hasCounts ? "计数资料采用 χ² 检验" : nil]
                .compactMap { $0 }.joined(separator: "，"))
            if exactUsed { note.append("ᵃ 期望频数小于 5，采用 Fisher–Freeman–Halton 精确检验") }
            if let missing = grouped.missingValuesNote(context) { note.append(missing) }
        } else {
            note.append("Values are " + [hasNumbers ? "mean ± SD" : nil, hasCounts ? "n (%)" : nil].compactMap { $0 }.joined(separator: " or "))
            note.append("P: " + [hasNumbers ? "one-way ANOVA for means" : nil, hasCounts ? "chi-square test for counts" : nil]
                .compactMap { $0 }.joined(separator: ", "))
            if exactUsed { note.append("ᵃ Fisher–Freeman–Halton exact test, as an expected count is below 5") }
            if let missing = grouped.missingValuesNote(context) { note.append(missing) }
        }
        return [.table(Table(id: call.options["id"], caption: call.options["caption"].map { [.text($0)] } ?? [], header: header,
                             rows: rows, alignments: Array(repeating: .left, count: header.count), number: nil,
                             note: [.text(note.joined(separator: zh ? "；" : "; ") + (zh ? "。" : "."))]))]
    }
}
