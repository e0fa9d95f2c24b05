import Figures
import Foundation
import Statistics
import Tabular

/// Values of a data column, as numbers, optionally for the rows where `by` equals `group`.
private func numbers(_ call: DirectiveCall, _ context: RenderContext, column: String, group: String? = nil,
                     by: String? = nil) throws(ReportError) -> [Double] {
    guard let data = context.data else { throw fail(call, context, "{\(call.name)} needs 'data:' in the front matter") }
    guard let values = data.columns[column] else {
        throw fail(call, context, "unknown column '\(column)'" + suggestion(column, data.columns.keys))
    }
    var groups: [String?]?
    if let group {
        guard let by, let labels = data.columns[by] else {
            throw fail(call, context, "unknown grouping column '\(by ?? "")'" + suggestion(by ?? "", data.columns.keys))
        }
        groups = labels
        if !labels.contains(group) { throw fail(call, context, "no rows with \(by) = \(group)") }
    }
    var result: [Double] = []
    for (row, text) in values.enumerated() {
        if let groups, groups[row] != group { continue }
        guard let text else { continue }
        switch DecimalNumber.parse(text) {
        case let .success(value): result.append(value)
        case let .failure(problem): throw fail(call, context, "row \(row + 1), column '\(column)': \(problem)")
        }
    }
    return result
}

private func decimals(_ call: DirectiveCall, _ context: RenderContext, default value: Int) throws(ReportError) -> Int {
    guard let text = call.options["decimals"] else { return value }
    guard let decimals = Int(text), (0...6).contains(decimals) else { throw fail(call, context, "decimals must be 0–6") }
    return decimals
}

private func column(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> String {
    guard let name = call.arguments.first else { throw fail(call, context, "{\(call.name)} needs a column name") }
    return name
}

/// The template's data and the column the directive names, as text.
private func textColumn(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> (FigureTable, [String?]) {
    guard let data = context.data else { throw fail(call, context, "{\(call.name)} needs 'data:' in the front matter") }
    let name = try column(call, context)
    guard let values = data.columns[name] else {
        throw fail(call, context, "unknown column '\(name)'" + suggestion(name, data.columns.keys))
    }
    return (data, values)
}

/// `{mean_sd COLUMN [group=G by=COLUMN] [decimals=1]}` → "7.5±1.1".
struct MeanSDDirective: InlineDirective {
    let name = "mean_sd"
    let allowedOptions: Set<String> = ["group", "by", "decimals"]
    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Inline] {
        let name = try column(call, context)
        let values = try numbers(call, context, column: name, group: call.options["group"], by: call.options["by"])
        let summary = Descriptive(values)
        // A summary's own decimals (from a codebook, say), not the raw values' (a mean VAS is 1.7, not 2),
        // unless the directive says otherwise.
        let preset = context.state((any ColumnFormatting).self)?.summaryDecimals(of: name) ?? 1
        let places = try decimals(call, context, default: preset)
        let mean = StatFormat.fixed(summary.mean, decimals: places), sd = StatFormat.fixed(summary.sd, decimals: places)
        context.record(call, variable: name, group: call.options["group"], groupColumn: call.options["by"],
                       [PrintedNumber(.mean, mean, value: summary.mean), PrintedNumber(.sd, sd, value: summary.sd)])
        return [.text(StatFormat.typographic(StatFormat.meanSD(summary.mean, summary.sd, decimals: places)))]
    }
}

/// `{count COLUMN value=V [group=G by=COLUMN]}` → "4 (10.0)": rows with the value, and their percentage.
struct CountDirective: InlineDirective {
    let name = "count"
    let allowedOptions: Set<String> = ["value", "group", "by", "decimals"]
    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Inline] {
        let (data, values) = try textColumn(call, context)
        guard let wanted = call.options["value"] else { throw fail(call, context, "{count} needs value=") }
        var labels: [String?]?
        if let group = call.options["group"] {
            guard let by = call.options["by"], let column = data.columns[by] else {
                throw fail(call, context, "{count} with group= needs a valid by=")
            }
            labels = column.map { $0 == group ? "in" : nil }
        }
        let rows = values.indices.filter { labels?[$0] != nil || labels == nil }.filter { values[$0] != nil }
        let count = rows.filter { values[$0] == wanted }.count
        let places = try decimals(call, context, default: 1)
        let percent = rows.isEmpty ? Double.nan : 100 * Double(count) / Double(rows.count)
        context.record(call, variable: try column(call, context), group: call.options["group"], groupColumn: call.options["by"],
                       level: wanted, [PrintedNumber(.count, "\(count)", value: Double(count)),
                                       PrintedNumber(.percent, StatFormat.fixed(percent, decimals: places), value: percent)])
        return [.text(StatFormat.countPercent(count, of: rows.count, decimals: places))]
    }
}

