import Foundation
import XCTest

@testable import Report

final class ReportTests: XCTestCase {
    private func write(_ text: String, name: String = "t.md") throws -> String {
        let folder = NSTemporaryDirectory() + "cementreport-report-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The repository, for the bundled data.
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    private func render(_ text: String) throws -> String {
        HTMLRenderer.render(try ReportRenderer().document(try Template.load(try write(text))))
    }

    func testDirectiveSyntax() throws {
        let call = try XCTUnwrap(DirectiveCall.parse(#"{figure fig-a id=fig-x caption="Two words"}"#,
                                                     position: SourcePosition(line: 3, column: 1), file: "t.md"))
        XCTAssertEqual(call.name, "figure")
        XCTAssertEqual(call.arguments, ["fig-a"])
        XCTAssertEqual(call.options, ["id": "fig-x", "caption": "Two words"])
        XCTAssertNil(try DirectiveCall.parse("plain code", position: SourcePosition(line: 1, column: 1), file: "t.md"))
        XCTAssertThrowsError(try DirectiveCall.parse(#"{x caption="open}"#, position: SourcePosition(line: 1, column: 1), file: "t.md"))
    }

    func testNumberingCrossReferencesParametersAndEscaping() throws {
        let path = try write("""
            ---
            title: A <report>
            language: zh
            params:
              period: 2026Q3
            ---
            See @tbl-b and @tbl-a, period `{param period}`, and a < b & c.

            ```{table id=tbl-a caption="First"}
            | x | y |
            |---|---|
            | 1 | <2> |
            ```

            ```{table id=tbl-b caption="Second"}
            | x |
            |---|
            | 3 |
            ```
            """)
        func render() throws -> String { HTMLRenderer.render(try ReportRenderer().document(try Template.load(path))) }
        let html = try render()
        XCTAssertTrue(html.contains("See <a href=\"#tbl-b\">表 2</a> and <a href=\"#tbl-a\">表 1</a>, period 2026Q3, and a &lt; b &amp; c."), html)
        XCTAssertTrue(html.contains("<caption id=\"tbl-a-caption\">表 1. First</caption>"))
        XCTAssertTrue(html.contains("<td>&lt;2&gt;</td>"))
        XCTAssertTrue(html.contains("<title>A &lt;report&gt;</title>"))
        XCTAssertTrue(html.contains("<th scope=\"col\">x</th>"))
        XCTAssertEqual(html, try render(), "deterministic")
    }

    func testErrorsCarryTemplatePositionsAndSuggestions() throws {
        func error(_ text: String) -> String {
            do {
                _ = try render(text)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        // Line numbers count the front matter: the body starts on line 5.
        let header = "---\ntitle: T\nparams: {period: x}\n---\n"
        XCTAssertTrue(error(header + "Text `{parm period}`.").hasSuffix("t.md:5:7: unknown inline directive {parm} (did you mean 'param'?)"),
                      error(header + "Text `{parm period}`."))
        XCTAssertTrue(error(header + "Text `{param perod}`.").contains(":5:7: unknown parameter 'perod' (did you mean 'period'?)"),
                      error(header + "Text `{param perod}`."))
        XCTAssertTrue(error(header + "\nSee @tbl-missing.").contains(":6:5: unknown reference @tbl-missing"))
        XCTAssertTrue(error(header + "```{table id=t captoin=\"c\"}\n| a |\n|---|\n| 1 |\n```").contains(":5:1: unknown option 'captoin' for {table} (did you mean 'caption'?)"))
        XCTAssertTrue(error(header + "<div>raw</div>\n").contains("raw HTML is not allowed"))
        XCTAssertTrue(error("---\ntitel: x\n---\n").contains("unknown front-matter key 'titel' (did you mean 'title'?)"))
    }

    func testFigureDirectiveDrawsFromTheTemplateData() throws {
        let folder = NSTemporaryDirectory() + "cementreport-report-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "g,v\na,1\na,2\na,3\nb,4\nb,6\nb,5\n".write(toFile: folder + "/d.csv", atomically: true, encoding: .utf8)
        let template = folder + "/r.md"
        try """
            ---
            data: d.csv
            ---
            @fig-one and @fig-two.

            ```{figure id=fig-one caption="One"}
            {"kind": "boxplot", "value": "v", "group": "g"}
            ```

            ```{figure id=fig-two caption="Two"}
            {"kind": "boxplot", "value": "v"}
            ```
            """.write(toFile: template, atomically: true, encoding: .utf8)
        let html = HTMLRenderer.render(try ReportRenderer().document(try Template.load(template)))
        XCTAssertTrue(html.contains("<p><a href=\"#fig-one\">Figure 1</a> and <a href=\"#fig-two\">Figure 2</a>.</p>"))
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 2)
        XCTAssertTrue(html.contains("id=\"f1-glyph") && html.contains("id=\"f2-glyph"), "SVG ids are made unique per figure")
        XCTAssertTrue(html.contains("<figcaption>Figure 2. Two</figcaption>"))
    }

    func testInlineSVGIdentifiersArePrefixedInOnePass() {
        // Expected text written out by hand: the declaration gone, each id, #-href (also xlink:) and url(#)
        // reference prefixed; a plain href, "ideal", "url(" without '#', a "grid" attribute and base64 text ending in
        // "id=" left as they are (the four replacingOccurrences of before prefixed the last two, breaking the image).
        let svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg><defs><clipPath id=\"clip1\"><rect/></clipPath>"
            + "</defs><g clip-path=\"url(#clip1)\"><use href=\"#glyph0-1\"/><use xlink:href=\"#glyph0-2\"/>"
            + "<a href=\"https://x\">ideal url(a)</a><p grid=\"1\"/>"
            + "<image href=\"data:image/png;base64,iVBORhid=\"/></g></svg>"
        XCTAssertEqual(SVGIdentifierPrefix.apply(svg, prefix: "f3-"),
                       "<svg><defs><clipPath id=\"f3-clip1\"><rect/></clipPath></defs><g clip-path=\"url(#f3-clip1)\">"
                           + "<use href=\"#f3-glyph0-1\"/><use xlink:href=\"#f3-glyph0-2\"/>"
                           + "<a href=\"https://x\">ideal url(a)</a><p grid=\"1\"/>"
                           + "<image href=\"data:image/png;base64,iVBORhid=\"/></g></svg>")
        XCTAssertEqual(SVGIdentifierPrefix.apply("", prefix: "f1-"), "")
        XCTAssertEqual(SVGIdentifierPrefix.apply("<g id=\"", prefix: "f1-"), "<g id=\"f1-", "a pattern at the very end")
        XCTAssertEqual(SVGIdentifierPrefix.apply("id=\"a\"", prefix: "f1-"), "id=\"a\"", "not an attribute: nothing before it")
        XCTAssertEqual(SVGIdentifierPrefix.apply("url(", prefix: "f1-"), "url(", "a pattern cut off at the end")
    }

    func testFiguresAndTablesInListsAndQuotesAreNumberedAndListed() throws {
        let folder = NSTemporaryDirectory() + "cementreport-report-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "g,v\na,1\na,2\nb,4\nb,6\n".write(toFile: folder + "/d.csv", atomically: true, encoding: .utf8)
        let template = folder + "/r.md"
        try """
            ---
            data: d.csv
            ---
            See @fig-top, @fig-listed and @fig-quoted.

            ```{figure id=fig-top caption="Top"}
            {"kind": "boxplot", "value": "v", "group": "g"}
            ```

            - An item holding a figure:

              ```{figure id=fig-listed caption="Listed"}
              {"kind": "boxplot", "value": "v"}
              ```

            > ```{figure id=fig-quoted caption="Quoted"}
            > {"kind": "boxplot", "value": "v", "group": "g"}
            > ```
            """.write(toFile: template, atomically: true, encoding: .utf8)
        let document = try ReportRenderer().document(try Template.load(template))
        // Three figures were written, in this order: the numbers follow from the template alone.
        XCTAssertEqual(document.blocks.figures.map(\.id), ["fig-top", "fig-listed", "fig-quoted"])
        XCTAssertEqual(document.blocks.figures.map(\.number), [1, 2, 3])
        let html = HTMLRenderer.render(document)
        XCTAssertTrue(html.contains("<a href=\"#fig-listed\">Figure 2</a> and <a href=\"#fig-quoted\">Figure 3</a>"), html)
    }
    func testDataDirectivesOnTheBundledCohort() throws {
        // Expected strings are the paper's printed values (data/published.json), which the synthetic cohort
        // reproduces; the chi-square P is R's chisq.test on the published counts (0.0348).
        let template = try write("""
            ---
            data: \(root.path)/data/cohort.csv
            ---
            Cement `{mean_sd cement_ml group=high by=dr_group}` vs `{mean_sd cement_ml group=low by=dr_group}`;
            leakage `{count leakage value=1 group=high by=dr_group}`; secondary fractures `{p chisq secondary_fracture by=dr_group levels=high,medium,low}`;
            VAS at 1 year and DR: `{p pearson vas_1y with=dr_recorded_percent}`.

            ```{table id=tbl-one caption="Cement"}
            | Group | Cement (ml) |
            |---|---|
            | high | `{mean_sd cement_ml group=high by=dr_group}` |
            ```
            """)
        let html = HTMLRenderer.render(try ReportRenderer().document(try Template.load(template)))
        XCTAssertTrue(html.contains("Cement 7.5±1.1 vs 6.4±1.2;"), html)
        XCTAssertTrue(html.contains("leakage 4 (10.0);"))
        XCTAssertTrue(html.contains("secondary fractures P\u{00A0}=\u{00A0}0.035;"), html)
        XCTAssertTrue(html.contains("DR: P\u{00A0}&lt;\u{00A0}0.001."))
        XCTAssertTrue(html.contains("<td>7.5±1.1</td>"), "inline directives work inside table cells")
        XCTAssertThrowsError(try ReportRenderer().document(try Template.load(try write("""
            ---
            data: \(root.path)/data/cohort.csv
            ---
            `{mean_sd cement group=high by=dr_group}`
            """)))) { error in
            XCTAssertTrue("\(error)".contains("unknown column 'cement' (did you mean 'cement_ml'?)"), "\(error)")
        }
    }

    private func pdfText(_ data: Data, page: Int? = nil) throws -> String {
        let path = NSTemporaryDirectory() + "cementreport-\(UUID().uuidString).pdf"
        try data.write(to: URL(fileURLWithPath: path))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["pdftotext", "-layout"] + (page.map { ["-f", "\($0)", "-l", "\($0)"] } ?? []) + [path, "-"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text
    }

    func testPDFHasRealTextRepeatsTableHeadersAndIsDeterministic() throws {
        let rows = (1...80).map { "| P\($0) | row \($0) text that wraps in a narrow column of the table | \($0 * 3) |" }
            .joined(separator: "\n")
        let template = try write("""
            ---
            title: PDF test
            authors: [Tester]
            language: zh
            ---
            # 结果

            骨水泥弥散率 12.5 % and @tbl-long.

            ```{table id=tbl-long caption="Long"}
            | Case | Note | Value |
            |---|---|---|
            \(rows)
            ```
            """)
        let document = try ReportRenderer().document(try Template.load(template))
        let pdf = try PDFTypesetter().render(document, author: "Tester")
        XCTAssertEqual(pdf, try PDFTypesetter().render(document, author: "Tester"), "byte-identical")
        let text = try pdfText(pdf)
        XCTAssertTrue(text.contains("骨水泥弥散率 12.5 % and 表 1."), text)
        XCTAssertTrue(text.contains("P80") && text.contains("240"))
        // The table runs onto page 2, where its header is drawn again.
        let second = try pdfText(pdf, page: 2)
        XCTAssertTrue(second.contains("Case") && second.contains("Value"), second)
        XCTAssertTrue(second.contains("PDF test"), "running header")
    }

    func testIncludesAndProvenance() throws {
        let folder = NSTemporaryDirectory() + "cementreport-report-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "## Part\n\nIncluded text.\n".write(toFile: folder + "/part.md", atomically: true, encoding: .utf8)
        try "Line one.\n\n`{nope}`\n".write(toFile: folder + "/broken.md", atomically: true, encoding: .utf8)
        let main = folder + "/main.md"
        try "---\ntitle: T\nparams: {period: Q3}\n---\nStart.\n\n```{include part.md}\n```\n".write(toFile: main, atomically: true,
                                                                                                            encoding: .utf8)
        let document = try ReportRenderer(toolVersion: "9.9").document(try Template.load(main))
        let html = HTMLRenderer.render(document)
        XCTAssertTrue(html.contains("<h3 id=\"sec-part\">Part</h3>") && html.contains("Included text."), html)
        // SHA-256 from the system's sha256sum, independent of swift-crypto.
        for file in ["main.md", "part.md"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["sha256sum", folder + "/" + file]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let digest = String(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64))
            process.waitUntilExit()
            XCTAssertTrue(html.contains("<code>\(digest)</code>"), "provenance lists \(file)")
            XCTAssertTrue(html.contains("<meta name=\"input-sha256\" content=\"\(digest) "))
        }
        XCTAssertTrue(html.contains("<td>9.9</td>") && html.contains("parameter period"))
        // An error inside an included file names that file and its own line.
        try "---\ntitle: T\n---\n```{include broken.md}\n```\n".write(toFile: main, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ReportRenderer().document(try Template.load(main))) { error in
            XCTAssertTrue("\(error)".contains("broken.md:3:2: unknown inline directive {nope}"), "\(error)")
        }
        // A file that includes itself stops with an error instead of looping.
        try "```{include loop.md}\n```\n".write(toFile: folder + "/loop.md", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ReportRenderer().document(try Template.load(folder + "/loop.md"))) { error in
            XCTAssertTrue("\(error)".contains("nested more than 8 deep"), "\(error)")
        }
    }

    func testNoTableCellRunsPastTheTextWidth() throws {
        // A cell with an unbreakable 150-character token and many columns: every word pdftotext finds must lie
        // within the right margin (A4 595.3 pt wide, 56.7 pt margins).
        let long = String(repeating: "x", count: 150)
        let template = try write("""
            ---
            title: Overflow
            ---
            ```{table id=tbl-w caption="Wide"}
            | a | b | c | d | e | f |
            |---|---|---|---|---|---|
            | \(long) | two words | 3 | 4 | 5 | six |
            ```
            """)
        let pdf = try PDFTypesetter().render(try ReportRenderer().document(try Template.load(template)), author: "")
        let path = NSTemporaryDirectory() + "cementreport-\(UUID().uuidString).pdf"
        try pdf.write(to: URL(fileURLWithPath: path))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["pdftotext", "-bbox", path, "-"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let xml = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let regex = try NSRegularExpression(pattern: "xMax=\"([0-9.]+)\"")
        let maxima = regex.matches(in: xml, range: NSRange(xml.startIndex..., in: xml)).map {
            Double((xml as NSString).substring(with: $0.range(at: 1)))!
        }
        XCTAssertGreaterThan(maxima.count, 5)
        XCTAssertLessThanOrEqual(maxima.max() ?? 0, 595.3 - 56.7 + 0.5)
        XCTAssertTrue(xml.contains(">six<"))
    }

    func testTheReportsDateIsARealCalendarDate() throws {
        // February 2026 has 28 days (2026 is no leap year); the latest date of a column ignores no-dates.
        XCTAssertThrowsError(try render("---\ndate: \"2026-02-30\"\n---\nText.\n")) { error in
            XCTAssertTrue("\(error)".contains(":2:1: date: '2026-02-30' is not a date: February 2026 has 28 days"), "\(error)")
        }
        XCTAssertTrue(try render("---\ndate: \"2026-02-28\"\n---\nText.\n").contains("2026-02-28"))
        let data = try write("d,v\n2026-01-31,1\n2026-02-30,2\n2025-12-31,3\n", name: "d.csv")
        let template = (data as NSString).deletingLastPathComponent + "/t.md"
        try "---\ndata: d.csv\ndate: {latest: d}\n---\nText.\n".write(toFile: template, atomically: true, encoding: .utf8)
        let html = HTMLRenderer.render(try ReportRenderer().document(try Template.load(template)))
        XCTAssertTrue(html.contains("Data as of 2026-01-31 (latest d)"), html)
    }

    func testFrontMatterKeysOfModulesAreRefusedWithoutTheModule() throws {
        // `codebook:` belongs to the study's directive module; the bare engine does not read it.
        XCTAssertThrowsError(try ReportRenderer().document(try Template.load(try write("---\ncodebook: c.csv\n---\nx\n")))) { error in
            XCTAssertEqual("\(error)".components(separatedBy: ":").dropFirst().joined(separator: ":"),
                           "2:1: unknown front-matter key 'codebook'")
        }
    }
}
