import Foundation
import XCTest

@testable import Imaging

/// Round trips through the project's writer and DCMTK's transcoders; expected HU are the values written.
final class SeriesLoaderTests: XCTestCase {
    private func writeSeries(_ volume: HUVolume, configure: (inout CTSeriesWriter) -> Void = { _ in },
                             name: String = #function) throws -> String {
        let folder = Fixtures.temporaryFolder(name)
        var writer = CTSeriesWriter(identity: Fixtures.identity(name))
        configure(&writer)
        try writer.write(volume, to: folder)
        return folder
    }

    private func assertSameVoxels(_ loaded: HUVolume, _ expected: HUVolume, tolerance: Int = 0,
                                  file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(loaded.geometry.size, expected.geometry.size, file: file, line: line)
        guard loaded.voxels.count == expected.voxels.count else { return }
        var worst = 0
        for (a, b) in zip(loaded.voxels, expected.voxels) { worst = max(worst, abs(Int(a) - Int(b))) }
        XCTAssertLessThanOrEqual(worst, tolerance, "largest HU difference", file: file, line: line)
    }

    func testUncompressedRoundTripKeepsEveryVoxelAndTheGeometry() throws {
        let volume = Fixtures.patternVolume()
        let folder = try writeSeries(volume)
        let loaded = try SeriesLoader().load(paths: [folder])
        assertSameVoxels(loaded.volume, volume)
        XCTAssertTrue(loaded.volume.geometry.matches(volume.geometry, tolerance: 1e-6))
        XCTAssertEqual(loaded.transferSyntaxes, ["1.2.840.10008.1.2.1"])
        XCTAssertEqual(loaded.files.count, 9)
    }

    func testEveryTransferSyntaxDCMTKTranscodesDecodesExactly() throws {
        // Lossless syntaxes: the decoded HU must equal the written HU exactly.
        let cases: [(String, [String], String)] = [
            ("dcmconv", ["+ti"], "1.2.840.10008.1.2"),
            ("dcmconv", ["+te"], "1.2.840.10008.1.2.1"),
            ("dcmconv", ["+tb"], "1.2.840.10008.1.2.2"),
            ("dcmconv", ["+td"], "1.2.840.10008.1.2.1.99"),
            ("dcmcrle", [], "1.2.840.10008.1.2.5"),
            ("dcmcjpeg", ["+e1"], "1.2.840.10008.1.2.4.70"),
            ("dcmcjpeg", ["+el"], "1.2.840.10008.1.2.4.57"),
            ("dcmcjpls", ["+el"], "1.2.840.10008.1.2.4.80"),
        ]
        let volume = Fixtures.patternVolume()
        for (tool, options, syntax) in cases {
            let folder = try writeSeries(volume, name: "syntax\(syntax)")
            Fixtures.transcode(folder, tool: tool, options: options)
            let loaded = try SeriesLoader().load(paths: [folder])
            XCTAssertEqual(loaded.transferSyntaxes, [syntax], "\(tool) \(options)")
            assertSameVoxels(loaded.volume, volume)
        }
    }

    func testLossySyntaxesDecodeWithinTheirErrorBound() throws {
        // 12-bit data (HU −1024…3071 stored 0…4095) for JPEG extended; JPEG-LS near-lossless bounds the error by
        // its NEAR parameter exactly, JPEG extended at quality 100 by a few stored units.
        var volume = Fixtures.patternVolume(high: 3071)
        for index in volume.voxels.indices { volume.voxels[index] = volume.voxels[index] / 64 * 64 }
        let cases: [(String, [String], String, Int)] = [
            ("dcmcjpls", ["+en", "+md", "2"], "1.2.840.10008.1.2.4.81", 2),
            ("dcmcjpeg", ["+ee", "+q", "100"], "1.2.840.10008.1.2.4.51", 40),
        ]
        for (tool, options, syntax, tolerance) in cases {
            let folder = try writeSeries(volume, configure: { $0.bitsStored = 12 }, name: "lossy\(syntax)")
            Fixtures.transcode(folder, tool: tool, options: options)
            let loaded = try SeriesLoader().load(paths: [folder])
            XCTAssertEqual(loaded.transferSyntaxes, [syntax])
            assertSameVoxels(loaded.volume, volume, tolerance: tolerance)
        }
    }

