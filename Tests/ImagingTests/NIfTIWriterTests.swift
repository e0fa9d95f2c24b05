import Foundation
import XCTest

@testable import Imaging

/// The NIfTI header is read back byte by byte here (layout from the NIfTI-1 standard, nifti1.h) and compared
/// with affines worked out by hand, not with the writer's own matrix code.
final class NIfTIWriterTests: XCTestCase {
    private struct Header {
        let bytes: [UInt8]
        func int16(_ offset: Int) -> Int16 { Int16(bitPattern: UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8) }
        func float(_ offset: Int) -> Double {
            var bits: UInt32 = 0
            for i in 0..<4 { bits |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
            return Double(Float(bitPattern: bits))
        }
        var srow: [[Double]] { (0..<3).map { r in (0..<4).map { c in float(280 + 16 * r + 4 * c) } } }

        /// The qform affine rebuilt with the standard's quaternion formula (method 2 of nifti1.h).
        var qformAffine: [[Double]] {
            var b = float(256), c = float(260), d = float(264)
            var a = 1 - (b * b + c * c + d * d)
            // The standard's reader rule: a 180° rotation (a² below 1e-7) is renormalised with a = 0.
            if a < 1e-7 {
                let scale = 1 / (b * b + c * c + d * d).squareRoot()
                (b, c, d, a) = (b * scale, c * scale, d * scale, 0)
            } else {
                a = a.squareRoot()
            }
            let qfac = float(76) < 0 ? -1.0 : 1.0
            let r = [[a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
                     [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
                     [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b]]
            let pixdim = [float(80), float(84), float(88) * qfac]
            let offset = [float(268), float(272), float(276)]
            return (0..<3).map { i in (0..<3).map { j in r[i][j] * pixdim[j] } + [offset[i]] }
        }
    }

    private func header(of path: String) throws -> Header {
        Header(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(352)))
    }

    private func assertMatrix(_ a: [[Double]], _ b: [[Double]], accuracy: Double = 1e-5,
                              file: StaticString = #filePath, line: UInt = #line) {
        for (rowA, rowB) in zip(a, b) {
            for (x, y) in zip(rowA, rowB) { XCTAssertEqual(x, y, accuracy: accuracy, "\(a) vs \(b)", file: file, line: line) }
        }
    }

    func testObliqueGeometryGivesTheHandComputedRASAffine() throws {
        // Rows run anterior→posterior (LPS +y), columns superior→inferior (LPS −z): a sagittal-like grid.
        // LPS columns: i → (0, 0.5, 0), j → (0, 0, −0.75), k = row × column · 2 → (−2, 0, 0).
        // RAS negates x and y, so the affine is worked out as below.
        let geometry = VolumeGeometry(size: [4, 3, 2], spacing: [0.5, 0.75, 2], origin: [10, -20, 30],
                                      rowDirection: [0, 1, 0], columnDirection: [0, 0, -1],
                                      sliceDirection: [-1, 0, 0])
        let expected: [[Double]] = [[0, 0, 2, -10], [-0.5, 0, 0, 20], [0, -0.75, 0, 30]]
        let volume = HUVolume(geometry: geometry, voxels: (0..<24).map { Int16($0 * 100 - 1000) })
        let folder = Fixtures.temporaryFolder()
        try NIfTIWriter.write(volume, to: folder + "/v.nii")
        let h = try header(of: folder + "/v.nii")
        XCTAssertEqual(h.int16(40), 3)
        XCTAssertEqual([h.int16(42), h.int16(44), h.int16(46)], [4, 3, 2])
        XCTAssertEqual(h.int16(70), 4, "datatype INT16")
        XCTAssertEqual(h.float(108), 352, "vox_offset")
        XCTAssertEqual([h.int16(252), h.int16(254)], [1, 1], "qform_code, sform_code")
        XCTAssertEqual(String(decoding: h.bytes[344..<347], as: UTF8.self), "n+1")
        assertMatrix(h.srow, expected)
        assertMatrix(h.qformAffine, expected)

        // Voxels follow the header, little-endian, i fastest.
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/v.nii"))
        XCTAssertEqual(data.count, 352 + 48)
        let voxel7 = Int16(bitPattern: UInt16(data[352 + 14]) | UInt16(data[352 + 15]) << 8)
        XCTAssertEqual(voxel7, -300)
    }

    func testLeftHandedGridSetsQfacAndKeepsTheAffine() throws {
        // Axial grid stored head-first-down: k runs along −z (LPS), a left-handed index frame.
        let geometry = VolumeGeometry(size: [2, 2, 2], spacing: [0.8, 0.8, 3], origin: [-100, -120, 50],
                                      rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], sliceDirection: [0, 0, -1])
        let expected: [[Double]] = [[-0.8, 0, 0, 100], [0, -0.8, 0, 120], [0, 0, -3, 50]]
        let folder = Fixtures.temporaryFolder()
        try NIfTIWriter.write(LabelVolume(geometry: geometry, repeating: 1), to: folder + "/m.nii")
        let h = try header(of: folder + "/m.nii")
        XCTAssertEqual(h.int16(70), 2, "datatype UINT8")
        XCTAssertEqual(h.float(76), -1, "qfac")
        assertMatrix(h.srow, expected)
        assertMatrix(h.qformAffine, expected)
    }

