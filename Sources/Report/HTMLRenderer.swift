import Figures
/// One self-contained HTML file: CSS inlined, figures as inline SVG, semantic tables, everything escaped.
public enum HTMLRenderer {
    public static func render(_ document: Document) -> String {
        let zh = document.language == "zh"
        var html = "<!DOCTYPE html>\n<html lang=\"\(zh ? "zh-CN" : "en")\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<meta name=\"generator\" content=\"CementReport \(escape(document.provenance.toolVersion))\">\n"
        for input in document.provenance.inputs {
            html += "<meta name=\"input-sha256\" content=\"\(input.sha256) \(escape(input.path))\">\n"
        }
        html += "<title>\(escape(document.title))</title>\n<style>\(css)</style>\n</head>\n<body>\n"
        if !document.title.isEmpty || !document.byline.isEmpty {
            html += "<header>\n"
            if !document.title.isEmpty { html += "<h1 class=\"title\">\(escape(document.title))</h1>\n" }
            for line in document.byline { html += "<p class=\"byline\">\(escape(line))</p>\n" }
            html += "</header>\n"
        }
        let headings = HeadingIDs(document.blocks)
        var writer = Writer(language: document.language, headingIDs: headings.ids)
        html += tableOfContents(headings, zh: zh)
        html += "<main>\n"
        for block in document.blocks { html += writer.render(block) }
        return html + "</main>\n</body>\n</html>\n"
    }

    // Column headers keep Chinese words whole (word-break: keep-all, breaking at spaces only): a squeezed table put
    // "效应量" one character a line.
    static let css = """
        body{font-family:"Noto Sans CJK SC","Noto Sans",sans-serif;max-width:48em;margin:0 auto;padding:1em;\
        line-height:1.5;color:#202020;overflow-wrap:break-word}\
        a{color:#0b5cad}h1,h2,h3,h4{line-height:1.25}.byline{margin:.2em 0;color:#444}\
        nav.toc{border:1px solid #ddd;border-radius:4px;padding:.5em 1em;margin:1em 0;font-size:.95em}\
        nav.toc h2{font-size:1em;margin:.3em 0}nav.toc ol{margin:.2em 0;padding-left:1.4em}\
        .table-scroll{overflow-x:auto;max-width:100%;margin:1em 0}\
        table{border-collapse:collapse;font-size:.92em}th,td{padding:.25em .6em;\
        border-bottom:1px solid #ccc;text-align:left;vertical-align:top}thead th{border-bottom:2px solid #444;word-break:keep-all}\
        td{white-space:nowrap}tbody th{min-width:7em}caption{caption-side:top;text-align:left;font-weight:bold;padding-bottom:.4em}\
        .table-note{font-size:.85em;color:#444;margin:-.6em 0 1.2em}code{overflow-wrap:anywhere}pre{overflow-x:auto}\
        figure{margin:1.5em 0}figure svg{display:block;width:100%;max-width:30em;height:auto}figcaption{font-size:.9em}\
        .figure-text{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}\
        details.appendix>summary{cursor:pointer;font-weight:bold;margin:.6em 0}:target{outline:2px solid #e69f00;outline-offset:4px}\
        @media print{body{max-width:none;margin:0;padding:0;font-size:10pt}a{color:inherit;text-decoration:none}\
        nav.toc{break-after:page;border:none}h1,h2,h3,h4,caption,figcaption{break-after:avoid}\
        figure,tr{break-inside:avoid}.table-scroll{overflow:visible}thead{display:table-header-group}\
        figure svg{max-width:60%}@page{size:A4;margin:18mm 16mm}}
        """

    /// HTML escaping is the same as Pango markup escaping (&, <, >, quotes).
    static func escape(_ text: String) -> String { TextLayout.escape(text) }

    /// A navigation list of the first two heading levels, linked to the headings' ids.
    static func tableOfContents(_ headings: HeadingIDs, zh: Bool) -> String {
        var entries: [(level: Int, id: String, text: String)] = []
        for (id, heading) in zip(headings.ids, headings.headings) where heading.level <= 2 {
            entries.append((heading.level, id, escape(HeadingIDs.plain(heading.content))))
        }
        guard !entries.isEmpty else { return "" }
        var html = "<nav class=\"toc\" aria-labelledby=\"toc-title\">\n<h2 id=\"toc-title\">\(zh ? "目录" : "Contents")</h2>\n<ol>\n"
        var open = false
        for (position, entry) in entries.enumerated() {
            if entry.level == 1 {
                if open { html += "</ol></li>\n" }
                open = false
                html += "<li><a href=\"#\(entry.id)\">\(entry.text)</a>"
                let nextIsChild = position + 1 < entries.count && entries[position + 1].level == 2
                if nextIsChild { html += "<ol>\n"; open = true } else { html += "</li>\n" }
            } else {
                html += "<li><a href=\"#\(entry.id)\">\(entry.text)</a></li>\n"
            }
        }
        if open { html += "</ol></li>\n" }
        return html + "</ol>\n</nav>\n"
    }

