import Foundation
import XCTest

@testable import Report

/// Page layout of the PDF as poppler's `pdftotext -bbox-layout` reads it back (poppler-utils): where every line
/// of text landed, on which page.
final class PDFLayoutTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The lines of each page, top to bottom, as text.
    private func pageLines(_ pdf: Data) throws -> [[String]] {
        let path = NSTemporaryDirectory() + "cementreport-layout-\(UUID().uuidString).pdf"
        try pdf.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["pdftotext", "-bbox-layout", path, "-"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let xml = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "pdftotext failed")
        var pages: [[String]] = []
        for page in xml.components(separatedBy: "<page ").dropFirst() {
            var lines: [String] = []
            for line in page.components(separatedBy: "<line ").dropFirst() {
                let words = line.components(separatedBy: "<word ").dropFirst().compactMap { word -> String? in
                    guard let start = word.firstIndex(of: ">"), let end = word.range(of: "</word>") else { return nil }
                    return String(word[word.index(after: start)..<end.lowerBound])
                }
                lines.append(words.joined(separator: " ").replacingOccurrences(of: "&lt;", with: "<")
                    .replacingOccurrences(of: "&amp;", with: "&"))
            }
            pages.append(lines)
        }
        return pages
    }

    private func pdf(_ body: String) throws -> Data {
        let folder = NSTemporaryDirectory() + "cementreport-layout-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/t.md"
        try "---\ntitle: Layout\ndata: \(root.path)/data/cohort.csv\n---\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
        return try PDFTypesetter().render(try ReportRenderer().document(try Template.load(path)), author: "Tester")
    }

    func testCaptionsKeepWithTheirRowsAndShortTablesAreNotSplit() throws {
        // The filler moves the tables down the page in steps of a line, so that for some step each would fall
        // across a page break.
        let short = "| Case | Value |\n|---|---|\n" + (1...4).map { "| S\($0) | \($0) |" }.joined(separator: "\n")
        let long = "| Case | Value |\n|---|---|\n" + (1...12).map { "| L\($0) | \($0) |" }.joined(separator: "\n")
        var captionPages: Set<Int> = []
        for step in stride(from: 0, through: 40, by: 2) {
            let filler = (0..<(40 + step)).map { "Filler line \($0) of the page." }.joined(separator: "\n\n")
            let pages = try pageLines(try pdf("""
                \(filler)

                ```{table id=tbl-short caption="Short"}
                \(short)
                ```

                ```{table id=tbl-long caption="Long"}
                \(long)
                ```
                """))
            func page(of text: String) -> Int? { pages.firstIndex { $0.contains { $0 == text || $0.hasPrefix(text + " ") } } }
            let caption = try XCTUnwrap(pages.firstIndex { $0.contains { $0.hasPrefix("Table 1. Short") } }, "\(pages)")
            captionPages.insert(caption)
            for row in 1...4 { XCTAssertEqual(page(of: "S\(row)"), caption, "step \(step): a table of 4 rows split") }
            let longCaption = try XCTUnwrap(pages.firstIndex { $0.contains { $0.hasPrefix("Table 2. Long") } })
            XCTAssertEqual(page(of: "L1"), longCaption, "step \(step): caption stranded")
            XCTAssertEqual(page(of: "L2"), longCaption, "step \(step): caption with one row stranded")
        }
        // The steps moved the short table across the first page break (else the test proved nothing).
        XCTAssertEqual(captionPages.count, 2, "\(captionPages)")
    }

    func testAChineseColumnHeaderStaysWholeInASqueezedTable() throws {
        // A table wider than the page whose middle column holds only "η²" under the header 效应量: the header's
        // word is its unbreakable minimum (as CSS word-break: keep-all makes it in the HTML), so it is not split
        // into 效应 / 量 as the zh study report's Table 6 was.
        let test = String(repeating: "F(2, 117) = 9.59, P < 0.001; ", count: 8)
        let pages = try pageLines(try pdf("""
            ```{table id=tbl-cjk caption="Squeezed"}
            | 指标 | 效应量 | 检验 |
            |---|---|---|
            | 术后 1 年椎体前缘高度比（%） | η² | \(test) |
            ```
            """))
        let lines = pages.flatMap { $0 }
        XCTAssertTrue(lines.contains { $0.contains("效应量") }, "\(lines)")
        XCTAssertTrue(lines.filter { $0.contains("F(2,") }.count > 1, "the long cell wraps: the table is squeezed")
    }

    func testAPValueAndAUnitNeverBreakAcrossLines() throws {
        // Sentences of varied length, so that "P = 0.035" and "12.5 %" fall at many places of a line.
        let sentences = (0..<60).map { index in
            String(repeating: "word ", count: index % 7) + "fractures `{p chisq secondary_fracture by=dr_group levels=high,medium,low}`"
                + " in \(index).5 % of cases"
        }.joined(separator: "; ")
        let lines = try pageLines(try pdf(sentences)).flatMap { $0 }
        let text = lines.joined(separator: "\n")
        XCTAssertTrue(text.contains("0.035"), text)
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            XCTAssertFalse(trimmed.hasSuffix(" P") || trimmed == "P" || trimmed.hasSuffix("="), "line \(index) ends inside a P: \(line)")
            XCTAssertFalse(trimmed.hasPrefix("=") || trimmed.hasPrefix("0.035") || trimmed.hasPrefix("%"),
                           "line \(index) starts inside a P or with a unit: \(line)")
        }
    }
}

extension PDFLayoutTests {
    func testCrossReferencesAndURLsAreClickable() throws {
        let data = try pdf("""
            # Results

            See @tbl-a and [the paper](https://example.org/paper).

            ```{table id=tbl-a caption="A"}
            | x |
            |---|
            | 1 |
            ```
            """)
        let text = String(decoding: data, as: UTF8.self)
        // cairo writes link annotations (ISO 32000 §12.5.6.5): one to the named destination of the table, one URI.
        XCTAssertEqual(text.components(separatedBy: "/Subtype /Link").count - 1, 2, "two link annotations")
        XCTAssertTrue(text.contains("/URI (https://example.org/paper)"), "URI action")
        XCTAssertTrue(text.contains("(tbl-a)"), "named destination of the table")
    }
}
