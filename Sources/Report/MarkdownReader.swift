import CCmarkGFM
import Foundation

/// Parses Markdown (GFM: tables, strikethrough, autolinks) with cmark-gfm into the document tree, running
/// directives as it meets them. Positions in errors are template lines (front matter included).
struct MarkdownReader {
    let file: String
    /// Template line of the Markdown's first line, minus one.
    let lineOffset: Int
    let registry: DirectiveRegistry
    let context: RenderContext

    /// Deepest nesting of blocks (lists, quotes) and of inlines (emphasis, links) a template may use: the tree is
    /// walked, rendered and typeset recursively, so a 10 000-deep list would overflow the stack.
    static let maximumNesting = 64
    /// The PDF typesetter lays a paragraph out whole with Pango, which takes about 130 bytes of memory per character
    /// (650 MB for a 5 MB paragraph, measured), so a paragraph may hold at most 1 MiB of source: about 140 MB of
    /// layout, far beyond any report's longest paragraph.
    static let maximumParagraphBytes = 1 << 20

    func read(_ markdown: String) throws(ReportError) -> [Block] {
        try checkContainerMarkers(markdown)
        cmark_gfm_core_extensions_ensure_registered()
        let options = CMARK_OPT_DEFAULT | CMARK_OPT_FULL_INFO_STRING
        guard let parser = cmark_parser_new(options) else {
            throw ReportError(file: file, line: 1, column: 1, "cannot create the Markdown parser")
        }
        defer { cmark_parser_free(parser) }
        for name in ["table", "strikethrough", "autolink"] {
            if let extensionPointer = cmark_find_syntax_extension(name) {
                cmark_parser_attach_syntax_extension(parser, extensionPointer)
            }
        }
        cmark_parser_feed(parser, markdown, markdown.utf8.count)
        guard let root = cmark_parser_finish(parser) else {
            throw ReportError(file: file, line: 1, column: 1, "cannot parse the Markdown")
        }
        defer { cmark_node_free(root) }
        return try blocks(of: root, depth: 0, source: markdown.components(separatedBy: "\n"))
    }

    /// Refuses lines that open more nested lists and quotes than `maximumNesting` (`> > - - 1. …`), before
    /// cmark-gfm builds a tree that deep.
    private func checkContainerMarkers(_ markdown: String) throws(ReportError) {
        for (index, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var markers = 0
            var rest = line.utf8.drop { $0 == 0x20 || $0 == 0x09 }
            while let first = rest.first {
                if first == UInt8(ascii: ">") {
                    rest = rest.dropFirst()
                } else if first == UInt8(ascii: "-") || first == UInt8(ascii: "*") || first == UInt8(ascii: "+"),
                          rest.dropFirst().first == 0x20 || rest.dropFirst().first == 0x09 {
                    rest = rest.dropFirst()
                } else if case let digits = rest.prefix(while: { (0x30...0x39).contains($0) }), (1...9).contains(digits.count),
                          let marker = rest.dropFirst(digits.count).first, marker == UInt8(ascii: ".") || marker == UInt8(ascii: ")") {
                    rest = rest.dropFirst(digits.count + 1)
                } else {
                    break
                }
                markers += 1
                if markers > Self.maximumNesting {
                    let column = line.utf8.count - rest.count + 1
                    throw ReportError(file: file, line: index + 1 + lineOffset, column: column,
                                      "lists and quotes nested more than \(Self.maximumNesting) deep")
                }
                rest = rest.drop { $0 == 0x20 || $0 == 0x09 }
            }
        }
    }

    private func checkNesting(_ node: OpaquePointer, depth: Int) throws(ReportError) {
        guard depth <= Self.maximumNesting else {
            throw ReportError(file: file, line: position(node).line, column: position(node).column,
                              "Markdown nested more than \(Self.maximumNesting) deep")
        }
    }

