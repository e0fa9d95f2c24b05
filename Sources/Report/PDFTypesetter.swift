import Figures
import Foundation

/// Typesets the document tree into an A4 PDF with Pango and Cairo: margins, a running header with the title,
/// page numbers, headings (also as bookmarks), paragraphs that continue across pages line by line, lists,
/// code, tables whose cells wrap and whose header repeats after a page break, and figures drawn as vector
/// graphics with their captions. Text is real text (fonts embedded as subsets with ToUnicode).
public struct PDFTypesetter {
    public var margin = 56.7
    public var bodySize = 10.0
    public var lineGap = 1.3

    public init() {}

    public func render(_ document: Document, author: String) throws -> Data {
        let pages = PDFPages(title: document.title, author: author)
        var state = State(pages: pages, top: margin + 14, bottom: pages.height - margin, left: margin,
                          width: pages.width - 2 * margin, typesetter: self, document: document)
        state.decoratePage()
        if !document.title.isEmpty {
            let layout = TextLayout(pages.context, markup: TextLayout.escape(document.title), width: state.width, size: 16, bold: true)
            pages.addOutline(document.title, y: state.y)
            state.place(layout, spacingAfter: document.byline.isEmpty ? 10 : 4)
        }
        for line in document.byline {
            state.place(TextLayout(pages.context, markup: TextLayout.escape(line), width: state.width, size: 10),
                        spacingAfter: 2, color: Color(hex: 0x444444))
        }
        if !document.byline.isEmpty { state.y += 8 }
        for block in document.blocks { state.typeset(block, indent: 0) }
        state.flushFigures()
        return try pages.finish()
    }

    struct State {
        let pages: PDFPages
        let top: Double, bottom: Double, left: Double, width: Double
        let typesetter: PDFTypesetter
        let document: Document
        var y: Double = 0
        var headingParents: [Int32] = [0, 0, 0, 0, 0, 0, 0]
        /// Figures that did not fit where they stand, waiting for the top of the next page (floats), so that the
        /// text after them fills the rest of the page instead of leaving it empty.
        var pendingFigures: [Figure] = []
        /// Ids of the headings in order (as the HTML's), for link destinations, and the next one's index.
        var headingIDs: [String] = []
        var nextHeading = 0

        init(pages: PDFPages, top: Double, bottom: Double, left: Double, width: Double, typesetter: PDFTypesetter,
             document: Document) {
            self.pages = pages
            self.top = top
            self.bottom = bottom
            self.left = left
            self.width = width
            self.typesetter = typesetter
            self.document = document
            y = top
            headingIDs = HeadingIDs(document.blocks).ids
        }

        var context: DrawingContext { pages.context }

        /// Running header and page number.
        func decoratePage() {
            let grey = Color(hex: 0x808080)
            context.text(document.title, at: Point(left, typesetter.margin - 20), anchor: .topLeft, size: 8, color: grey)
            context.line(from: Point(left, typesetter.margin - 6), to: Point(left + width, typesetter.margin - 6),
                         color: Color(hex: 0xcccccc), width: 0.5)
            context.text("\(pages.pageNumber)", at: Point(left + width / 2, pages.height - typesetter.margin + 18),
                         anchor: .top, size: 8, color: grey)
        }

        mutating func newPage() {
            pages.newPage()
            decoratePage()
            y = top
            let waiting = pendingFigures
            pendingFigures = []
            for figure in waiting { placeFigure(figure) }
        }

        /// Places the waiting figures now: on this page where they fit, else from the next.
        mutating func flushFigures() {
            while let figure = pendingFigures.first {
                pendingFigures.removeFirst()
                placeFigure(figure)
            }
        }

        mutating func ensure(_ height: Double) {
            // A new page may start with waiting figures; then check again (once more at most: they are placed).
            while y + height > bottom && y > top { newPage() }
        }

        /// Draws a layout's lines, breaking to a new page between lines when needed.
        mutating func place(_ layout: TextLayout, indent: Double = 0, spacingAfter: Double = 6, color: Color? = nil) {
            for (index, line) in layout.lines.enumerated() {
                ensure(line.height)
                layout.drawLine(index, in: context, left: left + indent, top: y, color: color)
                y += line.height
            }
            y += spacingAfter
        }

