import Figures
import Foundation
import Statistics
import Tabular

/// The template's data, or an error saying the directive needs it.
private func table(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> DataTable {
    guard let data = context.data else { throw fail(call, context, "{\(call.name)} needs 'data:' in the front matter") }
    return data
}

/// The rows of the data where `by` equals `group` (all rows without a group).
private func groupRows(_ call: DirectiveCall, _ context: RenderContext, group: String?, by: String?) throws(ReportError) -> [Int]? {
    guard let group else { return nil }
    let data = try table(call, context)
    guard let by, data[by] != nil else {
        throw fail(call, context, "unknown grouping column '\(by ?? "")'" + suggestion(by ?? "", data.names))
    }
    let rows = try tableCall(call, context) { () throws(TableError) in try data.grouped(by: by, levels: [group]).rows[0] }
    if rows.isEmpty { throw fail(call, context, "no rows with \(by) = \(group)") }
    return rows
}

/// A table operation, its error positioned at the directive.
private func tableCall<T>(_ call: DirectiveCall, _ context: RenderContext, _ body: () throws(TableError) -> T)
    throws(ReportError) -> T
{
    do { return try body() } catch { throw fail(call, context, error.message) }
}

/// The present values of a data column, as numbers, optionally for the rows where `by` equals `group`.
private func numbers(_ call: DirectiveCall, _ context: RenderContext, column: String, group: String? = nil,
                     by: String? = nil) throws(ReportError) -> [Double] {
    let data = try table(call, context)
    guard data[column] != nil else {
        throw fail(call, context, "unknown column '\(column)'" + suggestion(column, data.names))
    }
    let rows = try groupRows(call, context, group: group, by: by)
    return try tableCall(call, context) { () throws(TableError) in
        let values = try data.numbers(column)
        return try data.complete(columns: [column], rows: rows).rows.map { values[$0]! }
    }
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
private func textColumn(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> (DataTable, [String?]) {
    let data = try table(call, context)
    let name = try column(call, context)
    guard let values = data[name] else {
        throw fail(call, context, "unknown column '\(name)'" + suggestion(name, data.names))
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
        var members: [Int]?
        if let group = call.options["group"] {
            guard let by = call.options["by"], data[by] != nil else {
                throw fail(call, context, "{count} with group= needs a valid by=")
            }
            members = try tableCall(call, context) { () throws(TableError) in try data.grouped(by: by, levels: [group]).rows[0] }
        }
        let name = try column(call, context)
        let rows = try tableCall(call, context) { () throws(TableError) in try data.complete(columns: [name], rows: members).rows }
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
                for name in [with, variable] where data[name] == nil {
                    throw fail(call, context, "unknown column '\(name)'" + suggestion(name, data.names))
                }
                // The pairs with both values (the n used); centred, as a correlation is location-invariant.
                let pairs = try tableCall(call, context) { () throws(TableError) in
                    let rows = [try data.complete(columns: [with, variable]).rows]
                    return (try data.centred(with, in: rows)[0], try data.centred(variable, in: rows)[0])
                }
                let p = try PearsonCorrelation(pairs.0, pairs.1).p
                context.record(call, variable: variable, with: with, test: "Pearson", [PrintedNumber(.p, StatFormat.p(p), value: p)])
                return [.text(StatFormat.pStatement(p))]
            case "anova", "kruskal", "chisq":
                guard let by = call.options["by"], data[by] != nil else {
                    throw fail(call, context, "{p \(test)} needs a valid by=")
                }
                let levels = call.options["levels"]?.split(separator: ",").map(String.init)
                guard let values = data[variable] else { throw fail(call, context, "unknown column '\(variable)'") }
                // The rows with both the value and the group (the n used), split by the group.
                let grouping = try tableCall(call, context) { () throws(TableError) in
                    let complete = try data.complete(columns: [variable, by])
                    return try data.grouped(by: by, levels: levels?.isEmpty == false ? levels : nil, rows: complete.rows)
                }
                if test == "chisq" {
                    let categories = Set(grouping.rows.joined().compactMap { values[$0] }).sorted()
                    let table = categories.map { category in grouping.rows.map { rows in rows.filter { values[$0] == category }.count } }
                    let p = try ChiSquareTest(table: table).p
                    context.record(call, variable: variable, groupColumn: by, test: "chi-square",
                                   [PrintedNumber(.p, StatFormat.p(p), value: p)])
                    return [.text(StatFormat.pStatement(p))]
                }
                for (level, rows) in zip(grouping.labels, grouping.rows) where rows.isEmpty {
                    throw fail(call, context, "no rows with \(by) = \(level)")
                }
                let groups = try tableCall(call, context) { () throws(TableError) in try data.centred(variable, in: grouping.rows) }
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
        guard let keys = data[key] else {
            throw fail(call, context, "unknown key column '\(key)'" + suggestion(key, data.names))
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
