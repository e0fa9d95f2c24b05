/// Element ids of a document's headings, unique within it and stable across runs: "sec-" and the heading's
/// words (letters and digits of any script, lower-cased, joined by "-"), with "-2", "-3", … for repeats. The HTML
/// renderer links its table of contents to them.
public struct HeadingIDs {
    /// One id per heading, in document order (headings inside block quotes and lists included).
    public let ids: [String]
    /// The headings' levels and contents, in the same order.
    public let headings: [(level: Int, content: [Inline])]

    public init(_ blocks: [Block]) {
        var ids: [String] = []
        var headings: [(level: Int, content: [Inline])] = []
        var used: [String: Int] = [:]
        for case let .heading(level, content) in blocks.flattened {
            headings.append((level, content))
            var base = "sec-" + Self.slug(Self.plain(content))
            if base == "sec-" { base = "sec" }
            let count = used[base, default: 0] + 1
            used[base] = count
            ids.append(count == 1 ? base : "\(base)-\(count)")
        }
        self.ids = ids
        self.headings = headings
    }

    /// The text of inlines without markup.
    public static func plain(_ inlines: [Inline]) -> String {
        inlines.map { inline in
            switch inline {
            case let .text(text), let .code(text): text
            case let .emphasis(children), let .strong(children), let .strikethrough(children), let .link(_, children):
                plain(children)
            case .softBreak, .lineBreak: " "
            case let .reference(id, _): id
            }
        }.joined()
    }

    static func slug(_ text: String) -> String {
        var words: [String] = [], word = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber { word.append(character) } else if !word.isEmpty {
                words.append(word)
                word = ""
            }
        }
        if !word.isEmpty { words.append(word) }
        return words.joined(separator: "-")
    }
}
