import CCairo
import CZlib
import Foundation
import Imaging

/// Output formats a figure can be written in.
public enum FigureFormat: String, Sendable, CaseIterable, Codable {
    case png, svg, pdf

    /// The format a file name asks for, from its extension.
    public init?(path: String) {
        self.init(rawValue: (path as NSString).pathExtension.lowercased())
    }
}

/// Collects bytes written by a cairo stream surface.
final class ByteSink {
    var data = Data()
}

/// Fixed creation date written into PDFs so that the same input gives the same bytes.
let fixedPDFDate = "2000-01-01T00:00:00Z"

/// A cairo surface of `width` × `height` points, writing PNG (at `dpi`), SVG or PDF into memory.
///
/// Drawing units are points in every format; the PNG surface is scaled by dpi/72. Not Sendable: it owns
/// cairo objects; create, draw and finish it within one task.
final class CairoCanvas {
    let format: FigureFormat
    let width: Double
    let height: Double
    let dpi: Double
    let surface: OpaquePointer
    let context: OpaquePointer
    private let sink = ByteSink()
    private var finished = false

    init(format: FigureFormat, width: Double, height: Double, dpi: Double = 300, title: String = "") {
        self.format = format
        self.width = width
        self.height = height
        self.dpi = dpi
        let write: cairo_write_func_t = { closure, bytes, length in
            let sink = Unmanaged<ByteSink>.fromOpaque(closure!).takeUnretainedValue()
            sink.data.append(bytes!, count: Int(length))
            return CAIRO_STATUS_SUCCESS
        }
        let closure = Unmanaged.passUnretained(sink).toOpaque()
        switch format {
        case .png:
            let pixelsWide = Int32((width * dpi / 72).rounded()), pixelsHigh = Int32((height * dpi / 72).rounded())
            surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, pixelsWide, pixelsHigh)
        case .svg:
            surface = cairo_svg_surface_create_for_stream(write, closure, width, height)
            cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PT)
        case .pdf:
            surface = cairo_pdf_surface_create_for_stream(write, closure, width, height)
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title)
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "CementReport")
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, fixedPDFDate)
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, fixedPDFDate)
        }
        context = cairo_create(surface)
        if format == .png {
            cairo_scale(context, dpi / 72, dpi / 72)
            // A white page: PNG figures should not be transparent in documents and viewers.
            cairo_set_source_rgb(context, 1, 1, 1)
            cairo_paint(context)
        }
    }

    deinit {
        cairo_destroy(context)
        cairo_surface_destroy(surface)
    }

    /// Finishes the surface and returns the encoded file.
    func finish() throws(ImagingError) -> Data {
        precondition(!finished, "canvas already finished")
        finished = true
        if format == .png {
            cairo_surface_flush(surface)
            let write: cairo_write_func_t = { closure, bytes, length in
                let sink = Unmanaged<ByteSink>.fromOpaque(closure!).takeUnretainedValue()
                sink.data.append(bytes!, count: Int(length))
                return CAIRO_STATUS_SUCCESS
            }
            let status = cairo_surface_write_to_png_stream(surface, write, Unmanaged.passUnretained(sink).toOpaque())
            guard status == CAIRO_STATUS_SUCCESS else {
                throw ImagingError(file: "figure", "PNG encoding failed: \(String(cString: cairo_status_to_string(status)))")
            }
        } else {
            cairo_surface_finish(surface)
        }
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw ImagingError(file: "figure", "cairo: \(String(cString: cairo_status_to_string(status)))")
        }
        switch format {
        case .svg: return Self.renumberSVGIdentifiers(sink.data)
        case .png: return Self.withResolution(sink.data, dpi: dpi)
        case .pdf: return sink.data
        }
    }

    /// The PNG with a pHYs chunk after its header saying its resolution, so that journals' systems and layout
    /// programs size a 300 dpi figure as printed (cairo writes none).
    static func withResolution(_ png: Data, dpi: Double) -> Data {
        // Signature (8 bytes) and the IHDR chunk (4 length + 4 type + 13 data + 4 CRC) come first.
        guard png.count > 33 else { return png }
        let perMetre = UInt32((dpi / 0.0254).rounded())
        var body = Data("pHYs".utf8)
        for _ in 0..<2 { withUnsafeBytes(of: perMetre.bigEndian) { body.append(contentsOf: $0) } }
        body.append(1)  // unit: metre
        let crc = body.withUnsafeBytes { UInt32(crc32(0, $0.bindMemory(to: UInt8.self).baseAddress, UInt32(body.count))) }
        var chunk = Data()
        withUnsafeBytes(of: UInt32(9).bigEndian) { chunk.append(contentsOf: $0) }
        chunk.append(body)
        withUnsafeBytes(of: crc.bigEndian) { chunk.append(contentsOf: $0) }
        var result = png.prefix(33)
        result.append(chunk)
        result.append(png.dropFirst(33))
        return Data(result)
    }

    /// Cairo numbers SVG surfaces and fonts with process-wide counters, so the same figure drawn twice in one
    /// process gets other ids. Renumbering them in order of first appearance makes the file depend only on
    /// the figure.
    static func renumberSVGIdentifiers(_ data: Data) -> Data {
        var text = String(decoding: data, as: UTF8.self)
        for (pattern, prefix) in [("surface([0-9]+)", "surface"), ("glyph([0-9]+)-", "glyph")] {
            let regex = try! NSRegularExpression(pattern: pattern)
            var mapping: [String: Int] = [:]
            let range = NSRange(text.startIndex..., in: text)
            for match in regex.matches(in: text, range: range) {
                let number = (text as NSString).substring(with: match.range(at: 1))
                if mapping[number] == nil { mapping[number] = mapping.count + 1 }
            }
            var result = ""
            var last = text.startIndex
            for match in regex.matches(in: text, range: range) {
                let whole = Range(match.range, in: text)!
                let number = (text as NSString).substring(with: match.range(at: 1))
                result += text[last..<whole.lowerBound]
                result += prefix + "\(mapping[number]!)" + (prefix == "glyph" ? "-" : "")
                last = whole.upperBound
            }
            result += text[last...]
            text = result
        }
        return Data(text.utf8)
    }
}
