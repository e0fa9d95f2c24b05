import Figures
import Foundation
import Report
import Study
import Tabular

/// The variables a grouped-table directive lists in its body (`VARIABLE` or `VARIABLE LEVEL`, one per line), with
/// the data split by the groups named by `by=` and `levels=`. Shared by `{summary}`, `{assumptions}` and
/// `{effect_sizes}`, so that every table of one report groups and labels the data the same way.
struct GroupedVariables {
    struct Line {
        var variable: String
        /// The level counted (`sex F`); nil for a number.
        var level: String?
        var position: SourcePosition
        var values: [String?]
    }

    let levels: [String]
    let levelLabels: [String]
    let lines: [Line]
    private let data: DataTable
    /// The rows of each level (all rows with the group label; a line drops those missing its own value).
    private let groupRows: [[Int]]
    private let file: String

    init(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) {
        guard let data = context.data else { throw fail(call, context, "{\(call.name)} needs 'data:' in the front matter") }
        guard let by = call.options["by"], data[by] != nil else {
            throw fail(call, context, "{\(call.name)} needs by= naming a column" + suggestion(call.options["by"] ?? "", data.names))
        }
        let asked = call.options["levels"]?.split(separator: ",").map(String.init) ?? []
        let grouping: DataTable.Grouping
        do { grouping = try data.grouped(by: by, levels: asked.isEmpty ? nil : asked) } catch { throw fail(call, context, error.message) }
        let levels = grouping.labels
        for (level, rows) in zip(levels, grouping.rows) where rows.isEmpty {
            throw fail(call, context, "no rows with \(by) = \(level)")
        }
        let labels = call.options["labels"]?.split(separator: ",").map(String.init) ?? levels
        guard labels.count == levels.count else {
            throw fail(call, context, "labels= names \(labels.count) groups, levels= \(levels.count)")
        }
        var lines: [Line] = []
        for (offset, text) in (call.body ?? "").split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let words = text.split(separator: " ").map(String.init)
            guard let variable = words.first else { continue }
            let position = SourcePosition(line: call.position.line + 1 + offset, column: 1)
            guard let values = data[variable] else {
                throw ReportError(file: context.template.path, line: position.line, column: 1,
                                  "unknown column '\(variable)'" + suggestion(variable, data.names))
            }
            lines.append(Line(variable: variable, level: words.count > 1 ? words[1] : nil, position: position, values: values))
        }
        self.levels = levels
        levelLabels = labels
        self.lines = lines
        self.data = data
        groupRows = grouping.rows
        file = context.template.path
    }

    /// The codebook label with its unit in the report's language, and the level's label for a category ("Sex,
    /// female", "性别，女"); a 0/1 variable needs no level.
    func label(_ line: Line, _ context: RenderContext) -> String {
        let zh = context.template.language == "zh"
        let entry = context.codebook?[line.variable]
        var label = context.variableLabel(line.variable)
        if let level = line.level, entry?.type != "binary" {
            let name = entry?.levelLabel(level, zh: zh) ?? level
            label += zh ? "，\(name)" : ", \(name)"
        }
        return label
    }

    /// Rows with a group value, per group.
    var groupSizes: [Int] { groupRows.map(\.count) }

    /// The lines missing values, with the n used per group, for a table's note ("missing values left out: VAS at
    /// 1 year, n = 38, 40, 39"); nil when no line misses any.
    func missingValuesNote(_ context: RenderContext) -> String? {
        let zh = context.template.language == "zh"
        let lines = lines.compactMap { line -> String? in
            let used = present(line).map(\.count)
            guard used != groupSizes else { return nil }
            return label(line, context) + (zh ? "，n = " : ", n = ") + used.map(String.init).joined(separator: zh ? "、" : ", ")
        }
        guard !lines.isEmpty else { return nil }
        return (zh ? "缺失值未纳入：" : "missing values left out: ") + lines.joined(separator: zh ? "；" : "; ")
    }

    /// The rows of each group with the line's value present (the n used per group).
    private func present(_ line: Line) -> [[Int]] {
        groupRows.map { rows in rows.filter { line.values[$0] != nil } }
    }

    /// A table operation on a line, its error positioned at the line.
    private func reading<T>(_ line: Line, _ body: () throws(TableError) -> T) throws(ReportError) -> T {
        do { return try body() } catch { throw ReportError(file: file, line: line.position.line, column: 1, error.message) }
    }

    /// The values of a numeric line per group, as recorded (for means); a non-number is an error naming the row
    /// and the column.
    func numbers(_ line: Line) throws(ReportError) -> [[Double]] {
        let values = try reading(line) { () throws(TableError) in try data.numbers(line.variable) }
        return present(line).map { rows in rows.map { values[$0]! } }
    }

    /// The values of a numeric line per group, centred in exact decimal arithmetic (`DataTable.centred`), for the
    /// location-invariant tests (ANOVA, Welch, Levene, Shapiro–Wilk, Kruskal–Wallis).
    func centred(_ line: Line) throws(ReportError) -> [[Double]] {
        try reading(line) { () throws(TableError) in try data.centred(line.variable, in: groupRows) }
    }

    /// Non-missing values of a line per group, as text.
    func categories(_ line: Line) -> [[String]] {
        present(line).map { rows in rows.map { line.values[$0]! } }
    }

    /// Counts of every category (rows, sorted) in every group (columns), for chi-square and exact tests.
    func contingency(_ line: Line) -> [[Int]] {
        let byGroup = categories(line)
        let all = Array(Set(byGroup.flatMap { $0 })).sorted()
        return all.map { category in byGroup.map { values in values.filter { $0 == category }.count } }
    }

    /// A statistics failure on a line, as a positioned error.
    func failure(_ line: Line, _ error: any Error) -> ReportError {
        ReportError(file: file, line: line.position.line, column: 1, "\(line.variable): \(error)")
    }
}
