import Foundation
import XCTest

@testable import Imaging

/// Hostile and odd input, each generated small here: values out of range, sizes that do not match the data,
/// deep nesting, files that are not regular. Every case must end in an ImagingError naming the file (and tag), not
/// a trap, a hang or a silently shorter series.
final class HostileInputTests: XCTestCase {
    /// A 9-slice series written by the project's writer; files in slice order (positions ascend with the name).
    private func series(_ name: String = #function) throws -> (folder: String, files: [String]) {
        let folder = Fixtures.temporaryFolder(name)
        try CTSeriesWriter(identity: Fixtures.identity(name)).write(Fixtures.patternVolume(), to: folder)
        return (folder, Fixtures.files(folder))
    }

    /// Sets attributes with DCMTK's dcmodify (no backup files).
    private func modify(_ files: [String], _ assignments: [String]) {
        for file in files { Fixtures.run("dcmodify", ["-nb"] + assignments.flatMap { ["-m", $0] } + [file]) }
    }

    private func loadError(_ folder: String, file: StaticString = #filePath, line: UInt = #line) -> ImagingError? {
        do {
            _ = try SeriesLoader().load(paths: [folder])
            XCTFail("the series loaded", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func testRescaleSlopeOf1e30IsRefusedNamingFileAndTag() throws {
        let (folder, files) = try series()
        modify([files[4]], ["(0028,1053)=1e30"])
        let error = try XCTUnwrap(loadError(folder))
        XCTAssertEqual(error.file, files[4])
        XCTAssertEqual(error.tag, DICOMAttribute.rescaleSlope.description)
    }

    func testPixelSpacingOf1eMinus300And1e300IsRefused() throws {
        for spacing in ["1e-300\\1e-300", "1e300\\1e300"] {
            let (folder, files) = try series("spacing\(spacing.count)")
            modify(files, ["(0028,0030)=\(spacing)"])
            let error = try XCTUnwrap(loadError(folder))
            XCTAssertEqual(error.tag, DICOMAttribute.pixelSpacing.description, spacing)
            XCTAssertTrue(error.message.contains("outside 0.001–1000 mm"), error.description)
        }
    }

    func testNaNOrInfinitePositionFailsTheLoadAtTheEdgeAndInTheMiddleNamingThatFile() throws {
        for (index, value) in [(0, "NaN\\0\\0"), (8, "0\\0\\inf"), (4, "0\\NaN\\0")] {
            let (folder, files) = try series("position\(index)")
            modify([files[index]], ["(0020,0032)=\(value)"])
            let error = try XCTUnwrap(loadError(folder))
            XCTAssertEqual(error.file, files[index], "slice \(index): \(error)")
            XCTAssertEqual(error.tag, DICOMAttribute.imagePositionPatient.description)
        }
    }

    func testAMissingSliceIsReportedAtTheFileAfterTheGap() throws {
        let (folder, files) = try series()
        try FileManager.default.removeItem(atPath: files[5])
        let error = try XCTUnwrap(loadError(folder))
        XCTAssertEqual(error.file, files[6], error.description)
        XCTAssertTrue(error.message.contains("1 missing slice(s)"), error.description)
    }

    func testA65535SquareMatrixWith960BytesOfDataIsRefusedFromTheHeader() throws {
        // 24 × 20 pixels × 2 bytes = 960 bytes of pixel data per file; the header claims 65535 × 65535
        // (8.6 GB per slice): refused while reading the header, before any buffer exists.
        let (folder, files) = try series()
        modify(files, ["(0028,0010)=65535", "(0028,0011)=65535"])
        XCTAssertThrowsError(try DICOMImageHeader.read(path: files[0])) { error in
            let error = error as! ImagingError
            XCTAssertEqual(error.file, files[0])
            XCTAssertTrue(error.message.contains("memory budget"), error.description)
        }
        let scan = try DICOMScanner.scan([folder])
        XCTAssertEqual(scan.skipped.count, 9)
        let error = try XCTUnwrap(loadError(folder))
        XCTAssertEqual(error.tag, DICOMAttribute.rows.description, error.description)
        // Within the budget but beyond the data: 2000 × 2000 × 2 bytes declared, 960 present.
        modify([files[0]], ["(0028,0010)=2000", "(0028,0011)=2000"])
        XCTAssertThrowsError(try DICOMImageHeader.read(path: files[0])) { error in
            let error = error as! ImagingError
            XCTAssertEqual(error.tag, DICOMAttribute.pixelData.description)
            XCTAssertTrue(error.message.contains("holds 960 bytes"), error.description)
        }
    }

    // MARK: - Sequence nesting

    /// A Part 10 file (explicit VR little endian) whose dataset nests `depth` undefined-length sequences, each in
    /// an undefined-length item, built byte by byte (PS3.5 §7.5).
    private func nestedSequenceFile(depth: Int, name: String) throws -> String {
        var bytes = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8)
        func tag(_ group: UInt16, _ element: UInt16) {
            bytes += [UInt8(group & 0xFF), UInt8(group >> 8), UInt8(element & 0xFF), UInt8(element >> 8)]
        }
        func u32(_ value: UInt32) { bytes += (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }
        let syntax = Array("1.2.840.10008.1.2.1".utf8) + [0]
        tag(0x0002, 0x0010)
        bytes += Array("UI".utf8) + [UInt8(syntax.count), 0] + syntax
        for _ in 0..<depth {
            tag(0x0008, 0x1115)
            bytes += Array("SQ".utf8) + [0, 0]
            u32(0xFFFF_FFFF)
            tag(0xFFFE, 0xE000)
            u32(0xFFFF_FFFF)
        }
        for _ in 0..<depth {
            tag(0xFFFE, 0xE00D)
            u32(0)
            tag(0xFFFE, 0xE0DD)
            u32(0)
        }
        let path = Fixtures.temporaryFolder(name) + "/nested.dcm"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testSequencesNested20000DeepAreRefusedBeforeDCMTKParsesThem() throws {
        let deep = try nestedSequenceFile(depth: 20_000, name: "deep")
        XCTAssertThrowsError(try DICOMImageHeader.read(path: deep)) { error in
            let error = error as! ImagingError
            XCTAssertEqual(error.file, deep)
            XCTAssertTrue(error.message.contains("sequences nested deeper than 64 levels"), error.description)
        }
        // At the limit the file goes on to DCMTK, which reads it (dcmdump is the independent check that the
        // generated bytes are well-formed); it is refused only for having no pixel data.
        let shallow = try nestedSequenceFile(depth: 64, name: "shallow")
        XCTAssertTrue(Fixtures.run("dcmdump", [shallow]).contains("(fffe,e0dd)"))
        XCTAssertThrowsError(try DICOMImageHeader.read(path: shallow)) { error in
            XCTAssertTrue((error as! ImagingError).message.contains("no pixel data"), "\(error)")
        }
    }

    func testNestingIsFollowedInImplicitBigEndianAndDeflatedFilesToo() throws {
        // The project's series read back after DCMTK transcodes them (dcmconv): the pre-scan must not refuse
        // ordinary files of any syntax.
        for option in ["+ti", "+tb", "+td"] {
            let (folder, _) = try series("syntax\(option.dropFirst())")
            Fixtures.transcode(folder, tool: "dcmconv", options: [option])
            XCTAssertEqual(try SeriesLoader().load(paths: [folder]).volume.geometry.size, [24, 20, 9], option)
        }
    }

    // MARK: - Files that are not regular

    private struct Hang: Error {}
    private final class Outcome<T>: @unchecked Sendable { var result: Result<T, Error>? }

    /// Runs `body` on another thread and fails when it does not finish within `seconds` (a hang).
    private func finishes<T: Sendable>(within seconds: Double, _ body: @escaping @Sendable () throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome<T>()
        Thread.detachNewThread {
            outcome.result = Result { try body() }
            done.signal()
        }
        guard done.wait(timeout: .now() + seconds) == .success, let result = outcome.result else {
            XCTFail("did not finish within \(seconds) s (a hang)")
            throw Hang()
        }
        return try result.get()
    }

    func testAFIFOInASeriesFolderIsSkippedWithoutBlocking() throws {
        let (folder, _) = try series()
        XCTAssertEqual(mkfifo(folder + "/zz-fifo", 0o644), 0)
        let scan = try finishes(within: 20) { try DICOMScanner.scan([folder]) }
        XCTAssertEqual(scan.series.first?.sliceCount, 9)
        XCTAssertTrue(scan.skipped.contains { $0.path == folder + "/zz-fifo" && $0.reason.contains("FIFO") }, "\(scan.skipped)")
        XCTAssertThrowsError(try DICOMScanner.scan([folder + "/zz-fifo"])) { error in
            XCTAssertTrue((error as! ImagingError).message.contains("not a regular file"), "\(error)")
        }
    }

    func testDeviceFilesAreNeverOpened() throws {
        let scan = try finishes(within: 60) { try DICOMScanner.scan(["/dev"]) }
        XCTAssertTrue(scan.series.isEmpty)
        XCTAssertTrue(scan.skipped.contains { $0.path == "/dev/null" && $0.reason.contains("character device") })
        XCTAssertThrowsError(try DICOMScanner.scan(["/dev/zero"]))
    }

    func testNonUTF8FileNamesAreCountedAsSkipped() throws {
        let (folder, _) = try series()
        let name = Array(folder.utf8) + Array("/bad-".utf8) + [0xFF, 0xFE] + Array(".dcm".utf8) + [0]
        let descriptor = name.withUnsafeBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644) }
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        close(descriptor)
        let scan = try DICOMScanner.scan([folder])
        XCTAssertEqual(scan.series.first?.sliceCount, 9)
        XCTAssertEqual(scan.skipped.filter { $0.reason == "file name is not valid UTF-8" }.count, 1, "\(scan.skipped)")
    }

    // MARK: - NIfTI

    /// A 4 × 3 × 2 uint8 label map written by the project's writer, then patched at `offset` with `bytes`.
    private func nifti(gzip: Bool, patch: [(Int, [UInt8])] = [], name: String = #function) throws -> String {
        let geometry = VolumeGeometry(size: [4, 3, 2], spacing: [1, 1, 1], origin: [0, 0, 0])
        let path = Fixtures.temporaryFolder(name) + "/mask.nii"
        try NIfTIWriter.write(LabelVolume(geometry: geometry, repeating: 1), to: path)
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        for (offset, bytes) in patch { data.replaceSubrange(offset..<(offset + bytes.count), with: bytes) }
        try data.write(to: URL(fileURLWithPath: path))
        guard gzip else { return path }
        Fixtures.run("gzip", ["-f", path])
        return path + ".gz"
    }

    private func floatBytes(_ value: Float) -> [UInt8] { withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    private func int16Bytes(_ value: Int16) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    func testNIfTIVoxOffsetOfMinus1e30IsAnError() throws {
        let path = try nifti(gzip: false, patch: [(108, floatBytes(-1e30))])
        XCTAssertThrowsError(try NIfTIReader.readLabels(path)) { error in
            XCTAssertTrue((error as! ImagingError).message.contains("vox_offset"), "\(error)")
        }
    }

    func testNIfTIDeclaringGigabytesIsRefusedBeforeInflating() throws {
        // dim = 3, 2048, 2048, 2048 uint8: 8 GiB declared in a file of a few hundred bytes.
        let path = try nifti(gzip: true, patch: [(42, int16Bytes(2048) + int16Bytes(2048) + int16Bytes(2048))])
        XCTAssertThrowsError(try NIfTIReader.readLabels(path)) { error in
            XCTAssertTrue((error as! ImagingError).message.contains("memory budget"), "\(error)")
        }
    }

    func testNIfTIWithTrailingBytesReadsTheDeclaredVoxels() throws {
        // 64 MB of zeros after the 24 voxels, gzip-compressed to about 64 KB: the reader stops after the voxels.
        let plain = try nifti(gzip: false)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: plain))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(count: 64 << 20))
        try handle.close()
        Fixtures.run("gzip", ["-f", plain])
        let labels = try NIfTIReader.readLabels(plain + ".gz")
        XCTAssertEqual(labels.voxels, [UInt8](repeating: 1, count: 24))
    }
}
