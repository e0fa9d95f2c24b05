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

    func read(_ markdown: String) throws(ReportError) -> [Block] {
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
        return try blocks(of: root)
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

    private func blocks(of node: OpaquePointer) throws(ReportError) -> [Block] {
        var result: [Block] = []
        for child in children(node) { result += try block(child) }
        return result
    }

    private func block(_ node: OpaquePointer) throws(ReportError) -> [Block] {
        let type = String(cString: cmark_node_get_type_string(node))
        switch type {
        case "heading": return [.heading(level: Int(cmark_node_get_heading_level(node)), try inlines(of: node))]
        case "paragraph": return [.paragraph(try inlines(of: node))]
        case "block_quote": return [.blockQuote(try blocks(of: node))]
        case "list":
            var items: [[Block]] = []
            for item in children(node) { items.append(try blocks(of: item)) }
            return [.list(ordered: cmark_node_get_list_type(node) == CMARK_ORDERED_LIST, items: items)]
        case "code_block":
            let info = cmark_node_get_fence_info(node).map { String(cString: $0) } ?? ""
            if let call = try DirectiveCall.parse(info, body: literal(node), position: position(node), file: file) {
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
            for cell in children(row) { cells.append(try inlines(of: cell)) }
            if index == 0 { header = cells } else { rows.append(cells) }
        }
        return Table(id: nil, caption: [], header: header, rows: rows,
                     alignments: Array(repeating: .left, count: header.count), number: nil)
    }

    private func inlines(of node: OpaquePointer) throws(ReportError) -> [Inline] {
        var result: [Inline] = []
        for child in children(node) {
            let type = String(cString: cmark_node_get_type_string(child))
            switch type {
            case "text": result += references(in: literal(child), at: position(child))
            case "emph": result.append(.emphasis(try inlines(of: child)))
            case "strong": result.append(.strong(try inlines(of: child)))
            case "strikethrough": result.append(.strikethrough(try inlines(of: child)))
            case "link": result.append(.link(url: cmark_node_get_url(child).map { String(cString: $0) } ?? "", try inlines(of: child)))
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
            default: result += try inlines(of: child)
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
