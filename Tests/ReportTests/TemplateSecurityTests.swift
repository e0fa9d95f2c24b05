import Foundation
import XCTest

@testable import Report

/// Templates written by someone else: no script may reach the HTML, no file outside the template's folder may be
/// read, and malformed or deeply nested input ends in a positioned error, not a crash.
final class TemplateSecurityTests: XCTestCase {
    private var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "cementreport-security-\(UUID().uuidString)/reports"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    /// Writes `text` as a template in the test folder, confined as `cement render` confines it.
    private func template(_ text: String, name: String = "t.md", allowing extra: [String] = []) throws -> Template {
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var loaded = try Template.load(path)
        loaded.confine(allowing: extra)
        return loaded
    }

    private func html(_ text: String, allowing extra: [String] = []) throws -> String {
        HTMLRenderer.render(try ReportRenderer().document(try template(text, allowing: extra)))
    }

    private func error(_ text: String, allowing extra: [String] = []) -> ReportError? {
        do {
            _ = try ReportRenderer().document(try template(text, allowing: extra))
            return nil
        } catch {
            return error as? ReportError
        }
    }

    /// Every href and src value of an HTML page (double-quoted, as the renderer writes them), entities decoded.
    private func urls(in html: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: "(?:href|src)=\"([^\"]*)\"")
        return regex.matches(in: html, range: NSRange(html.startIndex..., in: html)).map {
            (html as NSString).substring(with: $0.range(at: 1)).replacingOccurrences(of: "&amp;", with: "&")
                .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&quot;", with: "\"")
        }
    }

    // MARK: - Link URLs

    func testEveryScriptOrDataURLVariantIsRefusedWithItsPosition() {
        let hostile = [
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x](&#106;avascript:alert(1))",
            "[x](&#x6A;&#x61;vascript:alert(1))",
            "[x](<java\tscript:alert(1)>)",
            "[x](java&#10;script:alert(1))",
            "[x](java&#9;script:alert(1))",
            "[x]( javascript:alert(1))",
            "[x](<\\u{1}javascript:alert(1)>)",
            "[x](vbscript:msgbox(1))",
            "[x](VBScript:msgbox(1))",
            "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "[x](DATA:text/html,<script>alert(1)</script>)",
            "[x](file:///etc/passwd)",
            "<javascript:alert(1)>",
            "<JAVASCRIPT:alert(1)>",
            "<vbscript:msgbox(1)>",
            "[x][ref]\n\n[ref]: javascript:alert(1)",
            "[x][ref]\n\n[ref]: <&#x6A;avascript:alert(1)>",
            "[x]\n\n[x]: data:text/html,hi",
            "*[x](javascript:alert(1))*",
            "| a |\n|---|\n| [x](javascript:alert(1)) |",
        ]
        for markdown in hostile {
            let expectedLine = markdown.hasPrefix("| a |") ? 7 : 5
            let text = "---\ntitle: T\n---\n\n" + markdown.replacingOccurrences(of: "\\u{1}", with: "\u{1}") + "\n"
            guard let error = error(text) else {
                XCTFail("accepted: \(markdown)")
                continue
            }
            XCTAssertEqual(error.line, expectedLine, "\(markdown): \(error)")
            XCTAssertTrue(error.message.contains("not allowed") || error.message.contains("control characters"),
                          "\(markdown): \(error)")
        }
    }

    func testSafeLinksKeepTheirHref() throws {
        let page = try html("""
            ---
            title: T
            ---

            [a](https://example.org/x?y=1) [b](http://example.org) [c](mailto:someone@example.org) [d](other.html)
            [e](#methods) [f](../up/page.html) [g](//example.org/p) [h](javascript%3Aalert) <https://example.org/auto>
            www.example.org
            """)
        let found = urls(in: page)
        for url in ["https://example.org/x?y=1", "http://example.org", "mailto:someone@example.org", "other.html", "#methods",
                    "../up/page.html", "//example.org/p", "javascript%3Aalert", "https://example.org/auto", "http://www.example.org"] {
            XCTAssertTrue(found.contains(url), "\(url) not in \(found)")
        }
    }

    func testNoScriptOrDataURLReachesHrefOrSrcInARenderedPage() throws {
        // A page with every kind of link the renderer accepts, scanned as the check says: no javascript:,
        // vbscript: or data: URL in any href or src (a CT figure's embedded PNG, data:image/png inside its
        // inline SVG, is the renderer's own and not present here).
        let page = try html("---\ntitle: T\n---\n\n[a](https://example.org) [b](x.html) [c](#top) <mailto:a@b.org>\n")
        for url in urls(in: page) {
            let lowered = url.lowercased().filter { !$0.isWhitespace }
            XCTAssertFalse(lowered.hasPrefix("javascript:") || lowered.hasPrefix("vbscript:") || lowered.hasPrefix("data:"), url)
        }
        // The four links and the table of contents' link to the provenance section.
        XCTAssertEqual(urls(in: page).count, 5)
    }

    func testTheHTMLRendererDropsAnUnsafeLinkFromAnyTree() {
        let document = Document(title: "", language: "en",
                                blocks: [.paragraph([.link(url: "javascript:alert(1)", [.text("x")])])],
                                provenance: Provenance(inputs: [], toolVersion: "t", parameters: []))
        let page = HTMLRenderer.render(document)
        XCTAssertFalse(page.lowercased().contains("javascript"))
        XCTAssertTrue(page.contains("<p>x</p>"))
    }

    // MARK: - Files outside the template's folder

    func testIncludesOutsideTheTemplatesFolderAreRefused() throws {
        let outside = (folder as NSString).deletingLastPathComponent
        try "secret\n".write(toFile: outside + "/secret.md", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder + "/link", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: folder + "/alias.md", withDestinationPath: outside + "/secret.md")
        for target in ["/etc/passwd", "../secret.md", "../../../../../../etc/passwd", "link/secret.md", "alias.md",
                       "/proc/self/environ", "sub/../../secret.md", "missing/../../secret.md"] {
            let text = "---\ntitle: T\n---\n\n```{include \(target)}\n```\n"
            let error = try XCTUnwrap(error(text), target)
            XCTAssertEqual([error.line, error.column], [5, 1], "\(target): \(error)")
            XCTAssertTrue(error.message.contains("outside the template's folder") && error.message.contains("--allow-path"),
                          "\(target): \(error)")
        }
        // --allow-path widens it.
        let allowed = try html("---\ntitle: T\n---\n\n```{include ../secret.md}\n```\n", allowing: [outside])
        XCTAssertTrue(allowed.contains("<p>secret</p>"))
        // Inside the folder tree, through a subfolder, includes work as before.
        try FileManager.default.createDirectory(atPath: folder + "/parts", withIntermediateDirectories: true)
        try "Part.\n".write(toFile: folder + "/parts/p.md", atomically: true, encoding: .utf8)
        XCTAssertTrue(try html("---\ntitle: T\n---\n\n```{include parts/../parts/p.md}\n```\n").contains("<p>Part.</p>"))
    }

    /// The study's codebook and CT series are confined the same way (`StudyReportTests`).
    func testDataOutsideTheFolderIsRefused() throws {
        let error = try XCTUnwrap(error("---\ntitle: T\ndata: ../../../etc/group\n---\n\nx\n"))
        XCTAssertTrue(error.message.contains("outside the template's folder"), "\(error)")
    }

    func testBinaryAndDeviceIncludesAreRefused() throws {
        try Data([0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 1]).write(to: URL(fileURLWithPath: folder + "/image.png"))
        try Data([0x61, 0xFF, 0xFE, 0x62]).write(to: URL(fileURLWithPath: folder + "/latin1.md"))
        for target in ["image.png", "latin1.md", "/dev/zero"] {
            let error = try XCTUnwrap(error("---\ntitle: T\n---\n```{include \(target)}\n```\n", allowing: ["/dev"]), target)
            XCTAssertEqual(error.line, 4)
            XCTAssertTrue(error.message.contains("regular UTF-8 text file"), "\(target): \(error)")
        }
    }

    // MARK: - Malformed and deeply nested templates

    func testAnUnclosedDirectiveFenceIsAnErrorAtItsLineAndColumn() throws {
        let text = "---\ntitle: T\n---\n\nBefore.\n\n```{table id=tbl-a caption=\"A\"}\n| a |\n|---|\n| 1 |\n\nAfter, swallowed.\n"
        let error = try XCTUnwrap(error(text))
        XCTAssertEqual([error.line, error.column], [7, 1], "\(error)")
        XCTAssertTrue(error.message.contains("never closed"), "\(error)")
        // Closed by a longer fence, or a fence followed by spaces, is closed; plain code may run to the end.
        XCTAssertNil(self.error("---\ntitle: T\n---\n```{table id=tbl-a caption=\"A\"}\n| a |\n|---|\n| 1 |\n````  \n"))
        XCTAssertNil(self.error("---\ntitle: T\n---\n```swift\nlet a = 1\n"))
    }

    /// A 5 MB paragraph took the PDF step to 650 MB (measured; 50 MB went past 6 GB): a paragraph over 1 MiB is
    /// refused at its position before layout, one line or many; a long paragraph under the limit renders.
    func testAParagraphOverOneMebibyteIsRefusedWithItsPosition() throws {
        let header = "---\ntitle: T\n---\n\nFirst.\n\n"
        let words = String(repeating: "cement body ", count: 90_000)
        for (name, body) in [("one line", words), ("many lines", words.replacingOccurrences(of: "body ", with: "body\n"))] {
            let error = try XCTUnwrap(error(header + body + "\n"), name)
            XCTAssertEqual([error.line, error.column], [7, 1], "\(name): \(error)")
            XCTAssertTrue(error.message.contains("a paragraph of more than 1 MiB"), "\(name): \(error)")
        }
        XCTAssertNil(error(header + String(repeating: "cement body ", count: 80_000) + "\n"))
    }

    func testListsAndQuotesNested10000DeepAreRefusedWithThePosition() throws {
        let header = "---\ntitle: T\n---\n"
        for (name, body) in [
            ("dashes on one line", String(repeating: "- ", count: 10_000) + "x\n"),
            ("quotes on one line", String(repeating: "> ", count: 10_000) + "x\n"),
            ("mixed markers", String(repeating: "> 1. ", count: 5_000) + "x\n"),
            ("indented list", (0..<1_000).map { String(repeating: " ", count: 2 * $0) + "- x" }.joined(separator: "\n") + "\n"),
            ("emphasis", String(repeating: "*a ", count: 5_000) + "x" + String(repeating: " a*", count: 5_000) + "\n"),
        ] {
            let error = try XCTUnwrap(error(header + body), name)
            XCTAssertTrue(error.message.contains("nested more than 64 deep"), "\(name): \(error)")
            XCTAssertGreaterThanOrEqual(error.line, 4, name)
        }
        // 64 levels are fine.
        XCTAssertNil(error(header + String(repeating: "> ", count: 60) + "x\n"))
    }

    func testANonScalarFrontMatterKeyIsAnErrorNotATrap() throws {
        // Found by FuzzTemplate (make fuzz): Yams 5 force-unwraps mapping keys as strings and trapped on "[r]: T".
        let path = folder + "/key.md"
        for yaml in ["title: T\n[r]: T", "params: {[a, b]: 1}", "? {a: 1}\n: x"] {
            try "---\n\(yaml)\n---\n\nx\n".write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try Template.load(path), yaml) { error in
                let error = error as! ReportError
                XCTAssertTrue(error.message.contains("keys must be plain names"), "\(yaml): \(error)")
                XCTAssertGreaterThanOrEqual(error.line, 2, yaml)
            }
        }
    }

    func testYAMLBillionLaughsAndDeepNestingAreRefused() throws {
        // Nine levels of ten aliases each: 10⁹ strings once expanded.
        var laughs = "---\ntitle: T\nparams:\n  a0: &a0 \"lol\"\n"
        for level in 1...9 {
            let previous = "*a\(level - 1)"
            laughs += "  a\(level): &a\(level) [\(Array(repeating: previous, count: 10).joined(separator: ", "))]\n"
        }
        let path = folder + "/laughs.md"
        try (laughs + "---\n\nx\n").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Template.load(path)) { error in
            XCTAssertTrue((error as! ReportError).message.contains("YAML aliases"), "\(error)")
        }
        // A few aliases are fine.
        try "---\ntitle: &t T\nparams: {name: *t}\n---\n\nx\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try Template.load(path).parameters["name"], "T")

        for (name, yaml) in [("flow", "params: {a: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}"),
                             ("block", "params:\n" + (1...5_000).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + " x"),
                             ("dashes", "authors:\n  " + String(repeating: "- ", count: 5_000) + "x")] {
            try "---\ntitle: T\n\(yaml)\n---\n\nx\n".write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try Template.load(path), name) { error in
                let error = error as! ReportError
                XCTAssertTrue(error.message.contains("nested more than 32 deep"), "\(name): \(error)")
                XCTAssertGreaterThanOrEqual(error.line, 3, name)
            }
        }
    }
}
