import Foundation

/// An `Encodable` value as flat text fields, so that every field of a measurement — fields added to the engine
/// later included — becomes a CSV column without this module naming it.
///
/// Nested objects join their keys with "." (`leakage_sites_ml.disc`), arrays of numbers or strings join their
/// elements with ";" (`cement_centroid_mm` → `x;y;z`), numbers print in Swift's shortest round-trip form, nil
/// and empty values are left out.
public enum FlatFields {
    public static func of<T: Encodable>(_ value: T) throws -> [String: String] {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let data = try encoder.encode(value)
        let tree = try JSONDecoder().decode(JSONValue.self, from: data)
        var fields: [String: String] = [:]
        flatten(tree, key: nil, into: &fields)
        return fields
    }

    private static func flatten(_ value: JSONValue, key: String?, into fields: inout [String: String]) {
        func child(_ name: String) -> String { key.map { "\($0).\(name)" } ?? name }
        switch value {
        case .object(let members):
            for (name, member) in members { flatten(member, key: child(name), into: &fields) }
        case .array(let elements) where elements.allSatisfy(\.isScalar):
            let text = elements.compactMap(\.text).joined(separator: ";")
            if let key, !text.isEmpty { fields[key] = text }
        case .array(let elements):
            for (index, element) in elements.enumerated() { flatten(element, key: child(String(index)), into: &fields) }
        default:
            if let key, let text = value.text, !text.isEmpty { fields[key] = text }
        }
    }
}

/// A decoded JSON tree.
private enum JSONValue: Decodable {
    case null, bool(Bool), integer(Int), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }

    var text: String? {
        switch self {
        case .null, .array, .object: nil
        case .bool(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .number(let value): "\(value)"
        case .string(let value): value
        }
    }
}