    func testEveryRotationRoundTripsThroughTheQuaternion() throws {
        // 24 axis-aligned orientations plus oblique ones: the qform must reproduce the sform each time.
        var directions: [(SIMD3<Double>, SIMD3<Double>)] = []
        let axes: [SIMD3<Double>] = [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]]
        for r in axes { for c in axes where (r * c).sum() == 0 { directions.append((r, c)) } }
        for angle in stride(from: 0.1, to: 3.1, by: 0.7) {
            directions.append(([cos(angle), 0, sin(angle)], [0, 1, 0]))
            directions.append(([cos(angle), sin(angle), 0], [0, 0, -1]))
        }
        let folder = Fixtures.temporaryFolder()
        for (index, (row, column)) in directions.enumerated() {
            for handedness in [1.0, -1.0] {
                let normal = SIMD3(row.y * column.z - row.z * column.y, row.z * column.x - row.x * column.z,
                                   row.x * column.y - row.y * column.x)
                let geometry = VolumeGeometry(size: [2, 2, 2], spacing: [0.6, 0.7, 1.5], origin: [3, -4, 5],
                                              rowDirection: row, columnDirection: column,
                                              sliceDirection: normal * handedness)
                let path = folder + "/r\(index)-\(handedness).nii"
                try NIfTIWriter.write(LabelVolume(geometry: geometry, repeating: 0), to: path)
                let h = try header(of: path)
                assertMatrix(h.qformAffine, h.srow)
            }
        }
    }

    func testGzipOutputDecompressesToTheSameFile() throws {
        let volume = Fixtures.patternVolume()
        let folder = Fixtures.temporaryFolder()
        try NIfTIWriter.write(volume, to: folder + "/v.nii")
        try NIfTIWriter.write(volume, to: folder + "/v.nii.gz")
        let plain = try Data(contentsOf: URL(fileURLWithPath: folder + "/v.nii"))
        let unzipped = Fixtures.run("sh", ["-c", "gzip -dc '\(folder)/v.nii.gz' | od -An -v -tx1"])
        XCTAssertEqual(unzipped.split(whereSeparator: \.isWhitespace).count, plain.count)
        XCTAssertEqual(unzipped.split(whereSeparator: \.isWhitespace).map { UInt8($0, radix: 16)! }, Array(plain))
        // Deterministic: writing again gives the same bytes.
        try NIfTIWriter.write(volume, to: folder + "/w.nii.gz")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: folder + "/v.nii.gz")),
                       try Data(contentsOf: URL(fileURLWithPath: folder + "/w.nii.gz")))
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: folder).contains { $0.hasSuffix(".partial") })
    }

    func testReaderRoundTripsTheWriter() throws {
        let folder = Fixtures.temporaryFolder()
        for direction in [SIMD3<Double>(0, 0, 1), SIMD3<Double>(0, 0, -1)] {
            let geometry = VolumeGeometry(size: [5, 4, 3], spacing: [0.7, 0.8, 2.5], origin: [12, -30, 45],
                                          rowDirection: [0.6, 0.8, 0], columnDirection: [-0.8, 0.6, 0], sliceDirection: direction)
            let mask = LabelVolume(geometry: geometry, voxels: (0..<60).map { UInt8($0 % 7) })
            let path = folder + "/m\(direction.z).nii.gz"
            try NIfTIWriter.write(mask, to: path)
            let read = try NIfTIReader.readLabels(path)
            XCTAssertEqual(read.voxels, mask.voxels)
            XCTAssertTrue(read.geometry.matches(geometry, tolerance: 1e-4), "\(read.geometry)")
        }
    }

    func testReaderFollowsNibabelFiles() throws {
        // Written by nibabel 5 (Tests/ImagingTests/Fixtures): voxel (i,j,k) = i + 4j + 12k (uint8, sform code 2, no
        // qform) and three times that as int16 with only a qform; RAS affine [[0,0,2,-10],[-0.5,0,0,20],[0,-0.75,0,30]].
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let expected = VolumeGeometry(size: [4, 3, 2], spacing: [0.5, 0.75, 2], origin: [10, -20, 30],
                                      rowDirection: [0, 1, 0], columnDirection: [0, 0, -1], sliceDirection: [-1, 0, 0])
        let sform = try NIfTIReader.readLabels(directory.appendingPathComponent("nibabel-sform.nii.gz").path)
        XCTAssertTrue(sform.geometry.matches(expected, tolerance: 1e-5), "\(sform.geometry)")
        XCTAssertEqual(sform[1, 2, 1], 1 + 8 + 12)
        let qform = try NIfTIReader.readLabels(directory.appendingPathComponent("nibabel-qform.nii").path)
        XCTAssertTrue(qform.geometry.matches(expected, tolerance: 1e-4), "\(qform.geometry)")
        XCTAssertEqual(qform[3, 0, 1], 3 * 15)
        XCTAssertThrowsError(try NIfTIReader.readLabels(directory.appendingPathComponent("missing.nii").path))
    }
}
