import CCairo
import Foundation

/// A point or size in drawing units (points).
public struct Point: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }
}

/// A rectangle in drawing units.
public struct Rect: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
    public func inset(left: Double, top: Double, right: Double, bottom: Double) -> Rect {
        Rect(x: x + left, y: y + top, width: width - left - right, height: height - top - bottom)
    }
}

/// Where a text's reference point sits on its box.
public enum TextAnchor: Sendable {
    case topLeft, top, topRight, left, centre, right, bottomLeft, bottom, bottomRight
}

/// Thin drawing API over a cairo context, with Pango for all text. Not Sendable (wraps cairo state).
public final class DrawingContext {
    /// The underlying cairo context, for drawing code in other modules (text layout, pages).
    public let cairo: OpaquePointer
    public let theme: FigureTheme
    /// Every text drawn, in order: what a screen reader or a search in the page should find in the figure, whose
    /// glyphs are outlines in SVG and PDF.
    public private(set) var drawnText: [String] = []

    /// Draws into an existing cairo context (for example a report page), in points.
    public init(cairo: OpaquePointer, theme: FigureTheme = .standard) {
        self.cairo = cairo
        self.theme = theme
    }

    public func setColor(_ color: Color) { cairo_set_source_rgba(cairo, color.red, color.green, color.blue, color.alpha) }
    public func setLineWidth(_ width: Double) { cairo_set_line_width(cairo, width) }
    public func setDash(_ pattern: [Double]) {
        pattern.withUnsafeBufferPointer { cairo_set_dash(cairo, $0.baseAddress, Int32(pattern.count), 0) }
    }

    public func save() { cairo_save(cairo) }
    public func restore() { cairo_restore(cairo) }
    public func clip(to rect: Rect) {
        cairo_rectangle(cairo, rect.x, rect.y, rect.width, rect.height)
        cairo_clip(cairo)
    }

    public func line(from a: Point, to b: Point, color: Color, width: Double, dash: [Double] = []) {
        setColor(color)
        setLineWidth(width)
        setDash(dash)
        cairo_move_to(cairo, a.x, a.y)
        cairo_line_to(cairo, b.x, b.y)
        cairo_stroke(cairo)
        setDash([])
    }

    public func polyline(_ points: [Point], color: Color, width: Double, dash: [Double] = []) {
        guard let first = points.first else { return }
        setColor(color)
        setLineWidth(width)
        setDash(dash)
        cairo_move_to(cairo, first.x, first.y)
        for point in points.dropFirst() { cairo_line_to(cairo, point.x, point.y) }
        cairo_stroke(cairo)
        setDash([])
    }

    /// Many separate line segments stroked as one path.
    public func segments(_ segments: [(Point, Point)], color: Color, width: Double) {
        guard !segments.isEmpty else { return }
        setColor(color)
        setLineWidth(width)
        cairo_set_line_cap(cairo, CAIRO_LINE_CAP_ROUND)
        for (a, b) in segments {
            cairo_move_to(cairo, a.x, a.y)
            cairo_line_to(cairo, b.x, b.y)
        }
        cairo_stroke(cairo)
        cairo_set_line_cap(cairo, CAIRO_LINE_CAP_BUTT)
    }

    public func polygon(_ points: [Point], fill: Color?, stroke: Color? = nil, width: Double = 0.5) {
        guard let first = points.first else { return }
        cairo_move_to(cairo, first.x, first.y)
        for point in points.dropFirst() { cairo_line_to(cairo, point.x, point.y) }
        cairo_close_path(cairo)
        finishPath(fill: fill, stroke: stroke, width: width)
    }

    /// The polygon of three points, without an array for them (a 3D surface draws tens of thousands).
    public func triangle(_ a: Point, _ b: Point, _ c: Point, fill: Color?, stroke: Color? = nil, width: Double = 0.5) {
        cairo_move_to(cairo, a.x, a.y)
        cairo_line_to(cairo, b.x, b.y)
        cairo_line_to(cairo, c.x, c.y)
        cairo_close_path(cairo)
        finishPath(fill: fill, stroke: stroke, width: width)
    }

    public func rectangle(_ rect: Rect, fill: Color?, stroke: Color? = nil, width: Double = 0.5) {
        cairo_rectangle(cairo, rect.x, rect.y, rect.width, rect.height)
        finishPath(fill: fill, stroke: stroke, width: width)
    }

    public func circle(centre: Point, radius: Double, fill: Color?, stroke: Color? = nil, width: Double = 0.5) {
        cairo_new_sub_path(cairo)
        cairo_arc(cairo, centre.x, centre.y, radius, 0, 2 * Double.pi)
        finishPath(fill: fill, stroke: stroke, width: width)
    }

    /// A diamond marker (used for means).
    public func diamond(centre: Point, radius: Double, fill: Color?, stroke: Color? = nil, width: Double = 0.5) {
        polygon([Point(centre.x, centre.y - radius), Point(centre.x + radius, centre.y),
                 Point(centre.x, centre.y + radius), Point(centre.x - radius, centre.y)],
                fill: fill, stroke: stroke, width: width)
    }

