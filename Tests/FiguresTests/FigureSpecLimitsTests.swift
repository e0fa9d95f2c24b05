import Foundation
import XCTest

@testable import Figures
import Tabular

/// Figure specs and data with numbers no figure can have: a clear error naming the key, never a trap in the text
/// layout or a canvas of gigabytes.
final class FigureSpecLimitsTests: XCTestCase {
    private let table = try! DataTable(source: "t", columns: [("g", ["a", "a", "a", "b", "b", "b"]), ("v", ["1", "2", "3", "4", "6", "5"])])

    private func spec(_ json: String) throws -> FigureSpec {
        try JSONDecoder().decode(FigureSpec.self, from: Data(json.utf8))
    }

    func testSizesOutsideTheRangeNameTheirKey() throws {
        for (key, value) in [("width_mm", "1e308"), ("height_mm", "0"), ("width_mm", "-5"), ("height_mm", "5000")] {
            let figure = try spec(#"{"kind": "boxplot", "value": "v", "group": "g", "\#(key)": \#(value)}"#)
            XCTAssertThrowsError(try figure.chart(table), key) { error in
                let description = (error as! FigureSpecError).description
                XCTAssertTrue(description.hasPrefix("'\(key)' is ") && description.contains("from 10.0 to 1200.0"), description)
            }
        }
        XCTAssertNoThrow(try spec(#"{"kind": "boxplot", "value": "v", "width_mm": 1200}"#).chart(table))
    }

    func testNonFiniteCellsAreNotNumbers() {
        for cell in ["nan", "inf", "-infinity", "1e400"] {
            let data = try! DataTable(source: "t", columns: [("x", ["1", "2", cell, "4"]), ("y", ["1", "3", "2", "5"])])
            XCTAssertThrowsError(try spec(#"{"kind": "scatter", "x": "x", "y": "y"}"#).chart(data)) { error in
                let expected = cell == "1e400" ? "'1e400' is out of range (at most 1e100 in magnitude)" : "'\(cell)' is not a decimal number"
                XCTAssertEqual(error as? FigureSpecError, .data("row 3, column 'x': " + expected))
            }
        }
    }

    func testTheCanvasBudgetRefusesHugePNGs() throws {
        // 1200 mm at 2400 dpi is 113 386 pixels a side; 85 × 70 mm at 2400 dpi (8031 × 6614, 53 M pixels) is fine.
        let large = try spec(#"{"kind": "boxplot", "value": "v", "width_mm": 1200, "height_mm": 1200}"#).chart(table)
        XCTAssertThrowsError(try FigureRenderer.render(large, format: .png, dpi: 2400)) { error in
            XCTAssertTrue("\(error)".contains("beyond the limit"), "\(error)")
        }
        XCTAssertThrowsError(try FigureRenderer.render(large, format: .png, dpi: .nan))
        XCTAssertNoThrow(try FigureRenderer.render(large, format: .svg))
    }

    func testTextLayoutWithAnAbsurdWidthDoesNotTrap() {
        // Widths beyond Pango's Int32 units (or NaN) lay the text out on one line instead of trapping.
        let canvas = CairoCanvas(format: .svg, width: 100, height: 100)
        let context = DrawingContext(cairo: canvas.context)
        for width in [1e308, .infinity, .nan, -1] {
            let layout = TextLayout(context, markup: "one two three", width: width, size: 10)
            XCTAssertEqual(layout.lines.count, 1, "\(width)")
        }
        XCTAssertGreaterThan(TextLayout(context, markup: "one two three", width: 5, size: 10).lines.count, 1)
    }
}
