import Figures
/// One self-contained HTML file: CSS inlined, figures as inline SVG, semantic tables, everything escaped.
public enum HTMLRenderer {
    public static func render(_ document: Document) -> String {
        var html = "<!DOCTYPE html>\n<html lang=\"\(document.language == "zh" ? "zh-CN" : "en")\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"generator\" content=\"CementReport \(escape(document.provenance.toolVersion))\">\n"
        for input in document.provenance.inputs {
            html += "<meta name=\"input-sha256\" content=\"\(input.sha256) \(escape(input.path))\">\n"
        }
        html += "<title>\(escape(document.title))</title>\n<style>\(css)</style>\n</head>\n<body>\n"
        if !document.title.isEmpty { html += "<h1 class=\"title\">\(escape(document.title))</h1>\n" }
        for block in document.blocks { html += render(block, language: document.language) }
        return html + "</body>\n</html>\n"
    }

    static let css = """
        body{font-family:"Noto Sans CJK SC","Noto Sans",sans-serif;max-width:48em;margin:2em auto;padding:0 1em;\
        line-height:1.5;color:#202020}table{border-collapse:collapse;margin:1em 0}th,td{padding:.25em .6em;\
        border-bottom:1px solid #ccc;text-align:left}thead th{border-bottom:2px solid #444}caption{caption-side:top;\
        text-align:left;font-weight:bold;padding-bottom:.4em}figure{margin:1.5em 0}figcaption{font-size:.9em}\
        @media print{body{max-width:none;margin:0}figure,table{page-break-inside:avoid}}
        """

    /// HTML escaping is the same as Pango markup escaping (&, <, >, quotes).
    static func escape(_ text: String) -> String { TextLayout.escape(text) }

    static func render(_ block: Block, language: String) -> String {
        switch block {
        case let .heading(level, content):
            let tag = "h\(min(6, level + 1))"
            return "<\(tag)>\(render(content))</\(tag)>\n"
        case let .paragraph(content): return "<p>\(render(content))</p>\n"
        case let .blockQuote(children): return "<blockquote>\n" + children.map { render($0, language: language) }.joined() + "</blockquote>\n"
        case let .list(ordered, items):
            let tag = ordered ? "ol" : "ul"
            return "<\(tag)>\n" + items.map { "<li>" + $0.map { render($0, language: language) }.joined() + "</li>\n" }.joined() + "</\(tag)>\n"
        case let .code(_, text): return "<pre><code>\(escape(text))</code></pre>\n"
        case .thematicBreak: return "<hr>\n"
        case let .table(table):
            var html = "<table" + (table.id.map { " id=\"\(escape($0))\"" } ?? "") + ">\n"
            if let number = table.number {
                html += "<caption>\(language == "zh" ? "表" : "Table") \(number). \(render(table.caption))</caption>\n"
            }
            html += "<thead><tr>" + table.header.map { "<th scope=\"col\">\(render($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
            for row in table.rows {
                html += "<tr>" + row.enumerated().map { index, cell in
                    index == 0 ? "<th scope=\"row\">\(render(cell))</th>" : "<td>\(render(cell))</td>"
                }.joined() + "</tr>\n"
            }
            return html + "</tbody>\n</table>\n"
        case let .figure(figure):
            // Each figure's SVG ids get a prefix so that several inline SVGs in one page do not collide.
            let prefix = "f\(figure.number ?? 0)-"
            let svg = figure.svg.replacingOccurrences(of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", with: "")
                .replacingOccurrences(of: "id=\"", with: "id=\"" + prefix)
                .replacingOccurrences(of: "href=\"#", with: "href=\"#" + prefix)
                .replacingOccurrences(of: "url(#", with: "url(#" + prefix)
            var html = "<figure" + (figure.id.map { " id=\"\(escape($0))\"" } ?? "") + ">\n" + svg
            if let number = figure.number {
                html += "<figcaption>\(language == "zh" ? "图" : "Figure") \(number). \(render(figure.caption))</figcaption>\n"
            }
            return html + "</figure>\n"
        }
    }

    static func render(_ inlines: [Inline]) -> String {
        inlines.map { inline -> String in
            switch inline {
            case let .text(text): escape(text)
            case let .emphasis(children): "<em>\(render(children))</em>"
            case let .strong(children): "<strong>\(render(children))</strong>"
            case let .code(text): "<code>\(escape(text))</code>"
            case let .link(url, children):
                // Templates with unsafe links are refused when read; this keeps any other tree from carrying one.
                LinkURLPolicy.refusal(url) == nil ? "<a href=\"\(escape(url))\">\(render(children))</a>" : render(children)
            case let .strikethrough(children): "<del>\(render(children))</del>"
            case .softBreak: "\n"
            case .lineBreak: "<br>\n"
            case let .reference(id, _): escape("@" + id)
            }
        }.joined()
    }
}

import Foundation
