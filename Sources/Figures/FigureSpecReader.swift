import Foundation
import Imaging

extension FigureSpec {
    /// The JSON keys a spec may hold (documented in report/README.md).
    public static let keys: [String] = CodingKeys.allCases.map(\.rawValue)

    /// Reads a spec from JSON, refusing what would otherwise be dropped or reported as a raw decoding error: an
    /// unknown key ("y_lable") or kind ("box") is named with the closest known one, a value of the wrong type
    /// with its key.
    public static func read(_ data: Data) throws(FigureSpecError) -> FigureSpec {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw .invalid("the figure spec is not valid JSON (\((error as NSError).localizedDescription))")
        }
        guard let fields = object as? [String: Any] else { throw .invalid("the figure spec must be a JSON object {…}") }
        for key in fields.keys.sorted() where !keys.contains(key) {
            throw .unknownKey(key, suggestion: closestName(to: key, among: keys))
        }
        guard let kind = fields["kind"] as? String else { throw .invalid("the figure spec needs \"kind\" (one of \(kindNames))") }
        guard Kind(rawValue: kind) != nil else {
            throw .unknownKind(kind, suggestion: closestName(to: kind, among: Kind.allCases.map(\.rawValue)) ?? kindNames)
        }
        do {
            return try JSONDecoder().decode(FigureSpec.self, from: data)
        } catch let DecodingError.typeMismatch(type, context) {
            throw .invalid("'\(context.codingPath.map(\.stringValue).joined(separator: "."))' must be \(describe(type))")
        } catch let DecodingError.valueNotFound(type, context) {
            throw .invalid("'\(context.codingPath.map(\.stringValue).joined(separator: "."))' must be \(describe(type)), not null")
        } catch {
            throw .invalid("the figure spec could not be read (\(error.localizedDescription))")
        }
    }

    private static var kindNames: String { Kind.allCases.map(\.rawValue).joined(separator: ", ") }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Double.Type: "a number"
        case is [String].Type, is [Any].Type: "a list of strings"
        default: "of type \(type)"
        }
    }
}
