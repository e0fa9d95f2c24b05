import Foundation
import XCTest

@testable import Figures

/// `FigureSpec.read`: a spec with a typo is refused with the closest key or kind, not silently drawn without the
/// label or reported as a raw decoding error.
final class FigureSpecReaderTests: XCTestCase {
    private func error(_ json: String) -> String {
        do {
            _ = try FigureSpec.read(Data(json.utf8))
            return "no error"
        } catch {
            return error.description
        }
    }

    func testAnUnknownKeyNamesTheClosestKnownOne() {
        XCTAssertEqual(error(#"{"kind": "boxplot", "value": "v", "y_lable": "VAS"}"#), "unknown key 'y_lable' (did you mean 'y_label'?)")
        XCTAssertTrue(error(#"{"kind": "boxplot", "zzzzzzzz": 1}"#).hasPrefix("unknown key 'zzzzzzzz' (keys: kind, value,"))
    }

    func testAnUnknownKindNamesTheClosestKnownOne() {
        XCTAssertEqual(error(#"{"kind": "box", "value": "v"}"#), "unknown kind 'box' (did you mean 'boxplot'?)")
        XCTAssertEqual(error(#"{"kind": "blandaltman"}"#), "unknown kind 'blandaltman' (did you mean 'bland-altman'?)")
    }

    func testWrongTypesAndNonObjectsAreNamed() {
        XCTAssertEqual(error(#"{"kind": "boxplot", "levels": "low"}"#), "'levels' must be a list of strings")
        XCTAssertEqual(error(#"{"kind": "boxplot", "width_mm": "wide"}"#), "'width_mm' must be a number")
        XCTAssertEqual(error(#"[1, 2]"#), "the figure spec must be a JSON object {…}")
        XCTAssertEqual(error(#"{"value": "v"}"#), "the figure spec needs \"kind\" (one of boxplot, scatter, timecourse, proportion, bland-altman)")
        XCTAssertTrue(error("{").hasPrefix("the figure spec is not valid JSON"))
    }

    func testEveryBundledSpecReads() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("report/figures")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        XCTAssertFalse(files.isEmpty)
        for file in files {
            XCTAssertNoThrow(try FigureSpec.read(try Data(contentsOf: folder.appendingPathComponent(file))), file)
        }
    }
}
