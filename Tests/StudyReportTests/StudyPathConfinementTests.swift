import Foundation
import Report
import StudyReport
import XCTest

/// The study's inputs — codebook, measurement cache and CT series — are confined to the template's folder tree
/// as `cement render` confines every input, unless `--allow-path` widens it.
final class StudyPathConfinementTests: XCTestCase {
    private let registry = DirectiveRegistry.standard.adding(StudyDirectives())

    private func error(_ text: String) throws -> ReportError? {
        let folder = NSTemporaryDirectory() + "cementreport-confine-\(UUID().uuidString)/reports"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/t.md"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var template = try Template.load(path)
        template.confine(allowing: [])
        do {
            _ = try ReportRenderer(registry: registry).document(template)
            return nil
        } catch {
            return error as? ReportError
        }
    }

    func testCodebookMeasurementsAndSeriesOutsideTheFolderAreRefused() throws {
        for key in ["codebook", "measurements"] {
            let error = try XCTUnwrap(try error("---\ntitle: T\n\(key): ../../../etc/group\n---\n\nx\n"), key)
            XCTAssertEqual(error.line, 2, key)
            XCTAssertTrue(error.message.contains("outside the template's folder"), "\(key): \(error)")
        }
        let series = try XCTUnwrap(try error("---\ntitle: T\n---\n\n```{ct-figure id=fig-a caption=\"A\" series=/proc}\n```\n"))
        XCTAssertEqual(series.line, 5)
        XCTAssertTrue(series.message.contains("outside the template's folder"), "\(series)")
    }
}
