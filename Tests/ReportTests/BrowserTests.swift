import Foundation
import XCTest

@testable import Report

/// The HTML report in a real browser: headless Chromium (Debian package `chromium`, installed by
/// scripts/install-deps.sh) loads a rendered report at a desktop (1280 px) and a phone (390 px) width. The page
/// must not be wider than the window (wide tables scroll inside their own box), and every in-page link (table of
/// contents, cross-references) must lead to an element of the DOM the browser built.
final class BrowserTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    private var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// A report with the engine's parts: headings, a table wider than a phone, a squeezed table with a Chinese
    /// header, figures, cross-references.
    private func renderedReport() throws -> (html: String, folder: String) {
        let folder = NSTemporaryDirectory() + "cementreport-browser-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let wideRow = (1...9).map { "value \($0) with words" }.joined(separator: " | ")
        let template = folder + "/report.md"
        try """
            ---
            title: Browser test report
            data: \(root.path)/data/cohort.csv
            ---
            # Results

            ## Tables

            @tbl-wide is wider than a phone; @fig-box shows the rate.

            ```{table id=tbl-wide caption="A wide table"}
            | \((1...9).map { "Column \($0)" }.joined(separator: " | ")) |
            |\(String(repeating: "---|", count: 9))
            | \(wideRow) |
            ```

            @tbl-cjk has a short Chinese column header over short cells, squeezed by a long unbroken cell.

            ```{table id=tbl-cjk caption="A squeezed Chinese header"}
            | 指标 | 效应量 | 检验 |
            |---|---|---|
            | 骨水泥量 | η² | \(String(repeating: "F(2, 117) = 9.59, P < 0.001; ", count: 3)) |
            ```

            ## Figures

            ```{figure id=fig-box caption="Distribution rate by group"}
            {"kind": "boxplot", "value": "dr_recorded_percent", "group": "dr_group", "levels": ["low", "medium", "high"], "y_label": "Distribution rate (%)"}
            ```

            # Discussion

            See @fig-box and @tbl-wide.
            """.write(toFile: template, atomically: true, encoding: .utf8)
        let html = HTMLRenderer.render(try ReportRenderer().document(try Template.load(template)))
        return (html, folder)
    }

    func testTheReportFitsDesktopAndPhoneAndItsLinksLeadSomewhere() throws {
        guard let browser = chromium else {
            throw XCTSkip("Chromium is not installed (Debian package chromium; scripts/install-deps.sh installs it): "
                          + "the HTML report is not checked in a browser")
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else {
            throw XCTSkip("python3 is not installed: the DevTools script cannot drive Chromium")
        }
        let (html, folder) = try renderedReport()
        let page = folder + "/report.html"
        try html.write(toFile: page, atomically: true, encoding: .utf8)
        // scripts/browser-check.py drives Chromium over the DevTools protocol: a window of each width, the page
        // loaded, its layout measured in the page, a full-page screenshot.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [root.appendingPathComponent("scripts/browser-check.py").path, browser, page, "1280", "390"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let timer = DispatchWorkItem { process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 180, execute: timer)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        timer.cancel()
        XCTAssertEqual(process.terminationStatus, 0, "browser-check.py failed")
        let results = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        for width in [1280, 390] {
            let result = try XCTUnwrap(results["\(width)"])
            XCTAssertEqual(result["innerWidth"] as? Int, width, "Chromium's window is the width asked for")
            let scrollWidth = try XCTUnwrap(result["scrollWidth"] as? Int)
            XCTAssertLessThanOrEqual(scrollWidth, width, "the page is wider than a \(width) px window")
            XCTAssertEqual(result["tableScrolls"] as? Bool, true, "the wide table scrolls in its own box")
            XCTAssertEqual(result["toc"] as? Bool, true, "no table of contents")
            let links = try XCTUnwrap(result["links"] as? [[String: Any]])
            let hrefs = links.compactMap { $0["href"] as? String }
            XCTAssertTrue(hrefs.contains("#tbl-wide") && hrefs.contains("#fig-box") && hrefs.contains("#sec-results"), "\(hrefs)")
            for link in links { XCTAssertEqual(link["target"] as? Bool, true, "link \(link["href"] ?? "") leads nowhere") }
            // A Chinese word in a column header stays whole when the table is squeezed (CSS word-break: keep-all),
            // not one character a line as it was in the study report's effect-size table.
            let headerLines = try XCTUnwrap(result["headerLines"] as? [String: Int])
            XCTAssertEqual(headerLines["效应量"], 1, "header lines at \(width) px: \(headerLines)")
            // Figure labels (8 pt in the drawing) stay at least 10 px on a phone.
            let smallest = try XCTUnwrap(result["smallestFigureText"] as? Double)
            XCTAssertGreaterThanOrEqual(smallest, 10, "figure labels of \(smallest) px at \(width) px")
            let figures = try XCTUnwrap(result["figures"] as? [[String: Any]])
            XCTAssertTrue(figures.allSatisfy { ($0["alt"] as? String)?.contains("Distribution rate (%)") == true }, "\(figures)")
            let shot = try Data(contentsOf: URL(fileURLWithPath: try XCTUnwrap(result["screenshot"] as? String)))
            XCTAssertEqual(shot.prefix(8), Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            XCTAssertEqual(shot[16..<20].reduce(0) { $0 << 8 | Int($1) }, width, "the screenshot is the window's width")
        }
        print("BrowserTests: screenshots in \(folder)")
    }
}