        mutating func typeset(_ block: Block, indent: Double) {
            let size = typesetter.bodySize
            switch block {
            case let .heading(level, content):
                // A new section starts after the figures of the last one.
                if level <= 2 { flushFigures() }
                let headingSize = [15.0, 13, 11.5, 10.5, 10, 10][min(5, level - 1)]
                let layout = TextLayout(context, markup: markup(content), width: width - indent, size: headingSize, bold: true)
                ensure(layout.height + 3 * size)  // keep a heading with what follows
                y += 4
                if nextHeading < headingIDs.count { pages.addDestination(headingIDs[nextHeading], y: y) }
                nextHeading += 1
                let parent = headingParents[max(0, level - 1)]
                headingParents[min(6, level)] = pages.addOutline(plain(content), parent: parent, y: y)
                place(layout, indent: indent, spacingAfter: 4)
            case let .paragraph(content):
                place(linkedLayout(content, width: width - indent, size: size), indent: indent)
            case let .blockQuote(children):
                for child in children { typeset(child, indent: indent + 14) }
            case let .list(ordered, items):
                for (index, item) in items.enumerated() {
                    let marker = ordered ? "\(index + 1)." : "•"
                    let markerLayout = TextLayout(context, markup: marker, width: 16, size: size)
                    ensure(markerLayout.height)
                    markerLayout.drawLine(0, in: context, left: left + indent, top: y)
                    for child in item { typeset(child, indent: indent + 16) }
                }
            case let .code(_, text):
                place(TextLayout(context, markup: TextLayout.escape(text), width: width - indent, size: size - 1.5,
                                 family: "DejaVu Sans Mono"), indent: indent)
            case .thematicBreak:
                ensure(8)
                context.line(from: Point(left, y + 3), to: Point(left + width, y + 3), color: Color(hex: 0xbbbbbb), width: 0.5)
                y += 8
            case let .collapsible(summary, children):
                nextHeading += HeadingIDs(children).ids.count
                // Folded away in HTML, left out on paper: the full table is the report's supplement file.
                let note = document.language == "zh" ? "（PDF 中从略，见 HTML 版本与随附的 CSV 文件）"
                    : " (not printed; see the HTML report and the CSV supplement)"
                place(TextLayout(context, markup: "<b>\(markup(summary))</b>" + TextLayout.escape(note), width: width - indent,
                                 size: size), indent: indent)
            case let .anchoredList(items):
                for (index, item) in items.enumerated() {
                    let markerLayout = TextLayout(context, markup: "\(index + 1).", width: 16, size: size)
                    ensure(markerLayout.height)
                    pages.addDestination(item.id, y: y)
                    markerLayout.drawLine(0, in: context, left: left + indent, top: y)
                    typeset(.paragraph(item.content), indent: indent + 16)
                }
            case let .table(table): typesetTable(table)
            case let .figure(figure): typesetFigure(figure)
            }
        }

