import CCairo
import Foundation

/// A chart already drawn as a PNG, placed as an image scaled to its rectangle: a 3D view of tens of thousands of
/// triangles is drawn once as a raster instead of again as vectors on every page that shows it.
public struct RasterChart: Chart {
    public var png: Data
    public var width: Double
    public var height: Double
    public var title: String

    public init(png: Data, width: Double, height: Double, title: String = "") {
        self.png = png
        self.width = width
        self.height = height
        self.title = title
    }

    /// The PNG's bytes as cairo reads them, in order.
    private final class Reader {
        let bytes: [UInt8]
        var offset = 0
        init(_ data: Data) { bytes = [UInt8](data) }
    }

    public func draw(_ context: DrawingContext, in rect: Rect) {
        let reader = Reader(png)
        let read: cairo_read_func_t = { closure, target, length in
            let reader = Unmanaged<Reader>.fromOpaque(closure!).takeUnretainedValue()
            let count = Int(length)
            guard reader.offset + count <= reader.bytes.count else { return CAIRO_STATUS_READ_ERROR }
            reader.bytes.withUnsafeBufferPointer { memcpy(target!, $0.baseAddress! + reader.offset, count) }
            reader.offset += count
            return CAIRO_STATUS_SUCCESS
        }
        let image = withExtendedLifetime(reader) {
            cairo_image_surface_create_from_png_stream(read, Unmanaged.passUnretained(reader).toOpaque())
        }
        defer { cairo_surface_destroy(image) }
        let pixelsWide = Double(cairo_image_surface_get_width(image)), pixelsHigh = Double(cairo_image_surface_get_height(image))
        // An unreadable PNG gives an error surface of size 0: nothing is drawn.
        guard cairo_surface_status(image) == CAIRO_STATUS_SUCCESS, pixelsWide > 0, pixelsHigh > 0 else { return }
        let cr = context.cairo
        cairo_save(cr)
        cairo_translate(cr, rect.x, rect.y)
        cairo_scale(cr, rect.width / pixelsWide, rect.height / pixelsHigh)
        cairo_set_source_surface(cr, image, 0, 0)
        cairo_paint(cr)
        cairo_restore(cr)
    }
}
