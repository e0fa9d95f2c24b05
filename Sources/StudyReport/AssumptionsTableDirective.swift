import Foundation
import Report
import Statistics

/// ```` ```{assumptions id=tbl-x caption="…" by=dr_group levels=high,medium,low labels="…"} ```` with one numeric
/// variable per line: the checks behind each one-way ANOVA — Shapiro–Wilk normality P in every group, the
/// Brown–Forsythe (median-centred Levene) P for equal variances — and the P of the two tests that drop an
/// assumption: Welch's ANOVA (unequal variances) and Kruskal–Wallis (no normality).
struct AssumptionsTableDirective: BlockDirective {
    let name = "assumptions"
    let allowedOptions: Set<String> = ["id", "caption", "by", "levels", "labels"]

    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Block] {
        let grouped = try GroupedVariables(call, context)
        let zh = context.template.language == "zh"
        var rows: [[[Inline]]] = []
        for line in grouped.lines {
            guard line.level == nil else {
                throw ReportError(file: context.template.path, line: line.position.line, column: 1,
                                  "{assumptions} checks numeric variables; '\(line.variable) \(line.level!)' is a count")
            }
            let groups = try grouped.centred(line)
            var cells: [[Inline]] = []
            func cell(_ p: Double, _ test: String, group: String? = nil) {
                context.record(name, at: line.position, variable: line.variable, group: group, groupColumn: call.options["by"],
                               test: test, [PrintedNumber(.p, StatFormat.p(p), value: p)])
                cells.append([.text(StatFormat.p(p))])
            }
            do {
                for (group, values) in zip(grouped.levels, groups) { cell(try ShapiroWilk.test(values).p, "Shapiro–Wilk", group: group) }
                cell(try LeveneTest.test(groups: groups, centre: .median).p, "Brown–Forsythe")
                cell(try WelchANOVA(groups: groups).p, "Welch ANOVA")
                cell(try KruskalWallis.test(groups: groups).p, "Kruskal–Wallis")
            } catch { throw grouped.failure(line, error) }
            rows.append([[.text(grouped.label(line, context))]] + cells)
        }
        let normality = grouped.levelLabels.map { label -> [Inline] in
            [.text(zh ? "正态性 P（\(label)）" : "Shapiro–Wilk P, \(label)")]
        }
        let header: [[Inline]] = [[.text(zh ? "指标" : "Variable")]] + normality
            + [[.text(zh ? "方差齐性 P" : "Brown–Forsythe P")], [.text(zh ? "Welch 方差分析 P" : "Welch ANOVA P")],
               [.text(zh ? "Kruskal–Wallis P" : "Kruskal–Wallis P")]]
        return [.table(Table(id: call.options["id"], caption: call.options["caption"].map { [.text($0)] } ?? [],
                             header: header, rows: rows,
                             alignments: [.left] + Array(repeating: .right, count: header.count - 1), number: nil))]
    }
}