        mutating func typesetTable(_ table: Table) {
            let size = typesetter.bodySize - 1
            let columns = max(1, table.header.count)
            // Column widths as browsers lay out automatic tables: every column gets at least its longest unbreakable
            // word, and what is left goes in proportion to how much longer its longest text is; when everything
            // fits, in proportion to the longest texts. Widths are measured with Pango (the few longest candidates
            // of each column), so bold headers and CJK count at their real size.
            let padding = 3.0
            let drawing = context
            func widest(_ header: [String], _ cells: [String]) -> Double {
                let candidates = cells.sorted { State.displayWidth($0) > State.displayWidth($1) }.prefix(3)
                let headerWidth = header.map { drawing.measure($0, size: size, bold: true).0 }.max() ?? 0
                let cellWidth = candidates.map { drawing.measure($0, size: size).0 }.max() ?? 0
                return max(headerWidth, cellWidth) + 2 * padding + 1
            }
            var longest: [Double] = [], unbreakable: [Double] = []
            for c in 0..<columns {
                let header = plain(table.header[c]), cells = table.rows.map { c < $0.count ? plain($0[c]) : "" }
                let full = widest([header], cells)
                longest.append(full)
                unbreakable.append(min(full, widest(State.unbreakableRuns(header, keepingCJKWords: true).map(String.init),
                                                    cells.flatMap { State.unbreakableRuns($0) }.map(String.init))))
            }
            let (sumLongest, sumUnbreakable) = (longest.reduce(0, +), unbreakable.reduce(0, +))
            let lengths: [Double]
            if sumLongest <= width || sumLongest == sumUnbreakable {
                lengths = longest
            } else if sumUnbreakable >= width {
                // Too many long words: columns whose words fit a common cap keep them, the widest are cut to the cap
                // (Pango then breaks inside their words), the cap chosen so that the table fills the width.
                var (low, high) = (0.0, unbreakable.max() ?? width)
                for _ in 0..<60 {
                    let cap = (low + high) / 2
                    if unbreakable.reduce(0, { $0 + min($1, cap) }) > width { high = cap } else { low = cap }
                }
                lengths = unbreakable.map { min($0, low) }
            } else {
                let share = (width - sumUnbreakable) / (sumLongest - sumUnbreakable)
                lengths = zip(unbreakable, longest).map { $0 + share * ($1 - $0) }
            }
            let total = lengths.reduce(0, +)
            var widths = lengths.map { max(width / Double(columns) / 6, width * $0 / total) }
            let scale = width / widths.reduce(0, +)
            widths = widths.map { $0 * scale }
            func layouts(_ cells: [[Inline]], bold: Bool) -> [TextLayout] {
                (0..<columns).map { c in
                    linkedLayout(c < cells.count ? cells[c] : [], width: widths[c] - 2 * padding, size: size, bold: bold)
                }
            }
            let header = layouts(table.header, bold: true)
            func drawRow(_ cells: [TextLayout], rule: Double) -> Double {
                let rowHeight = (cells.map(\.height).max() ?? 0) + 2 * padding
                var x = left
                for (c, cell) in cells.enumerated() {
                    var lineTop = y + padding
                    for line in cell.lines.indices {
                        cell.drawLine(line, in: context, left: x + padding, top: lineTop)
                        lineTop += cell.lines[line].height
                    }
                    x += widths[c]
                }
                context.line(from: Point(left, y + rowHeight), to: Point(left + width, y + rowHeight),
                             color: Color(hex: rule > 0.6 ? 0x444444 : 0xcccccc), width: rule)
                return rowHeight
            }
            func drawHeader() {
                context.line(from: Point(left, y), to: Point(left + width, y), color: Color(hex: 0x444444), width: 0.8)
                y += drawRow(header, rule: 0.8)
            }
            let headerHeight = (header.map(\.height).max() ?? 0) + 2 * padding
            let rows = table.rows.map { layouts($0, bold: false) }
            let heights = rows.map { ($0.map(\.height).max() ?? 0) + 2 * padding }
            let caption = table.number.map { number in
                TextLayout(context, markup: "<b>\(TextLayout.escape((document.language == "zh" ? "表 " : "Table ") + "\(number). "))</b>"
                           + markup(table.caption), width: width, size: size)
            }
            let note = table.note.isEmpty ? nil : TextLayout(context, markup: markup(table.note), width: width, size: size - 1)
            // The caption and the header keep with the first rows (two at least, so that no caption with one row
            // is stranded at a page bottom); a table of fewer than six rows, with its note, is never split.
            let kept = heights.count < 6 ? heights.reduce(0, +) + (note?.height ?? 0) + 3 : heights.prefix(2).reduce(0, +)
            ensure((caption.map { $0.height + 3 } ?? 0) + headerHeight + kept)
            if let id = table.id { pages.addDestination(id, y: y) }
            if let caption { place(caption, spacingAfter: 3) }
            drawHeader()
            for (index, (cells, height)) in zip(rows, heights).enumerated() {
                // The last row keeps its note with it.
                let kept = index == rows.count - 1 ? height + (note.map { $0.height + 3 } ?? 0) : height
                if y + kept > bottom {
                    newPage()
                    drawHeader()
                }
                y += drawRow(cells, rule: 0.4)
            }
            if let note {
                y += 3
                place(note, spacingAfter: 10)
            } else {
                y += 10
            }
        }

        /// A figure that does not fit in the rest of the page waits for the next one while the text goes on,
        /// unless the page is nearly full anyway; figures keep their order.
        mutating func typesetFigure(_ figure: Figure) {
            guard figure.chart != nil else { return }
            let needed = figureHeight(figure)
            if !pendingFigures.isEmpty || (y + needed > bottom && bottom - y > 0.25 * (bottom - top)) {
                pendingFigures.append(figure)
            } else {
                placeFigure(figure)
            }
        }

        func figureHeight(_ figure: Figure) -> Double {
            guard let chart = figure.chart else { return 0 }
            let caption = figure.number.map { number in
                TextLayout(context, markup: "<b>\(TextLayout.escape((document.language == "zh" ? "图 " : "Figure ") + "\(number). "))</b>"
                           + markup(figure.caption), width: width, size: typesetter.bodySize - 1)
            }
            return chart.height * min(1, width / chart.width) + (caption?.height ?? 0) + 6
        }

