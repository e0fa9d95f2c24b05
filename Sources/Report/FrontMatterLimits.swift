import Yams

/// Bounds on a template's YAML front matter, checked before it becomes Swift values: nesting (Yams composes and
/// converts recursively, so a 10 000-deep `[[[…` would overflow the stack) and size after alias expansion (a
/// kilobyte of nested aliases, "billion laughs", expands to gigabytes).
enum FrontMatterLimits {
    static let maximumNesting = 32
    static let maximumNodes = 10_000
    static let maximumScalarBytes = 1 << 20

    /// Scans the text for nesting (indentation levels, `- ` runs, `[`/`{` outside quotes and comments) without
    /// parsing it; `firstLine` is the template line of the YAML's first line.
    static func checkNesting(_ yaml: String, file: String, firstLine: Int) throws(ReportError) {
        var indents: [Int] = []
        for (index, line) in yaml.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let bytes = Array(line.utf8)
            let indent = bytes.prefix { $0 == 0x20 }.count
            guard indent < bytes.count, bytes[indent] != UInt8(ascii: "#"), bytes[indent] != 0x0D else { continue }
            while let last = indents.last, last > indent { indents.removeLast() }
            if indents.last != indent { indents.append(indent) }
            var depth = indents.count, deepest = depth, column = indent
            var position = indent
            while position + 1 < bytes.count, bytes[position] == UInt8(ascii: "-"), bytes[position + 1] == 0x20 {
                depth += 1
                position += 2
                while position < bytes.count, bytes[position] == 0x20 { position += 1 }
            }
            deepest = depth
            var quote: UInt8?
            while position < bytes.count {
                let byte = bytes[position]
                if let open = quote {
                    if byte == open { quote = nil }
                } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    quote = byte
                } else if byte == UInt8(ascii: "#"), position == 0 || bytes[position - 1] == 0x20 {
                    break
                } else if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
                    depth += 1
                    if depth > deepest { (deepest, column) = (depth, position) }
                } else if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") {
                    depth -= 1
                }
                position += 1
                if deepest > maximumNesting { break }
            }
            if deepest > maximumNesting {
                throw ReportError(file: file, line: firstLine + index, column: column + 1,
                                  "front matter nested more than \(maximumNesting) deep")
            }
        }
    }

    /// Walks the composed tree (aliases expanded) without recursion and throws when it holds more than
    /// `maximumNodes` nodes, `maximumScalarBytes` of text or nests deeper than `maximumNesting`, or when a mapping
    /// key is not a scalar (`[r]: T`): Yams 5 converts such keys by force-unwrapping, which traps.
    static func checkSize(_ root: Node, file: String) throws(ReportError) {
        var pending: [(Node, Int)] = [(root, 1)]
        var nodes = 0, bytes = 0
        while let (node, depth) = pending.popLast() {
            nodes += 1
            guard nodes <= maximumNodes, depth <= maximumNesting else {
                throw ReportError(file: file, line: 2, column: 1,
                                  "front matter expands to more than \(maximumNodes) values or \(maximumNesting) levels "
                                  + "(YAML aliases?)")
            }
            switch node {
            case let .scalar(scalar):
                bytes += scalar.string.utf8.count
                guard bytes <= maximumScalarBytes else {
                    throw ReportError(file: file, line: 2, column: 1,
                                      "front matter expands to more than \(maximumScalarBytes >> 20) MB of text (YAML aliases?)")
                }
            case let .mapping(mapping):
                for (key, value) in mapping {
                    guard case .scalar = key else {
                        // Yams marks are 1-based within the YAML, which starts on the template's second line.
                        throw ReportError(file: file, line: (mapping.mark?.line ?? 1) + 1, column: mapping.mark?.column ?? 1,
                                          "front matter keys must be plain names, not lists or mappings")
                    }
                    pending.append((key, depth + 1))
                    pending.append((value, depth + 1))
                }
            case let .sequence(sequence):
                for child in sequence { pending.append((child, depth + 1)) }
            }
        }
    }
}
