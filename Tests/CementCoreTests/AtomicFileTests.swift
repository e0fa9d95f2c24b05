import Foundation
import XCTest
@testable import CementCore

final class AtomicFileTests: XCTestCase {
    private func temporaryFolder() throws -> String {
        let folder = NSTemporaryDirectory() + "cementcore-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        return folder
    }

    /// The pid of a process that has exited (and been reaped), so `kill(pid, 0)` reports ESRCH.
    private func exitedProcessID() throws -> pid_t {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    func testWriteLeavesOnlyTheTarget() throws {
        let folder = try temporaryFolder()
        try AtomicFile.write(Data("abc".utf8), to: folder + "/sub/out.txt")
        XCTAssertEqual(try String(contentsOfFile: folder + "/sub/out.txt", encoding: .utf8), "abc")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder + "/sub"), ["out.txt"])
    }

    /// /dev/full fails every write with ENOSPC, as a full disk does: the message must say so.
    func testFullDiskIsReportedAsDiskFull() {
        XCTAssertThrowsError(try AtomicFile.writeContents(Data(repeating: 7, count: 100_000), toPath: "/dev/full")) { error in
            XCTAssertEqual((error as? AtomicFileError)?.message, "cannot write the file (disk full)")
        }
        XCTAssertEqual(AtomicFileError.reason(errno: ENOSPC), "disk full")
        XCTAssertEqual(AtomicFileError.reason(errno: EDQUOT), "disk full")
    }

    func testStaleTemporariesOfExitedProcessesAreRemoved() throws {
        let folder = try temporaryFolder()
        let dead = try exitedProcessID()
        let staleFile = folder + "/.report.html.\(dead).cement-partial"
        let staleFolder = folder + "/.output.\(dead).cement-partial"
        let live = folder + "/.other.html.\(getppid()).cement-partial"
        let unrelated = folder + "/.hidden"
        for path in [staleFile, live, unrelated] { XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data())) }
        try FileManager.default.createDirectory(atPath: staleFolder, withIntermediateDirectories: false)
        try AtomicFile.write(Data("x".utf8), to: folder + "/new.txt")
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
        XCTAssertEqual(left, [".other.html.\(getppid()).cement-partial", ".hidden", "new.txt"])
    }

    func testFolderOutputWritesAllFilesTogether() throws {
        let folder = try temporaryFolder()
        var output = AtomicFolderOutput(folder: folder + "/out")
        output.add("a.html", Data("<p>".utf8))
        output.add("a.pdf", Data("%PDF".utf8))
        let paths = try output.commit()
        XCTAssertEqual(paths, [folder + "/out/a.html", folder + "/out/a.pdf"])
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: folder + "/out")), ["a.html", "a.pdf"])
        XCTAssertEqual(FileManager.default.contents(atPath: folder + "/out/a.pdf"), Data("%PDF".utf8))
    }

    /// The second file cannot be written (its name points into a folder that does not exist): the first must not
    /// appear, and no temporary may stay behind.
    func testFolderOutputLeavesNothingOnError() throws {
        let folder = try temporaryFolder()
        try Data("old".utf8).write(to: URL(fileURLWithPath: folder + "/keep.txt"))
        var output = AtomicFolderOutput(folder: folder)
        output.add("a.html", Data("<p>".utf8))
        output.add("missing/a.pdf", Data("%PDF".utf8))
        XCTAssertThrowsError(try output.commit())
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["keep.txt"])
    }

    func testFolderOutputRefusesATargetThatIsAFolder() throws {
        let folder = try temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/a.pdf", withIntermediateDirectories: false)
        var output = AtomicFolderOutput(folder: folder)
        output.add("a.html", Data("<p>".utf8))
        output.add("a.pdf", Data("%PDF".utf8))
        XCTAssertThrowsError(try output.commit()) { error in
            XCTAssertEqual((error as? AtomicFileError)?.path, folder + "/a.pdf")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["a.pdf"])
    }
}