    private func finishPath(fill: Color?, stroke: Color?, width: Double) {
        if let fill {
            setColor(fill)
            if stroke != nil { cairo_fill_preserve(cairo) } else { cairo_fill(cairo) }
        }
        if let stroke {
            setColor(stroke)
            setLineWidth(width)
            cairo_stroke(cairo)
        }
        cairo_new_path(cairo)
    }

    // MARK: Text

    /// A Pango layout of `text` in the theme's font; the caller releases it with g_object_unref.
    private func layout(_ text: String, size: Double, bold: Bool, width: Double?) -> OpaquePointer {
        let layout = pango_cairo_create_layout(cairo)!
        // 72 dpi makes one Pango point one drawing unit, as everything else here is in points.
        pango_cairo_context_set_resolution(pango_layout_get_context(layout), 72)
        pango_layout_context_changed(layout)
        let font = pango_font_description_new()!
        pango_font_description_set_family(font, theme.fontFamily)
        pango_font_description_set_absolute_size(font, size * Double(PANGO_SCALE))
        pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
        pango_layout_set_font_description(layout, font)
        pango_font_description_free(font)
        if let width {
            pango_layout_set_width(layout, Int32(width * Double(PANGO_SCALE)))
            pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        }
        pango_layout_set_text(layout, text, -1)
        return layout
    }

    /// Width and height of a text's logical box.
    public func measure(_ text: String, size: Double? = nil, bold: Bool = false, width: Double? = nil) -> (Double, Double) {
        let layout = self.layout(text, size: size ?? theme.baseSize, bold: bold, width: width)
        defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
        var w: Int32 = 0, h: Int32 = 0
        pango_layout_get_size(layout, &w, &h)
        return (Double(w) / Double(PANGO_SCALE), Double(h) / Double(PANGO_SCALE))
    }

    /// Draws text with its anchor at `point`, optionally rotated (radians, counter-clockwise) about it.
    @discardableResult
    public func text(_ text: String, at point: Point, anchor: TextAnchor = .bottomLeft, size: Double? = nil,
                     bold: Bool = false, color: Color? = nil, rotation: Double = 0, width: Double? = nil) -> Rect {
        drawnText.append(text)
        let layout = self.layout(text, size: size ?? theme.baseSize, bold: bold, width: width)
        defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
        var w: Int32 = 0, h: Int32 = 0
        pango_layout_get_size(layout, &w, &h)
        let tw = Double(w) / Double(PANGO_SCALE), th = Double(h) / Double(PANGO_SCALE)
        let dx: Double, dy: Double
        switch anchor {
        case .topLeft: (dx, dy) = (0, 0)
        case .top: (dx, dy) = (-tw / 2, 0)
        case .topRight: (dx, dy) = (-tw, 0)
        case .left: (dx, dy) = (0, -th / 2)
        case .centre: (dx, dy) = (-tw / 2, -th / 2)
        case .right: (dx, dy) = (-tw, -th / 2)
        case .bottomLeft: (dx, dy) = (0, -th)
        case .bottom: (dx, dy) = (-tw / 2, -th)
        case .bottomRight: (dx, dy) = (-tw, -th)
        }
        save()
        setColor(color ?? theme.text)
        cairo_translate(cairo, point.x, point.y)
        cairo_rotate(cairo, -rotation)
        cairo_move_to(cairo, dx, dy)
        pango_cairo_show_layout(cairo, layout)
        restore()
        return Rect(x: point.x + dx, y: point.y + dy, width: tw, height: th)
    }

    /// Number of characters the theme's font cannot show (Pango substitutes boxes for them).
    public func unknownGlyphs(_ text: String) -> Int {
        let layout = self.layout(text, size: theme.baseSize, bold: false, width: nil)
        defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
        return Int(pango_layout_get_unknown_glyphs_count(layout))
    }

    /// Paints an RGBA image (row-major, premultiplied ARGB32 words) into `rect`, without smoothing between pixels
    /// when `nearest` is set.
    public func image(argb: [UInt32], width: Int, height: Int, in rect: Rect, nearest: Bool) {
        var pixels = argb
        let stride = cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, Int32(width))
        precondition(Int(stride) == width * 4, "ARGB32 rows are packed")
        pixels.withUnsafeMutableBytes { raw in
            let image = cairo_image_surface_create_for_data(raw.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                                            CAIRO_FORMAT_ARGB32, Int32(width), Int32(height), stride)
            save()
            cairo_rectangle(cairo, rect.x, rect.y, rect.width, rect.height)
            cairo_clip(cairo)
            cairo_translate(cairo, rect.x, rect.y)
            cairo_scale(cairo, rect.width / Double(width), rect.height / Double(height))
            cairo_set_source_surface(cairo, image, 0, 0)
            cairo_pattern_set_filter(cairo_get_source(cairo), nearest ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_BILINEAR)
            cairo_paint(cairo)
            restore()
            cairo_surface_destroy(image)
        }
    }
}
