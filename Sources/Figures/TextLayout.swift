import CCairo
import Foundation

/// A paragraph laid out by Pango (line breaking, CJK included) at a fixed width, from Pango markup; its lines
/// can be drawn one by one so that a paragraph can continue on the next page.
public final class TextLayout {
    private let layout: OpaquePointer
    /// Height of each line and the offset of its baseline from the line's top (points).
    public private(set) var lines: [(height: Double, baseline: Double)] = []
    public var height: Double { lines.reduce(0) { $0 + $1.height } }

    /// A link in a PDF layout: the UTF-8 byte range of its text in the layout's plain text, and its target as
    /// cairo's link attribute (`uri='https://…'` or `dest='tbl-1'`).
    public struct Link: Sendable, Equatable {
        public var start: Int
        public var end: Int
        public var target: String
        public init(start: Int, end: Int, target: String) {
            (self.start, self.end, self.target) = (start, end, target)
        }
    }

    /// Links drawn as PDF link annotations over their text (cairo tags; other surfaces ignore them).
    public var links: [Link] = []

    /// `markup` uses Pango markup (<b>, <i>, <tt>, <span>); text must be escaped with `TextLayout.escape`.
    public init(_ context: DrawingContext, markup: String, width: Double, size: Double, family: String? = nil,
                bold: Bool = false) {
        layout = pango_cairo_create_layout(context.cairo)!
        pango_cairo_context_set_resolution(pango_layout_get_context(layout), 72)
        pango_layout_context_changed(layout)
        let font = pango_font_description_new()!
        pango_font_description_set_family(font, family ?? context.theme.fontFamily)
        pango_font_description_set_absolute_size(font, size.isFinite ? min(max(size, 0.1), 10_000) * Double(PANGO_SCALE) : 10 * Double(PANGO_SCALE))
        pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
        pango_layout_set_font_description(layout, font)
        pango_font_description_free(font)
        // Pango units are Int32; a width beyond them (or not a number) means no wrapping rather than a trap.
        let units = width * Double(PANGO_SCALE)
        pango_layout_set_width(layout, units.isFinite && units > 0 && units < Double(Int32.max) ? Int32(units) : -1)
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        pango_layout_set_markup(layout, markup, -1)
        let iterator = pango_layout_get_iter(layout)!
        defer { pango_layout_iter_free(iterator) }
        repeat {
            var ink = PangoRectangle(), logical = PangoRectangle()
            pango_layout_iter_get_line_extents(iterator, &ink, &logical)
            let baseline = Double(pango_layout_iter_get_baseline(iterator) - logical.y) / Double(PANGO_SCALE)
            lines.append((Double(logical.height) / Double(PANGO_SCALE), baseline))
        } while pango_layout_iter_next_line(iterator) != 0
    }

    deinit { g_object_unref(UnsafeMutableRawPointer(layout)) }

    /// Draws line `index` with its top at `top`, starting at `left`.
    public func drawLine(_ index: Int, in context: DrawingContext, left: Double, top: Double, color: Color? = nil) {
        guard let line = pango_layout_get_line_readonly(layout, Int32(index)) else { return }
        context.save()
        context.setColor(color ?? context.theme.text)
        cairo_move_to(context.cairo, left, top + lines[index].baseline)
        pango_cairo_show_layout_line(context.cairo, line)
        context.restore()
        // The part of each link on this line becomes a clickable rectangle.
        let lineStart = Int(line.pointee.start_index), lineEnd = lineStart + Int(line.pointee.length)
        for link in links where link.start < lineEnd && link.end > lineStart {
            var x0: Int32 = 0, x1: Int32 = 0
            pango_layout_line_index_to_x(line, Int32(max(link.start, lineStart)), 0, &x0)
            pango_layout_line_index_to_x(line, Int32(min(link.end, lineEnd)), 0, &x1)
            let a = left + Double(min(x0, x1)) / Double(PANGO_SCALE), b = left + Double(max(x0, x1)) / Double(PANGO_SCALE)
            guard b > a else { continue }
            let rect = String(format: "rect=[%.2f %.2f %.2f %.2f]", a, top, b - a, lines[index].height)
            cairo_tag_begin(context.cairo, CAIRO_TAG_LINK, rect + " " + link.target)
            cairo_tag_end(context.cairo, CAIRO_TAG_LINK)
        }
    }

    /// Escapes text for Pango markup.
    public static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "'": result += "&apos;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }
}

/// A multi-page PDF in memory: A4 or any size in points, fixed metadata dates (byte-identical output), an
/// outline (bookmarks) and a drawing context per page.
public final class PDFPages {
    private let canvas: CairoCanvas
    public let context: DrawingContext
    public let width: Double
    public let height: Double
    public private(set) var pageNumber = 1

    public init(width: Double = 595.2756, height: Double = 841.8898, title: String, author: String,
                theme: FigureTheme = .standard) {
        canvas = CairoCanvas(format: .pdf, width: width, height: height, title: title)
        if !author.isEmpty { cairo_pdf_surface_set_metadata(canvas.surface, CAIRO_PDF_METADATA_AUTHOR, author) }
        context = DrawingContext(cairo: canvas.context, theme: theme)
        self.width = width
        self.height = height
    }

    /// Marks a link destination named `name` on the current page at height `y` (a table, figure or heading).
    public func addDestination(_ name: String, y: Double) {
        cairo_tag_begin(canvas.context, CAIRO_TAG_DEST, "name='\(name)' x=0 y=\(String(format: "%.2f", y))")
        cairo_tag_end(canvas.context, CAIRO_TAG_DEST)
    }

    public func newPage() {
        cairo_show_page(canvas.context)
        pageNumber += 1
    }

    /// Adds a bookmark to the current page at height `y`; returns its id for children.
    @discardableResult
    public func addOutline(_ title: String, parent: Int32 = 0, y: Double) -> Int32 {
        cairo_pdf_surface_add_outline(canvas.surface, parent, title, "page=\(pageNumber) pos=[0 \(Int(y))]",
                                      CAIRO_PDF_OUTLINE_FLAG_OPEN)
    }

    public func finish() throws -> Data { try canvas.finish() }
}
