import CLITestSupport
import Foundation
import XCTest

/// The README's "Run it on your own study" guide, run by `scripts/own-study-test.sh` with this build's `cement`:
/// install into a temporary prefix, then the whole path from CT folders to the report from an unrelated folder.
final class OwnStudyGuideTests: XCTestCase {
    func testTheGuideRunsAsWritten() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let bin = CommandRunner.products
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/make") || FileManager.default.isExecutableFile(atPath: "/bin/make") else {
            throw XCTSkip("make is not installed (scripts/install-deps.sh installs the build tools)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [root.appendingPathComponent("scripts/own-study-test.sh").path, bin.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, output)
    }
}
