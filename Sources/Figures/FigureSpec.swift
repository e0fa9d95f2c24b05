import Foundation
import Tabular

extension DataTable {
    /// A column's cells, failing as a figure spec.
    func figureTexts(_ name: String) throws(FigureSpecError) -> [String?] {
        guard let column = self[name] else { throw .unknownColumn(name, known: names.sorted()) }
        return column
    }

    /// A column as numbers (the table's one reading of numbers), failing as a figure spec.
    func figureNumbers(_ name: String) throws(FigureSpecError) -> [Double?] {
        _ = try figureTexts(name)
        do { return try numbers(name) } catch { throw .data(error.message) }
    }
}

/// Why a figure spec cannot be drawn.
public enum FigureSpecError: Error, Equatable, CustomStringConvertible, Sendable {
    case unknownColumn(String, known: [String])
    /// A cell or column of the data the figure cannot use ("row 3, column 'x': 'nan' is not a decimal number").
    case data(String)
    case missingOption(kind: String, option: String)
    case empty(String)
    /// A size or other number of the spec outside what can be drawn, by its JSON key.
    case outOfRange(key: String, value: Double, allowed: ClosedRange<Double>)
    /// A key the spec does not know, with the closest known one.
    case unknownKey(String, suggestion: String?)
    /// A kind the spec does not know, with the closest known one (or the list).
    case unknownKind(String, suggestion: String)
    /// JSON that is not a spec, in words.
    case invalid(String)

    public var description: String {
        switch self {
        case let .unknownColumn(name, known): "no column '\(name)' (columns: \(known.joined(separator: ", ")))"
        case let .data(message): message
        case let .missingOption(kind, option): "a \(kind) figure needs '\(option)'"
        case let .empty(what): "no data for \(what)"
        case let .outOfRange(key, value, allowed):
            "'\(key)' is \(value); it must be a number from \(allowed.lowerBound) to \(allowed.upperBound)"
        case let .unknownKey(key, suggestion):
            "unknown key '\(key)'" + (suggestion.map { " (did you mean '\($0)'?)" } ?? " (keys: \(FigureSpec.keys.joined(separator: ", ")))")
        case let .unknownKind(kind, suggestion):
            suggestion.contains(",") ? "unknown kind '\(kind)' (kinds: \(suggestion))" : "unknown kind '\(kind)' (did you mean '\(suggestion)'?)"
        case let .invalid(message): message
        }
    }
}

