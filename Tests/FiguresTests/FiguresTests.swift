import CCairo
import Foundation
import Imaging
import Statistics
import Tabular
import XCTest

#if canImport(FoundationXML)
import FoundationXML
#endif

@testable import Figures

final class FiguresTests: XCTestCase {
    // MARK: Numeric geometry

    func testNiceTicks() {
        let a = NiceTicks(minimum: 0.3, maximum: 9.7)
        XCTAssertEqual(a.values, [0, 2, 4, 6, 8, 10])
        let b = NiceTicks(minimum: -0.73, maximum: 0.41)
        XCTAssertEqual(b.step, 0.25)
        XCTAssertEqual(b.values, [-0.75, -0.5, -0.25, 0, 0.25, 0.5])
        XCTAssertEqual(b.label(-0.5), "−0.50")
        let c = NiceTicks(minimum: 5, maximum: 5)
        XCTAssertLessThan(c.lower, 5)
        XCTAssertGreaterThan(c.upper, 5)
    }

    func testLinearScaleMapsDataToPoints() {
        let y = LinearScale(domain: (0, 10), range: (200, 20))
        XCTAssertEqual(y(0), 200)
        XCTAssertEqual(y(10), 20)
        XCTAssertEqual(y(2.5), 155)
    }

    func testBoxStatisticsUseTheStatisticsModuleQuartilesAndTukeyFences() {
        let values: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30]
        let box = BoxPlotChart.BoxStatistics(values)
        let d = Descriptive(values)
        XCTAssertEqual(box.q1, d.q1)
        XCTAssertEqual(box.median, d.median)
        XCTAssertEqual(box.q3, d.q3)
        // Type 7 quartiles 3.5 and 8.5 (R: quantile(c(1:10, 30), c(.25, .75))); fence 8.5 + 1.5·5 = 16.
        XCTAssertEqual(box.q1, 3.5)
        XCTAssertEqual(box.q3, 8.5)
        XCTAssertEqual(box.outliers, [30])
        XCTAssertEqual(box.upperWhisker, 10)
        XCTAssertEqual(box.lowerWhisker, 1)
    }

    func testMarchingTetrahedraEnclosesTheVoxelisedSphere() {
        let radius = 9.0
        let size = SIMD3(24, 24, 24)
        var count = 0
        func inside(_ i: Int, _ j: Int, _ k: Int) -> Bool {
            let d = SIMD3(Double(i), Double(j), Double(k)) - 11.5
            return (d * d).sum() <= radius * radius
        }
        for k in 0..<24 { for j in 0..<24 { for i in 0..<24 where inside(i, j, k) { count += 1 } } }
        let triangles = MarchingTetrahedra.surface(size: size, inside)
        let volume = MarchingTetrahedra.enclosedVolume(triangles)
        // Mid-edge vertices cut half a voxel's corners off; the enclosed volume is close to the voxel count.
        XCTAssertGreaterThan(volume, 0, "outward orientation")
        XCTAssertEqual(volume, Double(count), accuracy: 0.06 * Double(count))
        XCTAssertEqual(volume, 4 / 3 * Double.pi * radius * radius * radius, accuracy: 0.08 * Double(count))
    }

    // MARK: Files

    private func sampleChart() -> BoxPlotChart {
        BoxPlotChart(groups: [.init(label: "低 low", values: [1, 2, 3, 4, 5]), .init(label: "高 high", values: [3, 4, 6, 7, 9])],
                     yLabel: "骨水泥量 Cement (ml)", title: "Cement", width: 100, height: 80)
    }

    func testPNGHasTheRequestedResolutionAndIsDeterministic() throws {
        let data = try FigureRenderer.render(sampleChart(), format: .png, dpi: 300)
        let (width, height, _) = try decodePNG(data)
        XCTAssertEqual(width, 417)
        XCTAssertEqual(height, 333)
        XCTAssertEqual(data, try FigureRenderer.render(sampleChart(), format: .png, dpi: 300))
        // The pHYs chunk right after IHDR: 300 dpi = 11811 pixels per metre (300 / 0.0254, rounded), unit 1 (metre);
        // its CRC checked by Python's zlib.crc32 over b"pHYs" + the data: 0x78A53F76.
        XCTAssertEqual(Array(data[33..<54]), [0, 0, 0, 9, 0x70, 0x48, 0x59, 0x73, 0, 0, 0x2E, 0x23, 0, 0, 0x2E, 0x23, 1,
                                              0x78, 0xA5, 0x3F, 0x76])
    }

    func testSVGIsWellFormedXMLAndDeterministic() throws {
        let data = try FigureRenderer.render(sampleChart(), format: .svg)
        let parser = XMLParser(data: data)
        XCTAssertTrue(parser.parse(), "\(String(describing: parser.parserError))")
        XCTAssertEqual(data, try FigureRenderer.render(sampleChart(), format: .svg))
    }

    func testPDFEmbedsFontsAndIsDeterministic() throws {
        let path = NSTemporaryDirectory() + "cementreport-figure-\(UUID().uuidString).pdf"
        try FigureRenderer.write(sampleChart(), to: path)
        let fonts = try run("pdffonts", [path])
        let rows = fonts.split(separator: "\n").dropFirst(2)
        XCTAssertFalse(rows.isEmpty)
        for row in rows { XCTAssertTrue(row.contains(" yes yes yes "), "font not embedded as a subset with ToUnicode: \(row)") }
        XCTAssertTrue(try run("pdfinfo", [path]).contains("Title:           Cement"))
        XCTAssertTrue(try run("pdftotext", [path, "-"]).contains("骨水泥量"))
        XCTAssertEqual(try FigureRenderer.render(sampleChart(), format: .pdf), try FigureRenderer.render(sampleChart(), format: .pdf))
    }

    func testThemeFontCoversChineseAndLatin() throws {
        let canvas = CairoCanvas(format: .png, width: 10, height: 10, dpi: 72)
        let context = DrawingContext(cairo: canvas.context, theme: .standard)
        XCTAssertEqual(context.unknownGlyphs("骨水泥弥散率 Distribution rate ± ≤ − °"), 0)
    }

    func testOverlayColoursExactlyTheMaskedPixels() throws {
        // Air everywhere (black in any bone window), a 20×20 mask in the middle of an 80×80 slice; the scale bar
        // and its label sit in the lower right, the letters at the edge centres.
        let geometry = VolumeGeometry(size: [80, 80, 3], spacing: [1, 1, 1], origin: [0, 0, 0])
        let volume = HUVolume(geometry: geometry, repeating: -1000)
        var mask = LabelVolume(geometry: geometry, repeating: 0)
        for j in 30..<50 { for i in 30..<50 { mask[i, j, 1] = 1 } }
        let overlay = SliceOverlayFigure.Overlay(mask: mask, color: Color(hex: 0x0000ff), fill: true, outline: false, label: "")
        let figure = SliceOverlayFigure(volume: volume, overlays: [overlay], plane: .axial, centre: [40, 40, 1],
                                        fieldOfView: nil, width: 80, height: 80)
        // 72 dpi: one point per pixel, one voxel per pixel.
        let (width, _, pixels) = try decodePNG(try FigureRenderer.render(figure, format: .png, dpi: 72))
        func rgb(_ x: Int, _ y: Int) -> (Int, Int, Int) {
            let p = pixels[y * width + x]
            return (Int((p >> 16) & 0xff), Int((p >> 8) & 0xff), Int(p & 0xff))
        }
        for (x, y) in [(31, 31), (40, 40), (48, 35)] {
            let inside = rgb(x, y)
            XCTAssertEqual(inside.0, 0, "(\(x), \(y))")
            XCTAssertEqual(inside.1, 0, "(\(x), \(y))")
            XCTAssertEqual(inside.2, 115, "masked pixel is blue at 45 % over black: (\(x), \(y))")
        }
        for (x, y) in [(10, 20), (28, 40), (51, 40), (40, 52)] {
            let outside = rgb(x, y)
            XCTAssertEqual(outside.0 + outside.1 + outside.2, 0, "unmasked air stays black: (\(x), \(y))")
        }
    }

    func testSpecErrorsNameTheColumn() {
        var spec = FigureSpec(kind: .boxplot)
        spec.value = "cement"
        spec.group = "dr_group"
        let table = try! DataTable(source: "t", columns: [("cement_ml", ["1", "2"]), ("dr_group", ["low", "high"])])
        XCTAssertThrowsError(try spec.chart(table)) { error in
            XCTAssertEqual(error as? FigureSpecError, .unknownColumn("cement", known: ["cement_ml", "dr_group"]))
        }
        spec.value = "dr_group"
        XCTAssertThrowsError(try spec.chart(table)) { error in
            XCTAssertEqual(error as? FigureSpecError, .data("row 1, column 'dr_group': 'low' is not a number"))
        }
    }

    // MARK: Helpers

    /// Decodes PNG bytes with cairo: width, height and ARGB pixels (row-major).
    private func decodePNG(_ data: Data) throws -> (Int, Int, [UInt32]) {
        final class Reader {
            let data: Data
            var offset = 0
            init(_ data: Data) { self.data = data }
        }
        let reader = Reader(data)
        let read: cairo_read_func_t = { closure, buffer, length in
            let reader = Unmanaged<Reader>.fromOpaque(closure!).takeUnretainedValue()
            guard reader.offset + Int(length) <= reader.data.count else { return CAIRO_STATUS_READ_ERROR }
            reader.data.copyBytes(to: buffer!, from: reader.offset..<(reader.offset + Int(length)))
            reader.offset += Int(length)
            return CAIRO_STATUS_SUCCESS
        }
        let surface = cairo_image_surface_create_from_png_stream(read, Unmanaged.passUnretained(reader).toOpaque())!
        defer { cairo_surface_destroy(surface) }
        XCTAssertEqual(cairo_surface_status(surface), CAIRO_STATUS_SUCCESS)
        let width = Int(cairo_image_surface_get_width(surface)), height = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        let base = cairo_image_surface_get_data(surface)!
        var pixels: [UInt32] = []
        for y in 0..<height {
            let row = UnsafeRawPointer(base + y * stride).assumingMemoryBound(to: UInt32.self)
            for x in 0..<width { pixels.append(row[x]) }
        }
        return (width, height, pixels)
    }

    private func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return output
    }
}