    func testJPEGBaselineEightBitLoadsWithItsRescale() throws {
        // dcmcjpeg +eb reduces 12-bit data to 8 bits (one step per 16 stored units here) and JPEG-codes them
        // lossily; the result must still be in HU through the rescale it writes.
        var volume = Fixtures.patternVolume(high: 3071)
        for index in volume.voxels.indices { volume.voxels[index] = volume.voxels[index] / 256 * 256 }
        let folder = try writeSeries(volume, configure: { $0.bitsStored = 12 })
        Fixtures.transcode(folder, tool: "dcmcjpeg", options: ["+eb", "+q", "100"])
        let loaded = try SeriesLoader().load(paths: [folder])
        XCTAssertEqual(loaded.transferSyntaxes, ["1.2.840.10008.1.2.4.50"])
        let meanError = zip(loaded.volume.voxels, volume.voxels).reduce(0.0) { $0 + abs(Double($1.0) - Double($1.1)) }
            / Double(volume.voxels.count)
        XCTAssertLessThan(meanError, 40, "mean absolute HU error after 8-bit lossy coding")
    }

    func testWriterSyntaxesLoadBack() throws {
        let volume = Fixtures.patternVolume()
        let syntaxes: [(DICOMWriter.Syntax, String)] = [
            (.implicitLittleEndian, "1.2.840.10008.1.2"), (.explicitBigEndian, "1.2.840.10008.1.2.2"),
            (.deflatedLittleEndian, "1.2.840.10008.1.2.1.99"),
        ]
        for (syntax, uid) in syntaxes {
            let folder = try writeSeries(volume, configure: { $0.syntax = syntax }, name: "writer\(uid)")
            let loaded = try SeriesLoader().load(paths: [folder])
            XCTAssertEqual(loaded.transferSyntaxes, [uid])
            assertSameVoxels(loaded.volume, volume)
        }
    }

    func testShuffledFilesAndReversedSliceDirectionSortByPosition() throws {
        var volume = Fixtures.patternVolume()
        volume.geometry.sliceDirection = [0, 0, -1]
        let shuffled = [4, 7, 0, 8, 2, 5, 1, 6, 3]
        let folder = try writeSeries(volume, configure: { $0.fileOrder = shuffled })
        let loaded = try SeriesLoader().load(paths: [folder]).volume
        // Sorted along the normal (+z), the loaded volume runs the other way: slice k is written slice 8 − k.
        XCTAssertEqual(loaded.geometry.sliceDirection, [0, 0, 1])
        XCTAssertEqual(loaded.geometry.origin.z, volume.geometry.origin.z - 8 * 1.25, accuracy: 1e-9)
        for k in 0..<9 {
            for j in 0..<20 {
                for i in 0..<24 { XCTAssertEqual(loaded[i, j, k], volume[i, j, 8 - k]) }
            }
        }
        // The same patient position holds the same value in both.
        let point = volume.geometry.patientPosition(ofIndex: [3, 4, 2])
        let index = loaded.geometry.index(ofPatientPosition: point)
        XCTAssertEqual(index.x, 3, accuracy: 1e-9)
        XCTAssertEqual(index.z, 6, accuracy: 1e-9)
    }

    func testObliqueOrientationUsesTheNormalForSorting() throws {
        var volume = Fixtures.patternVolume(size: [8, 6, 5])
        let angle = 0.3
        volume.geometry.rowDirection = [cos(angle), sin(angle), 0]
        volume.geometry.columnDirection = [-sin(angle), cos(angle), 0]
        volume.geometry.sliceDirection = [0, 0, 1]
        let folder = try writeSeries(volume, configure: { $0.fileOrder = [3, 1, 4, 0, 2] })
        let loaded = try SeriesLoader().load(paths: [folder]).volume
        XCTAssertTrue(loaded.geometry.matches(volume.geometry, tolerance: 1e-5))
        assertSameVoxels(loaded, volume)
    }