/// A declarative description of a chart: what to draw from which columns, with labels and size.
public struct FigureSpec: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case boxplot, scatter, timecourse, proportion, blandAltman = "bland-altman"
    }

    public var kind: Kind
    /// boxplot: the variable; proportion: a 0/1 column.
    public var value: String?
    /// Grouping column (boxplot, proportion, timecourse, scatter colour).
    public var group: String?
    /// Group order and selection.
    public var levels: [String]?
    /// Display labels for the levels, in the same order.
    public var levelLabels: [String]?
    /// scatter: x and y; bland-altman: the two measurements (difference is x − y).
    public var x: String?
    public var y: String?
    /// timecourse: one column per time point.
    public var columns: [String]?
    /// timecourse: labels of the time points.
    public var timepoints: [String]?
    public var title: String?
    public var xLabel: String?
    public var yLabel: String?
    public var widthMM: Double?
    public var heightMM: Double?
    /// Language of the chart's own words (`en` or `zh`: "bias" / "偏倚"); a report sets its own when not given.
    public var language: String?

    public init(kind: Kind) { self.kind = kind }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, value, group, levels, levelLabels = "level_labels", x, y, columns, timepoints, title
        case xLabel = "x_label", yLabel = "y_label", widthMM = "width_mm", heightMM = "height_mm", language
    }

    /// Width and height a figure may have (mm): from a thumbnail to an A0 poster.
    public static let sizeRangeMM = 10.0...1200.0

    /// Builds the chart from a table.
    public func chart(_ table: DataTable) throws(FigureSpecError) -> any Chart {
        if let language, !["en", "zh"].contains(language) { throw .invalid("'language' must be en or zh, not '\(language)'") }
        for (key, value) in [("width_mm", widthMM), ("height_mm", heightMM)] {
            if let value, !Self.sizeRangeMM.contains(value) {
                throw .outOfRange(key: key, value: value, allowed: Self.sizeRangeMM)
            }
        }
        let width = (widthMM ?? 85) * FigureTheme.pointsPerMillimetre
        let height = (heightMM ?? 70) * FigureTheme.pointsPerMillimetre
        switch kind {
        case .boxplot:
            let value = try required(self.value, "value")
            let groups = try grouped(table, value)
            return BoxPlotChart(groups: groups.map { BoxPlotChart.Group(label: $0.label, values: $0.values) },
                                yLabel: yLabel ?? value, xLabel: xLabel, title: title ?? "", width: width, height: height)
        case .scatter:
            let xs = try table.figureNumbers(try required(x, "x")), ys = try table.figureNumbers(try required(y, "y"))
            let labels = try group.map { name throws(FigureSpecError) in try table.figureTexts(name) }
            var px: [Double] = [], py: [Double] = [], pg: [String] = []
            for row in 0..<table.rowCount {
                guard let a = xs[row], let b = ys[row] else { continue }
                if let labels {
                    guard let g = labels[row], levels?.contains(g) ?? true else { continue }
                    pg.append(displayLabel(g))
                }
                px.append(a)
                py.append(b)
            }
            guard px.count >= 3 else { throw .empty("scatter of \(x!) and \(y!)") }
            return ScatterChart(x: px, y: py, groups: labels == nil ? nil : pg,
                                groupOrder: (levels ?? []).map(displayLabel), xLabel: xLabel ?? x!, yLabel: yLabel ?? y!,
                                title: title ?? "", width: width, height: height)
        case .timecourse:
            let columns = try required(self.columns, "columns")
            var series: [TimeCourseChart.Series] = []
            let perColumn = try columns.map { name throws(FigureSpecError) in try grouped(table, name) }
            guard let first = perColumn.first else { throw .empty("time course") }
            for (index, group) in first.enumerated() {
                let summaries = perColumn.map { Descriptive($0[index].values) }
                series.append(TimeCourseChart.Series(label: group.label, means: summaries.map(\.mean), sds: summaries.map(\.sd)))
            }
            return TimeCourseChart(timepoints: timepoints ?? columns, series: series, yLabel: yLabel ?? columns[0],
                                   title: title ?? "", width: width, height: height)
        case .proportion:
            let value = try required(self.value, "value")
            let groups = try grouped(table, value)
            return ProportionChart(groups: groups.map {
                ProportionChart.Group(label: $0.label, count: $0.values.filter { $0 != 0 }.count, total: $0.values.count)
            }, yLabel: yLabel ?? value, xLabel: xLabel, title: title ?? "", width: width, height: height)
        case .blandAltman:
            let a = try table.figureNumbers(try required(x, "x")), b = try table.figureNumbers(try required(y, "y"))
            let pairs = zip(a, b).compactMap { pair -> (Double, Double)? in
                guard let u = pair.0, let v = pair.1 else { return nil }
                return (u, v)
            }
            guard pairs.count >= 3 else { throw .empty("Bland–Altman of \(x!) and \(y!)") }
            let zh = language == "zh"
            return BlandAltmanChart(a: pairs.map(\.0), b: pairs.map(\.1), xLabel: xLabel ?? (zh ? "均值" : "mean"),
                                    yLabel: yLabel ?? (zh ? "差值" : "difference"), title: title ?? "", width: width, height: height,
                                    lineLabels: zh ? ["偏倚", "一致性上限", "一致性下限"] : ["bias", "+1.96 SD", "−1.96 SD"])
        }
    }

    private func required<T>(_ value: T?, _ option: String) throws(FigureSpecError) -> T {
        guard let value else { throw .missingOption(kind: kind.rawValue, option: option) }
        return value
    }

    private func displayLabel(_ level: String) -> String {
        guard let levels, let labels = levelLabels, let index = levels.firstIndex(of: level), index < labels.count else {
            return level
        }
        return labels[index]
    }

    /// Non-missing values of `column` per group, in `levels` order (or order of appearance); one group "all"
    /// without `group`. The table drops the rows missing the value or the group and does the grouping.
    private func grouped(_ table: DataTable, _ column: String) throws(FigureSpecError) -> [(label: String, values: [Double])] {
        let numbers = try table.figureNumbers(column)
        guard let group else { return [(title ?? "all", numbers.compactMap { $0 })] }
        _ = try table.figureTexts(group)
        do {
            let complete = try table.complete(columns: [column, group])
            let grouping = try table.grouped(by: group, levels: levels, rows: complete.rows)
            return zip(grouping.labels, grouping.rows).map { label, rows in (displayLabel(label), rows.compactMap { numbers[$0] }) }
        } catch {
            throw .data(error.message)
        }
    }
}

import Statistics