    /// Renders blocks in order, handing out the headings' ids.
    struct Writer {
        let language: String
        let headingIDs: [String]
        private var nextHeading = 0

        init(language: String, headingIDs: [String]) {
            self.language = language
            self.headingIDs = headingIDs
        }

        mutating func render(_ block: Block) -> String {
            switch block {
            case let .heading(level, content):
                let tag = "h\(min(6, level + 1))"
                let id = nextHeading < headingIDs.count ? headingIDs[nextHeading] : "sec"
                nextHeading += 1
                return "<\(tag) id=\"\(escape(id))\">\(HTMLRenderer.render(content))</\(tag)>\n"
            case let .collapsible(summary, children):
                var html = "<details class=\"appendix\">\n<summary>\(HTMLRenderer.render(summary))</summary>\n"
                for child in children { html += render(child) }
                return html + "</details>\n"
            case let .blockQuote(children):
                var html = "<blockquote>\n"
                for child in children { html += render(child) }
                return html + "</blockquote>\n"
            case let .list(ordered, items):
                let tag = ordered ? "ol" : "ul"
                var html = "<\(tag)>\n"
                for item in items {
                    html += "<li>"
                    for child in item { html += render(child) }
                    html += "</li>\n"
                }
                return html + "</\(tag)>\n"
            default:
                return HTMLRenderer.render(block, language: language)
            }
        }
    }

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
        case let .collapsible(summary, children):
            return "<details>\n<summary>\(render(summary))</summary>\n" + children.map { render($0, language: language) }.joined() + "</details>\n"
        case let .anchoredList(items):
            return "<ol class=\"references\">\n" + items.map { "<li id=\"\(escape($0.id))\">\(render($0.content))</li>\n" }.joined() + "</ol>\n"
        case let .table(table):
            // The scrolling wrapper keeps a wide table (the P column) reachable on a phone instead of cut off.
            var html = "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\""
                + (table.id.map { " aria-labelledby=\"\(escape($0))-caption\"" } ?? "") + ">\n"
            html += "<table" + (table.id.map { " id=\"\(escape($0))\"" } ?? "") + ">\n"
            if let number = table.number {
                html += "<caption" + (table.id.map { " id=\"\(escape($0))-caption\"" } ?? "")
                    + ">\(language == "zh" ? "表" : "Table") \(number). \(render(table.caption))</caption>\n"
            }
            html += "<thead><tr>" + table.header.map { "<th scope=\"col\">\(render($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
            for row in table.rows {
                html += "<tr>" + row.enumerated().map { index, cell in
                    index == 0 ? "<th scope=\"row\">\(render(cell))</th>" : "<td>\(render(cell))</td>"
                }.joined() + "</tr>\n"
            }
            html += "</tbody>\n</table>\n</div>\n"
            if !table.note.isEmpty { html += "<p class=\"table-note\">\(render(table.note))</p>\n" }
            return html
        case let .figure(figure):
            // Each figure's SVG ids get a prefix so that several inline SVGs in one page do not collide.
            let prefix = "f\(figure.number ?? 0)-"
            let textID = (figure.id ?? "figure-\(figure.number ?? 0)") + "-text"
            var svg = SVGIdentifierPrefix.apply(figure.svg, prefix: prefix)
            if let open = svg.firstRange(of: "<svg") {
                svg.replaceSubrange(open, with: "<svg role=\"img\" aria-label=\"\(escape(figure.alt))\" aria-describedby=\"\(escape(textID))\"")
            }
            var html = "<figure" + (figure.id.map { " id=\"\(escape($0))\"" } ?? "") + ">\n" + svg
            // The chart's own words as text: its glyphs are outlines, which neither a screen reader nor find reads.
            html += "<p class=\"figure-text\" id=\"\(escape(textID))\">\(escape(figure.text.joined(separator: " · ")))</p>\n"
            if let number = figure.number {
                html += "<figcaption>\(language == "zh" ? "图" : "Figure") \(number). \(render(figure.caption))</figcaption>\n"
            }
            return html + "</figure>\n"
        }
    }

    static func render(_ inlines: [Inline]) -> String {
        inlines.map { inline -> String in
            switch inline {
            case let .text(text): escape(UnitBinding.apply(text))
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
