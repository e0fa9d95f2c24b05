/// Boundary segments of a binary image, between pixel centres (marching squares). Coordinates are in pixels,
/// (0, 0) being the centre of the top-left pixel; pixels outside the image count as empty, so contours close.
enum MarchingSquares {
    static func segments(columns: Int, rows: Int, _ inside: (Int, Int) -> Bool) -> [(Point, Point)] {
        func value(_ c: Int, _ r: Int) -> Bool { c >= 0 && r >= 0 && c < columns && r < rows && inside(c, r) }
        var result: [(Point, Point)] = []
        for r in -1..<rows {
            for c in -1..<columns {
                // Corners: top-left, top-right, bottom-right, bottom-left of the cell between four pixel centres.
                let tl = value(c, r), tr = value(c + 1, r), br = value(c + 1, r + 1), bl = value(c, r + 1)
                let code = (tl ? 8 : 0) | (tr ? 4 : 0) | (br ? 2 : 0) | (bl ? 1 : 0)
                if code == 0 || code == 15 { continue }
                let x = Double(c), y = Double(r)
                let top = Point(x + 0.5, y), right = Point(x + 1, y + 0.5), bottom = Point(x + 0.5, y + 1), left = Point(x, y + 0.5)
                switch code {
                case 1, 14: result.append((left, bottom))
                case 2, 13: result.append((bottom, right))
                case 3, 12: result.append((left, right))
                case 4, 11: result.append((top, right))
                case 6, 9: result.append((top, bottom))
                case 7, 8: result.append((left, top))
                case 5: result += [(left, top), (bottom, right)]
                case 10: result += [(top, right), (left, bottom)]
                default: break
                }
            }
        }
        return result
    }
}
