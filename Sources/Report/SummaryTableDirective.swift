import Figures
import Foundation
import Statistics

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

/// ```` ```{correlations id=tbl-4 caption="…" with=COLUMN} ```` with one variable per line: Pearson r of each
/// variable with `with` (3 decimals) and its P, as the paper's Table 4.
struct CorrelationTableDirective: BlockDirective {
    let name = "correlations"
    let allowedOptions: Set<String> = ["id", "caption", "with"]

    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Block] {
        guard let data = context.data else { throw fail(call, context, "{correlations} needs 'data:' in the front matter") }
        guard let with = call.options["with"], let xs = data.columns[with] else {
            throw fail(call, context, "{correlations} needs with= naming a column")
        }
        let zh = context.template.language == "zh"
        var rows: [[[Inline]]] = []
        for (offset, line) in (call.body ?? "").split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let variable = line.trimmingCharacters(in: .whitespaces)
            guard !variable.isEmpty else { continue }
            let lineNumber = call.position.line + 1 + offset
            guard let ys = data.columns[variable] else {
                throw ReportError(file: context.template.path, line: lineNumber, column: 1,
                                  "unknown column '\(variable)'" + suggestion(variable, data.columns.keys))
            }
            let pairs = zip(xs, ys).compactMap { pair -> (Double, Double)? in
                guard let a = pair.0.flatMap(Double.init), let b = pair.1.flatMap(Double.init) else { return nil }
                return (a, b)
            }
            guard let r = try? PearsonCorrelation(pairs.map(\.0), pairs.map(\.1)) else {
                throw ReportError(file: context.template.path, line: lineNumber, column: 1, "\(variable): no correlation")
            }
            let entry = context.codebook?[variable]
            let label = (zh ? entry?.labelZh : entry?.labelEn) ?? variable
            rows.append([[.text(label)], [.text(StatFormat.fixed(r.r, decimals: 3))], [.text(StatFormat.p(r.p))]])
        }
        return [.table(Table(id: call.options["id"], caption: call.options["caption"].map { [.text($0)] } ?? [],
                             header: [[.text(zh ? "指标" : "Variable")], [.text(zh ? "r 值" : "r")], [.text(zh ? "P 值" : "P")]],
                             rows: rows, alignments: [.left, .right, .right], number: nil))]
    }
}