    func testRescaleVariantsGiveTheSameHU() throws {
        let volume = Fixtures.patternVolume(low: -1024, high: 3000)
        let variants: [(String, (inout CTSeriesWriter) -> Void)] = [
            ("signed, intercept 0", { $0.signedPixels = true; $0.rescaleIntercept = 0 }),
            ("slope 2", { $0.rescaleSlope = 2; $0.rescaleIntercept = -2048 }),
            ("slope 0.5", { $0.rescaleSlope = 0.5; $0.rescaleIntercept = -1024 }),
            ("12 bits stored", { $0.bitsStored = 12 }),
            ("signed 12 bits", { $0.signedPixels = true; $0.bitsStored = 13; $0.rescaleIntercept = 0 }),
        ]
        for (name, configure) in variants {
            var expected = volume
            if name == "slope 2" {
                // Stored values are whole numbers, so slope 2 keeps only even HU offsets from the intercept.
                for index in expected.voxels.indices { expected.voxels[index] = expected.voxels[index] / 2 * 2 }
            }
            let folder = try writeSeries(expected, configure: configure, name: "rescale\(name)")
            let loaded = try SeriesLoader().load(paths: [folder])
            assertSameVoxels(loaded.volume, expected)
        }
    }

    func testSignedStoredValuesAreSignExtendedFromBitsStored() throws {
        // Hand-made: BitsStored 12, PixelRepresentation 1. 0x0FFF is −1 and 0x0800 is −2048 in 12-bit two's
        // complement; a high bit outside BitsStored (0xF001) must be ignored, giving 1.
        let folder = Fixtures.temporaryFolder()
        let attributes = sliceAttributes(rows: 1, columns: 3) + [
            ("(0028,0101)", "12"), ("(0028,0102)", "11"), ("(0028,0103)", "1"),
            ("(0028,1052)", "0"), ("(0028,1053)", "1"),
        ]
        try DICOMWriter.write(path: folder + "/a.dcm", attributes: attributes, pixelWords: [0x0FFF, 0x0800, 0xF001])
        let volume = try SeriesLoader().load(paths: [folder]).volume
        XCTAssertEqual(volume.voxels, [-1, -2048, 1])
    }

    func testOutOfRangeHUAreClampedAndCounted() throws {
        // 40 pixels (two 16-lane chunks and a tail of 8), unsigned 16-bit, slope 16, intercept −1024: stored
        // values above 2111 give HU above 32767 and values are clamped to Int16; expected HU by hand from
        // HU = 16·stored − 1024.
        let stored = (0..<40).map { UInt16($0 * 100) }
        let folder = Fixtures.temporaryFolder()
        let attributes = sliceAttributes(rows: 1, columns: 40) + [
            ("(0028,0101)", "16"), ("(0028,0102)", "15"), ("(0028,0103)", "0"),
            ("(0028,1052)", "-1024"), ("(0028,1053)", "16"),
        ]
        try DICOMWriter.write(path: folder + "/a.dcm", attributes: attributes, pixelWords: stored)
        let loaded = try SeriesLoader().load(paths: [folder])
        let expected = stored.map { Int16(min(32767, 16 * Int($0) - 1024)) }
        XCTAssertEqual(loaded.volume.voxels, expected)
        XCTAssertEqual(loaded.clampedVoxelCount, stored.filter { $0 > 2111 }.count)
        XCTAssertEqual(loaded.clampedVoxelCount, 18)
    }

    func testPixelPaddingBecomesAir() throws {
        var volume = Fixtures.patternVolume(low: -900, high: 2000)
        volume.voxels[0] = -2000
        volume.voxels[5] = -2000
        let folder = try writeSeries(volume) { $0.rescaleIntercept = -2000; $0.pixelPaddingValue = 0 }
        let loaded = try SeriesLoader().load(paths: [folder]).volume
        XCTAssertEqual(loaded.voxels[0], -1024)
        XCTAssertEqual(loaded.voxels[5], -1024)
        XCTAssertEqual(Array(loaded.voxels[6...]), Array(volume.voxels[6...]))
    }

    func testEnhancedMultiFrameCTLoadsLikeSingleFrames() throws {
        var volume = Fixtures.patternVolume()
        volume.geometry.sliceDirection = [0, 0, -1]
        let folder = try writeSeries(volume) { $0.multiFrame = true }
        let loaded = try SeriesLoader().load(paths: [folder])
        XCTAssertTrue(loaded.isMultiFrame)
        XCTAssertEqual(loaded.volume.geometry.size.z, 9)
        for k in 0..<9 { XCTAssertEqual(loaded.volume[5, 6, k], volume[5, 6, 8 - k]) }
        // Compressed multi-frame too.
        Fixtures.transcode(folder, tool: "dcmcjpls", options: ["+el"])
        let compressed = try SeriesLoader().load(paths: [folder])
        XCTAssertEqual(compressed.volume.voxels, loaded.volume.voxels)
    }

