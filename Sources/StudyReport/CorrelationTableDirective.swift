import Figures
import Foundation
import Report
import Statistics
import Study
import Tabular

/// ```` ```{correlations id=tbl-4 caption="…" with=COLUMN} ```` with one variable per line: Pearson r of each
/// variable with `with` (3 decimals) and its P, as the paper's Table 4.
struct CorrelationTableDirective: BlockDirective {
    let name = "correlations"
    let allowedOptions: Set<String> = ["id", "caption", "with"]

    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Block] {
        guard let data = context.data else { throw fail(call, context, "{correlations} needs 'data:' in the front matter") }
        guard let with = call.options["with"], data[with] != nil else {
            throw fail(call, context, "{correlations} needs with= naming a column")
        }
        let zh = context.template.language == "zh"
        var rows: [[[Inline]]] = []
        for (offset, line) in (call.body ?? "").split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let variable = line.trimmingCharacters(in: .whitespaces)
            guard !variable.isEmpty else { continue }
            let lineNumber = call.position.line + 1 + offset
            guard data[variable] != nil else {
                throw ReportError(file: context.template.path, line: lineNumber, column: 1,
                                  "unknown column '\(variable)'" + suggestion(variable, data.names))
            }
            // Rows missing either value are left out (pairwise), as R's cor.test does; the values are centred in
            // exact decimal arithmetic (a correlation is location-invariant).
            let xs: [Double], ys: [Double]
            do {
                let rows = [try data.complete(columns: [with, variable]).rows]
                (xs, ys) = (try data.centred(with, in: rows)[0], try data.centred(variable, in: rows)[0])
            } catch {
                throw ReportError(file: context.template.path, line: lineNumber, column: 1, error.message)
            }
            guard let r = try? PearsonCorrelation(xs, ys) else {
                throw ReportError(file: context.template.path, line: lineNumber, column: 1, "\(variable): no correlation")
            }
            let label = context.variableLabel(variable)
            let position = SourcePosition(line: lineNumber, column: 1)
            context.record(name, at: position, variable: variable, with: with, test: "Pearson",
                           [PrintedNumber(.r, StatFormat.fixed(r.r, decimals: 3), value: r.r),
                            PrintedNumber(.p, StatFormat.p(r.p), value: r.p)])
            rows.append([[.text(label)], [.text(StatFormat.typographic(StatFormat.fixed(r.r, decimals: 3)))], [.text(StatFormat.p(r.p))]])
        }
        return [.table(Table(id: call.options["id"], caption: call.options["caption"].map { [.text($0)] } ?? [],
                             header: [[.text(zh ? "指标" : "Variable")], [.text("r")], [.text("P")]],
                             rows: rows, alignments: [.left, .right, .right], number: nil))]
    }
}