/// `{p anova|kruskal|chisq|pearson COLUMN by=COLUMN}` (pearson: `with=COLUMN`) → "P = 0.035" or "P < 0.001", as
/// a sentence states a P (no-break spaces keep it on one line).
struct PValueDirective: InlineDirective {
    let name = "p"
    let allowedOptions: Set<String> = ["by", "with", "levels"]
    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Inline] {
        guard call.arguments.count == 2 else { throw fail(call, context, "use {p TEST COLUMN by=GROUPCOLUMN}") }
        let (test, variable) = (call.arguments[0], call.arguments[1])
        guard let data = context.data else { throw fail(call, context, "{p} needs 'data:' in the front matter") }
        do {
            switch test {
            case "pearson":
                guard let with = call.options["with"] else { throw fail(call, context, "{p pearson} needs with=") }
                let x = try numbers(call, context, column: with), y = try numbers(call, context, column: variable)
                guard x.count == y.count else { throw fail(call, context, "missing values differ between the columns") }
                let p = try PearsonCorrelation(x, y).p
                context.record(call, variable: variable, with: with, test: "Pearson", [PrintedNumber(.p, StatFormat.p(p), value: p)])
                return [.text(StatFormat.pStatement(p))]
            case "anova", "kruskal", "chisq":
                guard let by = call.options["by"], let labels = data.columns[by] else {
                    throw fail(call, context, "{p \(test)} needs a valid by=")
                }
                var levels = call.options["levels"]?.split(separator: ",").map(String.init) ?? []
                if levels.isEmpty { for case let label? in labels where !levels.contains(label) { levels.append(label) } }
                if test == "chisq" {
                    guard let values = data.columns[variable] else { throw fail(call, context, "unknown column '\(variable)'") }
                    var categories: [String] = []
                    for case let value? in values where !categories.contains(value) { categories.append(value) }
                    categories.sort()
                    let table = categories.map { category in
                        levels.map { level in values.indices.filter { labels[$0] == level && values[$0] == category }.count }
                    }
                    let p = try ChiSquareTest(table: table).p
                    context.record(call, variable: variable, groupColumn: by, test: "chi-square",
                                   [PrintedNumber(.p, StatFormat.p(p), value: p)])
                    return [.text(StatFormat.pStatement(p))]
                }
                var groups: [[Double]] = []
                for level in levels { groups.append(try numbers(call, context, column: variable, group: level, by: by)) }
                let p = test == "anova" ? try OneWayANOVA(groups: groups).p : try KruskalWallis.test(groups: groups).p
                context.record(call, variable: variable, groupColumn: by, test: test == "anova" ? "one-way ANOVA" : "Kruskal–Wallis",
                               [PrintedNumber(.p, StatFormat.p(p), value: p)])
                return [.text(StatFormat.pStatement(p))]
            default:
                throw fail(call, context, "unknown test '\(test)'" + suggestion(test, ["anova", "kruskal", "chisq", "pearson"]))
            }
        } catch let error as StatisticsError {
            throw fail(call, context, error.description)
        } catch let error as ReportError {
            throw error
        } catch {
            throw fail(call, context, "\(error)")
        }
    }
}

/// `{value COLUMN case=P005 [key=case_id] [decimals=1]}` → one patient's value, as recorded (a number rounded to
/// `decimals=`, or to the column's decimals from a codebook); for describing a single case (the patient shown in a
/// CT figure) without copying numbers into the prose.
struct CaseValueDirective: InlineDirective {
    let name = "value"
    let allowedOptions: Set<String> = ["case", "key", "decimals"]
    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Inline] {
        let (data, values) = try textColumn(call, context)
        guard let wanted = call.options["case"] else { throw fail(call, context, "{value} needs case=") }
        let key = call.options["key"] ?? "case_id"
        guard let keys = data.columns[key] else {
            throw fail(call, context, "unknown key column '\(key)'" + suggestion(key, data.columns.keys))
        }
        let rows = keys.indices.filter { keys[$0] == wanted }
        guard rows.count == 1 else {
            throw fail(call, context, rows.isEmpty ? "no row with \(key) = \(wanted)" : "\(rows.count) rows with \(key) = \(wanted)")
        }
        let variable = try column(call, context)
        guard let text = values[rows[0]] else {
            context.record(call, variable: variable, group: wanted, groupColumn: key, [PrintedNumber(.recorded, "–", value: nil)])
            return [.text("–")]
        }
        // Measured values (rate-batch writes full precision) print at the column's decimals.
        let preset = context.state((any ColumnFormatting).self)?.decimals(of: variable)
        var printed = text
        if call.options["decimals"] != nil || preset != nil, case let .success(number) = DecimalNumber.parse(text) {
            printed = String(format: "%.\(try decimals(call, context, default: preset ?? 1))f", number)
        }
        context.record(call, variable: variable, group: wanted, groupColumn: key, [PrintedNumber(.recorded, printed, value: nil)])
        return [.text(printed)]
    }
}