    func testSeriesAreGroupedAndTheLargestCTIsChosen() throws {
        let root = Fixtures.temporaryFolder()
        var small = CTSeriesWriter(identity: Fixtures.identity("small"))
        small.identity.seriesNumber = 2
        try small.write(Fixtures.patternVolume(size: [6, 5, 3]), to: root + "/a")
        try CTSeriesWriter(identity: Fixtures.identity("large")).write(Fixtures.patternVolume(), to: root + "/b/c")
        try Data("not dicom".utf8).write(to: URL(fileURLWithPath: root + "/notes.txt"))
        let scan = try DICOMScanner.scan([root])
        XCTAssertEqual(scan.series.map(\.sliceCount), [9, 3])
        XCTAssertEqual(scan.skipped.count, 1)
        let chosen = try scan.select(uid: nil, location: root)
        XCTAssertEqual(chosen.uid, Fixtures.identity("large").seriesUID)
        let explicit = try SeriesLoader().load(paths: [root], seriesUID: Fixtures.identity("small").seriesUID)
        XCTAssertEqual(explicit.volume.geometry.size, [6, 5, 3])
        XCTAssertThrowsError(try scan.select(uid: "1.2.3", location: root)) { error in
            XCTAssertTrue("\(error)".contains("no series 1.2.3"), "\(error)")
        }
    }

    // MARK: - Errors

