import Foundation
import XCTest

@testable import RateEngine

final class EngineVersionTests: XCTestCase {
    /// The version's suffix is the digest of the engine's sources as written down in `scripts/engine-digest.sh`:
    /// recomputed here by Python's hashlib (an implementation independent of the script's sha256sum), so an edit to
    /// the engine that the build did not pick up, or a change to the file set, fails.
    func testVersionCarriesTheDigestOfTheEngineSources() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = """
            import hashlib, os, sys
            roots = ["Sources/RateEngine", "Sources/Imaging", "Sources/CementCore", "Sources/CDCMTK", "Sources/CZlib"]
            kinds = (".swift", ".c", ".cpp", ".h", ".modulemap")
            files = sorted((os.path.join(d, f) for r in roots for d, _, fs in os.walk(r) for f in fs if f.endswith(kinds)),
                           key=lambda p: p.encode())
            listing = "".join(f"{p}\\n{hashlib.sha256(open(p, 'rb').read()).hexdigest()}  -\\n" for p in files)
            print(hashlib.sha256(listing.encode()).hexdigest())
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = root
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let digest = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(digest.count, 64)
        XCTAssertEqual(EngineSourceDigest.sha256, digest)
        XCTAssertTrue(RateEngine.version.hasSuffix("+" + digest.prefix(12)), RateEngine.version)
    }
}