    /// Throws when a fenced directive block has no closing fence: cmark-gfm would run it to the end of the
    /// document and the rest of the template would vanish into the directive's body.
    private func checkClosed(_ node: OpaquePointer, source: [String]) throws(ReportError) {
        var length: Int32 = 0, offset: Int32 = 0
        var character: CChar = 0
        guard cmark_node_get_fenced(node, &length, &offset, &character) != 0 else { return }
        let start = Int(cmark_node_get_start_line(node)), end = Int(cmark_node_get_end_line(node))
        let fence = Character(Unicode.Scalar(UInt8(bitPattern: character)))
        if end > start, end - 1 < source.count {
            // A fence inside a block quote or list item follows the container's markers and indentation.
            let last = source[end - 1].drop { $0 == " " || $0 == "\t" || $0 == ">" }
            let run = last.prefix { $0 == fence }
            if run.count >= Int(length), last.dropFirst(run.count).allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) {
                return
            }
        }
        let at = position(node)
        throw ReportError(file: file, line: at.line, column: at.column,
                          "the directive's fence (\(String(repeating: fence, count: Int(length)))) is never closed")
    }

    /// Throws when a paragraph's source lines exceed `maximumParagraphBytes`, before any of it is laid out.
    private func checkParagraphSize(_ node: OpaquePointer, source: [String]) throws(ReportError) {
        let start = Int(cmark_node_get_start_line(node)), end = Int(cmark_node_get_end_line(node))
        var bytes = 0
        for index in max(start - 1, 0)..<min(max(end, start), source.count) {
            bytes += source[index].utf8.count + 1
            guard bytes <= Self.maximumParagraphBytes else {
                let at = position(node)
                throw ReportError(file: file, line: at.line, column: at.column,
                                  "a paragraph of more than \(Self.maximumParagraphBytes >> 20) MiB; split it "
                                  + "(a paragraph is laid out whole, so its size bounds the PDF step's memory)")
            }
        }
    }

    private func position(_ node: OpaquePointer) -> SourcePosition {
        SourcePosition(line: Int(cmark_node_get_start_line(node)) + lineOffset, column: Int(cmark_node_get_start_column(node)))
    }

    private func children(_ node: OpaquePointer) -> [OpaquePointer] {
        var result: [OpaquePointer] = []
        var child = cmark_node_first_child(node)
        while let current = child {
            result.append(current)
            child = cmark_node_next(current)
        }
        return result
    }

    private func literal(_ node: OpaquePointer) -> String {
        cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
    }

    private func blocks(of node: OpaquePointer, depth: Int, source: [String]) throws(ReportError) -> [Block] {
        var result: [Block] = []
        for child in children(node) { result += try block(child, depth: depth + 1, source: source) }
        return result
    }

    private func block(_ node: OpaquePointer, depth: Int, source: [String]) throws(ReportError) -> [Block] {
        try checkNesting(node, depth: depth)
        let type = String(cString: cmark_node_get_type_string(node))
        switch type {
        case "heading": return [.heading(level: Int(cmark_node_get_heading_level(node)), try inlines(of: node, depth: depth))]
        case "paragraph":
            try checkParagraphSize(node, source: source)
            return [.paragraph(try inlines(of: node, depth: depth))]
        case "block_quote": return [.blockQuote(try blocks(of: node, depth: depth, source: source))]
        case "list":
            var items: [[Block]] = []
            for item in children(node) { items.append(try blocks(of: item, depth: depth + 1, source: source)) }
            return [.list(ordered: cmark_node_get_list_type(node) == CMARK_ORDERED_LIST, items: items)]
        case "code_block":
            let info = cmark_node_get_fence_info(node).map { String(cString: $0) } ?? ""
            if let call = try DirectiveCall.parse(info, body: literal(node), position: position(node), file: file) {
                try checkClosed(node, source: source)
                guard let directive = registry.block[call.name] else {
                    throw ReportError(file: file, line: call.position.line, column: call.position.column,
                                      "unknown block directive {\(call.name)}" + suggestion(call.name, registry.block.keys))
                }
                try registry.checkOptions(call, allowed: directive.allowedOptions, file: file)
                return try directive.render(call, context)
            }
            return [.code(info: info, text: literal(node))]
        case "thematic_break": return [.thematicBreak]
        case "table": return [.table(try table(node))]
        case "html_block":
            throw ReportError(file: file, line: position(node).line, column: position(node).column,
                              "raw HTML is not allowed in templates")
        default: return []
        }
    }

    private func table(_ node: OpaquePointer) throws(ReportError) -> Table {
        var header: [[Inline]] = [], rows: [[[Inline]]] = []
        for (index, row) in children(node).enumerated() {
            var cells: [[Inline]] = []
            for cell in children(row) { cells.append(try inlines(of: cell, depth: 2)) }
            if index == 0 { header = cells } else { rows.append(cells) }
        }
        return Table(id: nil, caption: [], header: header, rows: rows,
                     alignments: Array(repeating: .left, count: header.count), number: nil)
    }

    private func inlines(of node: OpaquePointer, depth: Int) throws(ReportError) -> [Inline] {
        var result: [Inline] = []
        for child in children(node) {
            try checkNesting(child, depth: depth + 1)
            let type = String(cString: cmark_node_get_type_string(child))
            switch type {
            case "text": result += references(in: literal(child), at: position(child))
            case "emph": result.append(.emphasis(try inlines(of: child, depth: depth + 1)))
            case "strong": result.append(.strong(try inlines(of: child, depth: depth + 1)))
            case "strikethrough": result.append(.strikethrough(try inlines(of: child, depth: depth + 1)))
            case "link":
                let url = cmark_node_get_url(child).map { String(cString: $0) } ?? ""
                if let refusal = LinkURLPolicy.refusal(url) {
                    throw ReportError(file: file, line: position(child).line, column: position(child).column, refusal)
                }
                result.append(.link(url: url, try inlines(of: child, depth: depth + 1)))
            case "softbreak": result.append(.softBreak)
            case "linebreak": result.append(.lineBreak)
            case "code":
                if let call = try DirectiveCall.parse(literal(child), position: position(child), file: file) {
                    guard let directive = registry.inline[call.name] else {
                        throw ReportError(file: file, line: call.position.line, column: call.position.column,
                                          "unknown inline directive {\(call.name)}" + suggestion(call.name, registry.inline.keys))
                    }
                    try registry.checkOptions(call, allowed: directive.allowedOptions, file: file)
                    result += try directive.render(call, context)
                } else {
                    result.append(.code(literal(child)))
                }
            case "html_inline":
                throw ReportError(file: file, line: position(child).line, column: position(child).column,
                                  "raw HTML is not allowed in templates")
            default: result += try inlines(of: child, depth: depth + 1)
            }
        }
        return joiningCJKLines(result)
    }

    /// A line break inside a paragraph reads as a space between Latin words but as nothing next to a Chinese
    /// character; HTML and Pango would otherwise show a stray space in the middle of a Chinese sentence.
    private func joiningCJKLines(_ inlines: [Inline]) -> [Inline] {
        func edge(_ inline: Inline, last: Bool) -> Character? {
            guard case let .text(text) = inline else { return nil }
            return last ? text.last : text.first
        }
        return inlines.indices.compactMap { index in
            guard inlines[index] == .softBreak else { return inlines[index] }
            let before = index > 0 ? edge(inlines[index - 1], last: true) : nil
            let after = index + 1 < inlines.count ? edge(inlines[index + 1], last: false) : nil
            return before?.isCJK == true || after?.isCJK == true ? nil : inlines[index]
        }
    }

    /// Splits text at cross-references `@tbl-…` / `@fig-…`.
    private func references(in text: String, at position: SourcePosition) -> [Inline] {
        let regex = try! NSRegularExpression(pattern: "@((?:tbl|fig)-[A-Za-z0-9_-]*[A-Za-z0-9])")
        var result: [Inline] = []
        var last = text.startIndex
        for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let range = Range(match.range, in: text)!
            if last < range.lowerBound { result.append(.text(String(text[last..<range.lowerBound]))) }
            let column = position.column + text.distance(from: text.startIndex, to: range.lowerBound)
            result.append(.reference(id: (text as NSString).substring(with: match.range(at: 1)),
                                     position: SourcePosition(line: position.line, column: column)))
            last = range.upperBound
        }
        if last < text.endIndex { result.append(.text(String(text[last...]))) }
        return result
    }
}
