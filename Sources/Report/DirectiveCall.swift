/// A directive as written in a template: `{name positional key=value key="quoted value"}`, in an inline code
/// span or as the info string of a fenced code block (whose content is the body).
public struct DirectiveCall: Sendable, Equatable {
    public var name: String
    public var arguments: [String]
    public var options: [String: String]
    public var body: String?
    public var position: SourcePosition

    /// Parses the text between the braces; nil when `text` is not a directive (does not start with "{").
    public static func parse(_ text: String, body: String? = nil, position: SourcePosition, file: String)
        throws(ReportError) -> DirectiveCall?
    {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("{") else { return nil }
        guard trimmed.hasSuffix("}") else {
            throw ReportError(file: file, line: position.line, column: position.column, "directive is missing its closing '}'")
        }
        let inner = Array(trimmed.dropFirst().dropLast())
        var tokens: [String] = []
        var current = ""
        var quoted = false
        var hadToken = false
        for character in inner {
            if character == "\"" {
                quoted.toggle()
                hadToken = true
            } else if character == " " && !quoted {
                if hadToken || !current.isEmpty { tokens.append(current) }
                current = ""
                hadToken = false
            } else {
                current.append(character)
            }
        }
        if quoted {
            throw ReportError(file: file, line: position.line, column: position.column, "unterminated quote in directive")
        }
        if hadToken || !current.isEmpty { tokens.append(current) }
        guard let name = tokens.first, !name.isEmpty, !name.contains("=") else {
            throw ReportError(file: file, line: position.line, column: position.column, "directive without a name")
        }
        var arguments: [String] = [], options: [String: String] = [:]
        for token in tokens.dropFirst() {
            if let equals = token.firstIndex(of: "="), equals != token.startIndex {
                options[String(token[..<equals])] = String(token[token.index(after: equals)...])
            } else {
                arguments.append(token)
            }
        }
        return DirectiveCall(name: name, arguments: arguments, options: options, body: body, position: position)
    }
}

import Foundation
