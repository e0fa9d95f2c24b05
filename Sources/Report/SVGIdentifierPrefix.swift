/// A figure's SVG made ready to sit inline in a page beside other figures: its XML declaration dropped and every
/// identifier it defines or refers to (`id="…"`, `href="#…"`, `url(#…)`) given a prefix, so that two figures'
/// `glyph0-1` or `clip3` do not collide.
///
/// `id="` and `href="#` count only as attributes (after white space, or ':' as in `xlink:href`): a raster's base64
/// text ending in `id=` before its closing quote is data, not an identifier. One pass over the UTF-8 bytes: a CT
/// figure's SVG carries a base64 raster of a megabyte, which four `replacingOccurrences` passes (through
/// Foundation's UTF-16 strings) took a tenth of the study report's render to walk.
enum SVGIdentifierPrefix {
    private static let declaration = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".utf8)
    /// Each pattern, and whether it must start an attribute.
    private static let references = [(Array("id=\"".utf8), true), (Array("href=\"#".utf8), true), (Array("url(#".utf8), false)]

    static func apply(_ svg: String, prefix: String) -> String {
        let bytes = Array(svg.utf8), inserted = Array(prefix.utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + 4096)
        func matches(_ pattern: [UInt8], at index: Int) -> Bool {
            guard index + pattern.count <= bytes.count else { return false }
            for offset in pattern.indices where bytes[index + offset] != pattern[offset] { return false }
            return true
        }
        var index = 0
        scan: while index < bytes.count {
            // Every pattern starts with '<', 'i', 'h' or 'u'; any other byte is copied after one comparison.
            switch bytes[index] {
            case UInt8(ascii: "<") where matches(declaration, at: index):
                index += declaration.count
                continue scan
            case UInt8(ascii: "i"), UInt8(ascii: "h"), UInt8(ascii: "u"):
                for (pattern, attribute) in references where matches(pattern, at: index)
                    && (!attribute || index > 0 && startsAttribute(bytes[index - 1]))
                {
                    result += pattern
                    result += inserted
                    index += pattern.count
                    continue scan
                }
            default:
                break
            }
            result.append(bytes[index])
            index += 1
        }
        return String(decoding: result, as: UTF8.self)
    }

    private static func startsAttribute(_ previous: UInt8) -> Bool {
        previous == UInt8(ascii: " ") || previous == UInt8(ascii: "\n") || previous == UInt8(ascii: "\t")
            || previous == UInt8(ascii: "\r") || previous == UInt8(ascii: ":")
    }
}
