import CCairo
import CCmarkGFM
import XCTest

/// The native libraries link and answer; the features built on them carry the real tests.
final class BindingTests: XCTestCase {
    func testCmarkGFMParsesATableWithTheCoreExtensions() {
        cmark_gfm_core_extensions_ensure_registered()
        let parser = cmark_parser_new(CMARK_OPT_DEFAULT)!
        defer { cmark_parser_free(parser) }
        let table = cmark_find_syntax_extension("table")
        XCTAssertNotNil(table)
        cmark_parser_attach_syntax_extension(parser, table)
        let text = "| a | b |\n|---|---|\n| 1 | 2 |\n"
        cmark_parser_feed(parser, text, text.utf8.count)
        let document = cmark_parser_finish(parser)!
        defer { cmark_node_free(document) }
        let first = cmark_node_first_child(document)!
        XCTAssertEqual(cmark_node_get_type(first), ccmark_node_table())
        XCTAssertEqual(String(cString: cmark_node_get_type_string(first)), "table")
    }

    func testPangoCairoLaysOutChineseTextWithoutUnknownGlyphs() {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 200, 50)!
        defer { cairo_surface_destroy(surface) }
        let context = cairo_create(surface)!
        defer { cairo_destroy(context) }
        let layout = pango_cairo_create_layout(context)!
        defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
        let font = pango_font_description_from_string("Noto Sans CJK SC 12")
        defer { pango_font_description_free(font) }
        pango_layout_set_font_description(layout, font)
        pango_layout_set_text(layout, "骨水泥弥散率 DR", -1)
        XCTAssertEqual(pango_layout_get_unknown_glyphs_count(layout), 0)
        var width: Int32 = 0, height: Int32 = 0
        pango_layout_get_pixel_size(layout, &width, &height)
        XCTAssertGreaterThan(width, 60)
    }
}
