import Foundation

/// An `Encodable` value as flat fields, so that every field of a measurement — fields added to the engine later
/// included — becomes a CSV column without this module naming it.
///
/// Nested objects join their keys with "." (`leakage_sites_ml.disc`); arrays of numbers or strings stay lists
/// (`cement_centroid_mm`, written `x;y;z` in CSV); nil and empty values are left out.
public enum FlatFields {
    public static func of<T: Encodable>(_ value: T) throws -> [String: FlatValue] {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let tree = try JSONDecoder().decode(JSONTree.self, from: encoder.encode(value))
        var fields: [String: FlatValue] = [:]
        flatten(tree, key: nil, into: &fields)
        return fields
    }

    private static func flatten(_ tree: JSONTree, key: String?, into fields: inout [String: FlatValue]) {
        func child(_ name: String) -> String { key.map { "\($0).\(name)" } ?? name }
        switch tree {
        case .object(let members):
            for (name, member) in members { flatten(member, key: child(name), into: &fields) }
        case .array(let elements):
            let scalars = elements.compactMap(\.scalar)
            if scalars.count == elements.count {
                if let key, !scalars.isEmpty { fields[key] = .list(scalars) }
            } else {
                for (index, element) in elements.enumerated() { flatten(element, key: child(String(index)), into: &fields) }
            }
        case .value(let value):
            if let key, !value.text.isEmpty { fields[key] = value }
        case .null:
            break
        }
    }
}

/// One field's value. `text` is its CSV form; in JSON it keeps its type. Read back from CSV, every value is text.
public enum FlatValue: Sendable, Codable, Equatable {
    case text(String)
    case integer(Int)
    case number(Double)
    case bool(Bool)
    case list([FlatValue])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .text(value)
        } else {
            self = .list(try container.decode([FlatValue].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .list(let values): try container.encode(values)
        }
    }

    /// Numbers in Swift's shortest round-trip form, lists joined by ";".
    public var text: String {
        switch self {
        case .text(let value): value
        case .integer(let value): String(value)
        case .number(let value): "\(value)"
        case .bool(let value): value ? "true" : "false"
        case .list(let values): values.map(\.text).joined(separator: ";")
        }
    }
}

extension [String: FlatValue] {
    /// The fields as CSV text, for comparing fields read from CSV with fields read from JSON.
    public var texts: [String: String] { mapValues(\.text) }
}

/// A decoded JSON tree.
private enum JSONTree: Decodable {
    case null, value(FlatValue), array([JSONTree]), object([String: JSONTree])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode([JSONTree].self) {
            self = .array(value)
        } else if let value = try? container.decode([String: JSONTree].self) {
            self = .object(value)
        } else {
            self = .value(try container.decode(FlatValue.self))
        }
    }

    var scalar: FlatValue? {
        if case .value(let value) = self, !value.text.isEmpty { value } else { nil }
    }
}