    private func assertLoadError(_ paths: [String], contains fragments: [String], resample: Bool = false,
                                 file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SeriesLoader(resampleIrregularSpacing: resample).load(paths: paths),
                             file: file, line: line) { error in
            let text = "\(error)"
            for fragment in fragments {
                XCTAssertTrue(text.contains(fragment), "'\(text)' should mention '\(fragment)'", file: file, line: line)
            }
        }
    }

    func testMissingSliceIsReportedOrResampled() throws {
        let volume = Fixtures.patternVolume()
        let folder = try writeSeries(volume)
        try FileManager.default.removeItem(atPath: folder + "/IM00005.dcm")
        assertLoadError([folder], contains: ["1 missing slice(s)", "ImagePositionPatient", "IM00004.dcm at -26.25 mm",
                                            "IM00006.dcm at -23.75 mm"])
        let resampled = try SeriesLoader(resampleIrregularSpacing: true).load(paths: [folder])
        XCTAssertTrue(resampled.wasResampled)
        XCTAssertEqual(resampled.volume.geometry.size.z, 9)
        XCTAssertEqual(resampled.volume.geometry.spacing.z, 1.25, accuracy: 1e-9)
        // The missing slice 4 is the mean of slices 3 and 5 (linear interpolation), rounded.
        let expected = Int16(((Double(volume[2, 3, 3]) + Double(volume[2, 3, 5])) / 2).rounded())
        XCTAssertEqual(resampled.volume[2, 3, 4], expected)
        XCTAssertEqual(resampled.volume[2, 3, 5], volume[2, 3, 5])
    }

    func testDuplicateSliceIsAnError() throws {
        let folder = try writeSeries(Fixtures.patternVolume())
        Fixtures.run("dcmodify", ["-nb", "-m", "(0008,0018)=1.2.3.4", "-m", "(0020,0032)=-10.5\\20.25\\-30",
                                  folder + "/IM00002.dcm"])
        assertLoadError([folder], contains: ["duplicate slice position", "IM00001.dcm", "IM00002.dcm"])
    }

    func testUnevenSpacingIsAnError() throws {
        let folder = try writeSeries(Fixtures.patternVolume())
        Fixtures.run("dcmodify", ["-nb", "-m", "(0020,0032)=-10.5\\20.25\\-25.5", folder + "/IM00005.dcm"])
        assertLoadError([folder], contains: ["non-uniform slice spacing", "IM00005.dcm"])
    }

    func testGantryTiltIsAnError() throws {
        let folder = try writeSeries(Fixtures.patternVolume(size: [6, 5, 4]))
        // Shift each slice 0.3 mm along y per 1.25 mm step, as a tilted acquisition stores it.
        for (k, file) in Fixtures.files(folder).enumerated() {
            Fixtures.run("dcmodify", ["-nb", "-m", "(0020,0032)=-10.5\\\(20.25 + 0.3 * Double(k))\\\(-30 + 1.25 * Double(k))",
                                      "-i", "(0018,1120)=13.5", file])
        }
        assertLoadError([folder], contains: ["gantry tilt", "13"])
    }

    func testMixedMatrixSizesAreAnError() throws {
        let folder = try writeSeries(Fixtures.patternVolume())
        var other = Fixtures.patternVolume(size: [16, 20, 1])
        other.geometry.origin.z = 100
        try CTSeriesWriter(identity: Fixtures.identity("testMixedMatrixSizesAreAnError()")).write(other, to: folder + "/x")
        assertLoadError([folder], contains: ["mixed matrix sizes", "20×16", "20×24"])
    }

    func testTruncatedAndCorruptFilesAreNamed() throws {
        let folder = try writeSeries(Fixtures.patternVolume(size: [64, 64, 5]))
        // Cut inside the pixel data: DCMTK notices the premature end when it opens the file. Named directly it is
        // an error; inside a folder it is skipped, and the hole it leaves is then caught as a missing slice.
        let truncated = folder + "/IM00003.dcm"
        let data = try Data(contentsOf: URL(fileURLWithPath: truncated))
        try data.prefix(data.count - 3000).write(to: URL(fileURLWithPath: truncated))
        assertLoadError([truncated], contains: ["IM00003.dcm", "premature end"])
        assertLoadError([folder], contains: ["1 missing slice(s)", "IM00002.dcm", "IM00004.dcm"])

        // Cut inside the header: named directly it is an error; inside a folder it is skipped and counted.
        let headerCut = folder + "/IM00005.dcm"
        try data.prefix(600).write(to: URL(fileURLWithPath: headerCut))
        assertLoadError([headerCut], contains: ["IM00005.dcm", "not a readable DICOM file"])

        let corrupt = folder + "/corrupt.dcm"
        var bytes = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8)
        bytes += (0..<400).map { UInt8(truncatingIfNeeded: $0 &* 7919) }
        try Data(bytes).write(to: URL(fileURLWithPath: corrupt))
        assertLoadError([corrupt], contains: ["corrupt.dcm", "not a readable DICOM file"])
        XCTAssertEqual(try DICOMScanner.scan([folder]).skipped.map { ($0.path as NSString).lastPathComponent },
                       ["IM00003.dcm", "IM00005.dcm", "corrupt.dcm"])
    }

    func testFolderWithoutCTAndNonCTModality() throws {
        let empty = Fixtures.temporaryFolder("empty")
        try Data("hello".utf8).write(to: URL(fileURLWithPath: empty + "/readme.txt"))
        assertLoadError([empty], contains: ["no CT series found"])

        let folder = try writeSeries(Fixtures.patternVolume(size: [6, 5, 3]))
        for file in Fixtures.files(folder) {
            Fixtures.run("dcmodify", ["-nb", "-m", "(0008,0060)=MR", "-m", "(0008,0016)=1.2.840.10008.5.1.4.1.1.4",
                                      file])
        }
        assertLoadError([folder], contains: ["no CT series found", "MR series"])
        assertLoadError([folder + "/IM00001.dcm"], contains: ["no CT series found"])
        let scan = try DICOMScanner.scan([folder])
        XCTAssertThrowsError(try SeriesLoader().load(scan.series[0])) { error in
            XCTAssertTrue("\(error)".contains("modality MR is not CT"), "\(error)")
        }
    }

    func testNoPatientNameInErrors() throws {
        let folder = Fixtures.temporaryFolder()
        var writer = CTSeriesWriter(identity: Fixtures.identity("privacy"))
        writer.identity.patientName = "DOE^JANE"
        try writer.write(Fixtures.patternVolume(size: [4, 4, 5]), to: folder)
        try FileManager.default.removeItem(atPath: folder + "/IM00003.dcm")
        XCTAssertThrowsError(try SeriesLoader().load(paths: [folder])) { error in
            XCTAssertFalse("\(error)".contains("DOE"))
        }
    }

    private func sliceAttributes(rows: Int, columns: Int) -> [(String, String)] {
        [
            ("(0008,0016)", DICOMUID.ctImageStorage), ("(0008,0018)", "1.2.3.4.5"), ("(0008,0060)", "CT"),
            ("(0020,000e)", "1.2.3.4"), ("(0020,0032)", "0\\0\\0"), ("(0020,0037)", "1\\0\\0\\0\\1\\0"),
            ("(0028,0030)", "1\\1"), ("(0028,0002)", "1"), ("(0028,0004)", "MONOCHROME2"),
            ("(0028,0010)", String(rows)), ("(0028,0011)", String(columns)), ("(0028,0100)", "16"),
        ]
    }
}