        mutating func placeFigure(_ figure: Figure) {
            guard let chart = figure.chart else { return }
            ensure(figureHeight(figure))
            if let id = figure.id { pages.addDestination(id, y: y) }
            let scale = min(1, width / chart.width)
            let height = chart.height * scale
            let caption = figure.number.map { number in
                TextLayout(context, markup: "<b>\(TextLayout.escape((document.language == "zh" ? "图 " : "Figure ") + "\(number). "))</b>"
                           + markup(figure.caption), width: width, size: typesetter.bodySize - 1)
            }
            context.save()
            chart.draw(context, in: Rect(x: left + (width - chart.width * scale) / 2, y: y, width: chart.width * scale, height: height))
            context.restore()
            y += height + 4
            if let caption { place(caption, spacingAfter: 10) }
        }

        /// A layout of inlines whose links are clickable in the PDF: in-document links (`#id`) go to the
        /// destination of that id, URLs open.
        func linkedLayout(_ inlines: [Inline], width: Double, size: Double, bold: Bool = false) -> TextLayout {
            var links: [TextLayout.Link] = []
            var offset = 0
            func walk(_ list: [Inline]) {
                for inline in list {
                    switch inline {
                    case let .text(text): offset += UnitBinding.apply(text).utf8.count
                    case let .code(text): offset += text.utf8.count
                    case let .emphasis(children), let .strong(children), let .strikethrough(children): walk(children)
                    case let .link(url, children):
                        let start = offset
                        walk(children)
                        guard LinkURLPolicy.refusal(url) == nil, !url.contains("'") else { continue }
                        let target = url.hasPrefix("#") ? "dest='\(url.dropFirst())'" : "uri='\(url)'"
                        links.append(TextLayout.Link(start: start, end: offset, target: target))
                    case .softBreak, .lineBreak: offset += 1
                    case let .reference(id, _): offset += ("@" + id).utf8.count
                    }
                }
            }
            walk(inlines)
            let layout = TextLayout(context, markup: markup(inlines), width: width, size: size, bold: bold)
            layout.links = links
            return layout
        }

        func markup(_ inlines: [Inline]) -> String {
            inlines.map { inline -> String in
                switch inline {
                case let .text(text): TextLayout.escape(UnitBinding.apply(text))
                case let .emphasis(children): "<i>\(markup(children))</i>"
                case let .strong(children): "<b>\(markup(children))</b>"
                case let .code(text): "<tt>\(TextLayout.escape(text))</tt>"
                case let .link(_, children): "<span foreground=\"#0b5cad\">\(markup(children))</span>"
                case let .strikethrough(children): "<s>\(markup(children))</s>"
                case .softBreak: " "
                case .lineBreak: "\n"
                case let .reference(id, _): TextLayout.escape("@" + id)
                }
            }.joined()
        }

        func plain(_ inlines: [Inline]) -> String {
            inlines.map { inline -> String in
                switch inline {
                case let .text(text), let .code(text): text
                case let .emphasis(children), let .strong(children), let .strikethrough(children), let .link(_, children):
                    plain(children)
                case .softBreak, .lineBreak: " "
                case let .reference(id, _): "@" + id
                }
            }.joined()
        }

        /// Width in Latin character widths: a CJK character is about two.
        static func displayWidth<S: StringProtocol>(_ text: S) -> Int {
            text.reduce(0) { $0 + ($1.isCJK ? 2 : 1) }
        }

        /// Runs of text a line cannot break inside: split at white space other than no-break spaces, after dashes
        /// and around every CJK character (CJK text breaks between any two characters) — unless `keepingCJKWords`,
        /// as for column headers, whose Chinese words stay whole as in the HTML (CSS word-break: keep-all).
        static func unbreakableRuns(_ text: String, keepingCJKWords: Bool = false) -> [Substring] {
            var runs: [Substring] = []
            var start = text.startIndex
            for index in text.indices {
                let isCJK = text[index].isCJK && !keepingCJKWords
                if (text[index].isWhitespace && text[index] != "\u{00A0}") || isCJK {
                    if start < index { runs.append(text[start..<index]) }
                    if isCJK { runs.append(text[index...index]) }
                    start = text.index(after: index)
                } else if text[index] == "–" || text[index] == "-" {
                    runs.append(text[start...index])
                    start = text.index(after: index)
                }
            }
            if start < text.endIndex { runs.append(text[start...]) }
            return runs
        }
    }
}
