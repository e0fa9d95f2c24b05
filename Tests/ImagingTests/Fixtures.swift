import Foundation
import Imaging
import XCTest

/// Test volumes with analytically known voxels, written through the project's DICOM writer and
/// transcoded with DCMTK's own command-line tools.
enum Fixtures {
    /// A deterministic HU pattern spanning air to dense cement; every voxel differs from its neighbours.
    static func patternVolume(size: SIMD3<Int> = [24, 20, 9], spacing: SIMD3<Double> = [0.7, 0.8, 1.25],
                              origin: SIMD3<Double> = [-10.5, 20.25, -30],
                              low: Int = -1024, high: Int = 3071) -> HUVolume {
        let geometry = VolumeGeometry(size: size, spacing: spacing, origin: origin)
        var volume = HUVolume(geometry: geometry, repeating: 0)
        let range = high - low + 1
        for k in 0..<size.z {
            for j in 0..<size.y {
                for i in 0..<size.x {
                    volume[i, j, k] = Int16(low + (i * 37 + j * 113 + k * 1009) % range)
                }
            }
        }
        return volume
    }

    static func identity(_ seed: String) -> CTSeriesWriter.Identity {
        CTSeriesWriter.Identity(patientName: "SYNTHETIC^TEST", patientID: "TEST-\(seed)", uidSeed: seed)
    }

    /// A fresh empty folder under the system temporary directory.
    static func temporaryFolder(_ name: String = #function) -> String {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let path = NSTemporaryDirectory() + "cementreport-tests/\(safe)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs a DCMTK (or other) command-line tool; fails the test with its output when it exits non-zero.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch {
            XCTFail("cannot run \(tool): \(error)", file: file, line: line)
            return ""
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            XCTFail("\(tool) \(arguments.joined(separator: " ")) failed: \(output)", file: file, line: line)
        }
        return output
    }

    /// Transcodes every file of a folder in place with a DCMTK tool and its options.
    static func transcode(_ folder: String, tool: String, options: [String]) {
        for file in try! FileManager.default.contentsOfDirectory(atPath: folder).sorted() {
            let path = folder + "/" + file
            run(tool, options + [path, path + ".tmp"])
            guard FileManager.default.fileExists(atPath: path + ".tmp") else { return }
            try! FileManager.default.removeItem(atPath: path)
            try! FileManager.default.moveItem(atPath: path + ".tmp", toPath: path)
        }
    }

    /// Files of a folder, sorted.
    static func files(_ folder: String) -> [String] {
        try! FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { folder + "/" + $0 }
    }
}
