import Figures
import Foundation
import Statistics

/// ```` ```{summary id=tbl-1 caption="…" by=dr_group levels=high,medium,low} ```` with one variable per line:
/// a table with a row per variable — its codebook label, "x̄±s" (numbers) or "n (%)" of a level (`VARIABLE
/// LEVEL` lines) in each group, and the P of one-way ANOVA (numbers) or chi-square (levels), as the paper's
/// Tables 1–3 report them.
struct SummaryTableDirective: BlockDirective {
    let name = "summary"
    let allowedOptions: Set<String> = ["id", "caption", "by", "levels", "labels"]

    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Block] {
        guard let data = context.data else { throw fail(call, context, "{summary} needs 'data:' in the front matter") }
        guard let by = call.options["by"], let groupColumn = data.columns[by] else {
            throw fail(call, context, "{summary} needs by= naming a column" + suggestion(call.options["by"] ?? "", data.columns.keys))
        }
        let levels = call.options["levels"]?.split(separator: ",").map(String.init)
            ?? Array(NSOrderedSet(array: groupColumn.compactMap { $0 }).array as! [String])
        let levelLabels = call.options["labels"]?.split(separator: ",").map(String.init) ?? levels
        let zh = context.template.language == "zh"
        var rows: [[[Inline]]] = []
        for (offset, line) in (call.body ?? "").split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let words = line.split(separator: " ").map(String.init)
            guard let variable = words.first else { continue }
            let position = SourcePosition(line: call.position.line + 1 + offset, column: 1)
            guard let column = data.columns[variable] else {
                throw ReportError(file: context.template.path, line: position.line, column: 1,
                                  "unknown column '\(variable)'" + suggestion(variable, data.columns.keys))
            }
            let entry = context.codebook?[variable]
            var label = (zh ? entry?.labelZh : entry?.labelEn) ?? variable
            if let unit = entry?.unit, !unit.isEmpty { label += " (\(unit))" }
            var cells: [[Inline]] = []
            let p: Double
            do {
                if words.count > 1 {
                    let level = words[1]
                    // A 0/1 variable needs no level in its label; a category names the level counted.
                    if entry?.type != "binary" { label += zh ? "，\(level)" : ", \(level)" }
                    for group in levels {
                        let values = column.indices.filter { groupColumn[$0] == group }.compactMap { column[$0] }
                        cells.append([.text(StatFormat.countPercent(values.filter { $0 == level }.count, of: values.count))])
                    }
                    let categories = Array(Set(column.compactMap { $0 })).sorted()
                    let table = categories.map { category in
                        levels.map { group in column.indices.filter { groupColumn[$0] == group && column[$0] == category }.count }
                    }
                    p = try ChiSquareTest(table: table).p
                } else {
                    var groups: [[Double]] = []
                    for group in levels {
                        var values: [Double] = []
                        for index in column.indices where groupColumn[index] == group {
                            guard let text = column[index] else { continue }
                            guard let value = Double(text) else {
                                throw ReportError(file: context.template.path, line: position.line, column: 1,
                                                  "row \(index + 1), column '\(variable)': '\(text)' is not a number")
                            }
                            values.append(value)
                        }
                        groups.append(values)
                        let summary = Descriptive(values)
                        cells.append([.text(StatFormat.meanSD(summary.mean, summary.sd, decimals: max(1, entry?.decimals ?? 1)))])
                    }
                    p = try OneWayANOVA(groups: groups).p
                }
            } catch let error as ReportError {
                throw error
            } catch {
                throw ReportError(file: context.template.path, line: position.line, column: 1, "\(variable): \(error)")
            }
            rows.append([[.text(label)]] + cells + [[.text(StatFormat.p(p))]])
        }
        let header: [[Inline]] = [[.text(zh ? "指标" : "Variable")]] + levelLabels.map { [.text($0)] } + [[.text(zh ? "P 值" : "P")]]
        return [.table(Table(id: call.options["id"], caption: call.options["caption"].map { [.text($0)] } ?? [], header: header,
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
