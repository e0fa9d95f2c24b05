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

        public var categories: [String]? {
            type.hasPrefix("category:") ? type.dropFirst("category:".count).split(separator: "|").map(String.init) : nil
        }
    }

    public var variables: [Variable]

    public subscript(name: String) -> Variable? { variables.first { $0.name == name } }

    public static func load(_ path: String) throws(StudyError) -> Codebook {
        let table = try CSVTable.read(path)
        var variables: [Variable] = []
        let columns = ["variable", "type", "unit", "min", "max", "decimals", "step", "label_en", "label_zh"]
        var index: [String: Int] = [:]
        for name in columns { index[name] = try table.studyColumn(name) }
        for row in table.rows.indices {
            func text(_ name: String) -> String? { table.text(row: row, column: index[name]!) }
            func number(_ name: String) throws(StudyError) -> Double? {
                if name == "min" || name == "max", text("type") == "date" { return nil }
                return try table.studyNumber(row: row, column: index[name]!)
            }
            guard let name = text("variable"), let type = text("type") else {
                throw StudyError(file: path, "row \(row + 1): variable and type are required")
            }
            variables.append(Variable(name: name, type: type, unit: text("unit") ?? "", minimum: try number("min"),
                                      maximum: try number("max"), decimals: (try number("decimals")).map { Int($0) },
                                      step: try number("step"), labelEn: text("label_en") ?? name,
                                      labelZh: text("label_zh") ?? name))
        }
        return Codebook(variables: variables)
    }

    /// Checks one cell; nil when valid, otherwise the reason.
    public func problem(with value: String, in variable: Variable) -> String? {
        if let categories = variable.categories {
            return categories.contains(value) ? nil : "'\(value)' is not one of \(categories.joined(separator: ", "))"
        }
        switch variable.type {
        case "id": return value.isEmpty ? "empty identifier" : nil
        case "date":
            let parts = value.split(separator: "-")
            guard parts.count == 3, parts.allSatisfy({ Int($0) != nil }) else { return "'\(value)' is not a date (YYYY-MM-DD)" }
            return nil
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
