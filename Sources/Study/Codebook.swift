import CementCore
import Foundation
import Tabular

/// What each cohort column holds: type, unit, valid range, printed decimals, recording step and labels
/// (`data/codebook.csv`).
public struct Codebook: Sendable {
    public struct Variable: Sendable {
        public var name: String
        /// id, date, integer, number, binary, or category:A|B|…
        public var type: String
        public var unit: String
        public var minimum: Double?
        public var maximum: Double?
        public var decimals: Int?
        /// Resolution values are recorded at (e.g. 2 for ODI, 0.1 for heights).
        public var step: Double?
        public var labelEn: String
        public var labelZh: String
        /// Decimals of a summary (mean, SD) of the variable, when the codebook's optional `summary_decimals`
        /// column gives them; `summaryPrecision` supplies the default.
        public var summaryDecimals: Int? = nil
        /// The unit as Chinese text prints it (岁, 次, 分), from the optional `unit_zh` column; nil: as `unit`.
        public var unitZh: String? = nil
        /// Labels of category levels ("F" → "female"), from the optional `levels_en` and `levels_zh` columns
        /// (`F=female|M=male`).
        public var levelLabelsEn: [String: String] = [:]
        public var levelLabelsZh: [String: String] = [:]

        /// The unit in the report's language, nil when the variable has none.
        public func unit(zh: Bool) -> String? {
            let text = zh ? (unitZh ?? unit) : unit
            return text.isEmpty ? nil : text
        }

        /// A level's label in the report's language; the level itself when the codebook gives none.
        public func levelLabel(_ level: String, zh: Bool) -> String {
            (zh ? levelLabelsZh : levelLabelsEn)[level] ?? level
        }

        /// Decimals a mean or SD of this variable is printed with, in text, tables and figures alike: the
        /// codebook's `summary_decimals`, else one more than a whole-number variable's own (a mean VAS of
        /// whole points is 1.7, not 2), else the variable's own decimals, and at least one.
        public var summaryPrecision: Int {
            if let summaryDecimals { return summaryDecimals }
            let raw = decimals ?? 1
            return ["integer", "binary"].contains(type) ? raw + 1 : max(1, raw)
        }

        public var categories: [String]? {
            type.hasPrefix("category:") ? type.dropFirst("category:".count).split(separator: "|").map(String.init) : nil
        }
    }

    public var variables: [Variable]

    public subscript(name: String) -> Variable? { variables.first { $0.name == name } }

    /// The column kinds the codebook declares, for `DataTable`: numbers (number, integer, binary) are numeric;
    /// ids, dates and categories are categorical.
    public var kinds: [String: DataTable.Kind] {
        var kinds: [String: DataTable.Kind] = [:]
        for variable in variables {
            kinds[variable.name] = ["number", "integer", "binary"].contains(variable.type) ? .numeric : .categorical
        }
        return kinds
    }

    public static func load(_ path: String) throws(StudyError) -> Codebook {
        let table = try CSVTable.read(path)
        var variables: [Variable] = []
        let columns = ["variable", "type", "unit", "min", "max", "decimals", "step", "label_en", "label_zh"]
        var index: [String: Int] = [:]
        for name in columns { index[name] = try table.studyColumn(name) }
        let summaryColumn = table.header.firstIndex(of: "summary_decimals")
        let optional = ["unit_zh", "levels_en", "levels_zh"].map { table.header.firstIndex(of: $0) }
        for row in table.rows.indices {
            func text(_ name: String) -> String? { table.text(row: row, column: index[name]!) }
            func number(_ name: String) throws(StudyError) -> Double? {
                if name == "min" || name == "max", text("type") == "date" { return nil }
                return try table.studyNumber(row: row, column: index[name]!)
            }
            guard let name = text("variable"), let type = text("type") else {
                throw StudyError(file: path, "row \(row + 1): variable and type are required")
            }
            var summaryDecimals: Int?
            if let summaryColumn { summaryDecimals = (try table.studyNumber(row: row, column: summaryColumn)).map { Int($0) } }
            let extra = optional.map { index in index.flatMap { table.text(row: row, column: $0) } }
            variables.append(Variable(name: name, type: type, unit: text("unit") ?? "", minimum: try number("min"),
                                      maximum: try number("max"), decimals: (try number("decimals")).map { Int($0) },
                                      step: try number("step"), labelEn: text("label_en") ?? name,
                                      labelZh: text("label_zh") ?? name,
                                      summaryDecimals: summaryDecimals, unitZh: extra[0],
                                      levelLabelsEn: try levelLabels(extra[1], file: path, row: row),
                                      levelLabelsZh: try levelLabels(extra[2], file: path, row: row)))
        }
        return Codebook(variables: variables)
    }

    /// `F=female|M=male` → ["F": "female", "M": "male"].
    private static func levelLabels(_ text: String?, file: String, row: Int) throws(StudyError) -> [String: String] {
        var labels: [String: String] = [:]
        for pair in (text ?? "").split(separator: "|") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw StudyError(file: file, "row \(row + 1): level labels are LEVEL=label|…, not '\(pair)'")
            }
            labels[parts[0]] = parts[1]
        }
        return labels
    }

    /// Checks one cell; nil when valid, otherwise the reason.
    public func problem(with value: String, in variable: Variable) -> String? {
        if let categories = variable.categories {
            return categories.contains(value) ? nil : "'\(value)' is not one of \(categories.joined(separator: ", "))"
        }
        switch variable.type {
        case "id": return value.isEmpty ? "empty identifier" : nil
        case "date":
            guard case let .failure(problem) = CalendarDate.parse(value) else { return nil }
            return problem.description
        default:
            let number: Double
            switch DecimalNumber.parse(value) {
            case let .success(parsed): number = parsed
            case let .failure(problem): return problem.description
            }
            if variable.type == "binary", number != 0, number != 1 { return "'\(value)' is not 0 or 1" }
            if variable.type == "integer", number != number.rounded() { return "'\(value)' is not a whole number" }
            if let minimum = variable.minimum, number < minimum { return "\(value) is below \(minimum)" }
            if let maximum = variable.maximum, number > maximum { return "\(value) is above \(maximum)" }
            return nil
        }
    }
}
