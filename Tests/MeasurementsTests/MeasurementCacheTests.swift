import Foundation
import Imaging
import Phantom
import RateEngine
import XCTest

@testable import Measurements

final class MeasurementCacheTests: XCTestCase {
    private func temporaryFolder() throws -> String {
        let folder = NSTemporaryDirectory() + "cementreport-measurements-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        return folder
    }

    /// Runs worked out by hand: three 0s then two 1s, and one 2.
    func testRunLengthFormatByHand() throws {
        let data = MaskRunLength.encode([0, 0, 0, 1, 1, 2])
        XCTAssertEqual([UInt8](data), [0, 3, 0, 0, 0, 1, 2, 0, 0, 0, 2, 1, 0, 0, 0])
        XCTAssertEqual(try MaskRunLength.decode(data, count: 6, file: "m"), [0, 0, 0, 1, 1, 2])
        XCTAssertEqual(MaskRunLength.encode([]), Data())
        XCTAssertThrowsError(try MaskRunLength.decode(data, count: 5, file: "m.rle")) { error in
            XCTAssertTrue("\(error)".hasPrefix("m.rle: "), "\(error)")
        }
        XCTAssertThrowsError(try MaskRunLength.decode(data.dropLast(), count: 6, file: "m.rle"))
    }

    /// A measurement stored with its masks comes back as it was stored; a changed slice, engine version or
    /// parameter finds no entry, and the stored one of the same folder is named stale with the reason.
    func testStoredMeasurementRoundTripsAndInvalidatesExactly() throws {
        let root = try temporaryFolder()
        var overrides = PhantomParameters.Overrides()
        overrides.matrix = 128
        overrides.pixelSpacing = 1.0
        overrides.sliceSpacing = 2
        overrides.distributionRate = 20
        let generator = PhantomGenerator()
        let series = root + "/ct"
        _ = try generator.write(generator.makeCase(seed: 3, overrides: overrides), to: series)
        let loaded = try SeriesLoader().load(paths: [series])
        let result = RateEngine().measure(loaded.volume, withMasks: true)
        XCTAssertFalse(result.levels.isEmpty, "the phantom has cement")

        let cache = MeasurementCache(folder: root + "/cache")
        let key = MeasurementCache.Key(seriesDigest: try SeriesDigest.of(files: loaded.files))
        XCTAssertNil(try cache.entry(for: key))
        XCTAssertNil(cache.staleness(of: series, key: key), "never measured: missing, not stale")
        try cache.store(result, geometry: loaded.volume.geometry, key: key, seriesFolder: series)
        let entry = try XCTUnwrap(try cache.entry(for: key))
        XCTAssertEqual(entry.record.levels, result.levels)
        XCTAssertEqual(entry.record.geometry, loaded.volume.geometry)
        XCTAssertEqual(entry.masks.count, result.masks.count)
        XCTAssertEqual(entry.masks[0]?.body.voxels, result.masks[0].body.voxels)
        XCTAssertEqual(entry.masks[0]?.cement.voxels, result.masks[0].cement.voxels)
        let entryFiles = try FileManager.default.contentsOfDirectory(atPath: root + "/cache/" + key.name).sorted()
        XCTAssertEqual(entryFiles, ["level-0-body.rle", "level-0-cement.rle", "measurement.json"])

        // A second level whose body was not found (leaked cement far from any body) has no masks: the entry is
        // stored all the same and reads back with no masks for that level.
        var withBodyless = result
        var bodyless = result.levels[0]
        bodyless.levelIndex = 1
        bodyless.vertebralBodyML = nil
        withBodyless.levels.append(bodyless)
        let bodylessKey = MeasurementCache.Key(seriesDigest: key.seriesDigest, engineVersion: "bodyless-level")
        try cache.store(withBodyless, geometry: loaded.volume.geometry, key: bodylessKey, seriesFolder: series)
        let bodylessEntry = try XCTUnwrap(try cache.entry(for: bodylessKey))
        XCTAssertEqual(bodylessEntry.masks.count, 2)
        XCTAssertEqual(bodylessEntry.masks[0]?.body.voxels, result.masks[0].body.voxels)
        XCTAssertNil(bodylessEntry.masks[1])
        try FileManager.default.removeItem(atPath: root + "/cache/" + bodylessKey.name)

        var parameters = RateEngine.Parameters()
        parameters.cementThresholdHU = 900
        let otherParameters = MeasurementCache.Key(seriesDigest: key.seriesDigest, parameters: parameters)
        let otherEngine = MeasurementCache.Key(seriesDigest: key.seriesDigest, engineVersion: "0.0.1")
        for other in [otherParameters, otherEngine] {
            XCTAssertNotEqual(other.name, key.name)
            XCTAssertNil(try cache.entry(for: other))
        }
        XCTAssertEqual(cache.staleness(of: series, key: otherParameters),
                       "the stored measurement is stale: it was made with other engine parameters")
        XCTAssertEqual(cache.staleness(of: series, key: otherEngine),
                       "the stored measurement is stale: it was made by rate engine \(RateEngine.version), this is 0.0.1")

        // One byte of one slice changed: another digest, so another key.
        let slice = try XCTUnwrap(loaded.files.sorted().last)
        var bytes = try XCTUnwrap(FileManager.default.contents(atPath: slice))
        bytes[bytes.count - 1] ^= 1
        try bytes.write(to: URL(fileURLWithPath: slice))
        let changed = MeasurementCache.Key(seriesDigest: try SeriesDigest.of(files: loaded.files))
        XCTAssertNotEqual(changed.seriesDigest, key.seriesDigest)
        XCTAssertNil(try cache.entry(for: changed))
        XCTAssertEqual(cache.staleness(of: series, key: changed),
                       "the stored measurement is stale: the series' files changed since")
    }

    /// The series digest is SHA-256 over name and SHA-256 of contents per file, in name order; the expected value
    /// was computed with Python's hashlib: sha256(b"a" + sha256(b"1").digest() + b"b" + sha256(b"22").digest()).
    func testSeriesDigestMatchesHashlib() throws {
        let root = try temporaryFolder()
        try Data("22".utf8).write(to: URL(fileURLWithPath: root + "/b"))
        try Data("1".utf8).write(to: URL(fileURLWithPath: root + "/a"))
        XCTAssertEqual(try SeriesDigest.of(files: [root + "/b", root + "/a"]),
                       "c42bb2a6dda61d4606c2ad9306211e11fc9fab73982d2d1ccdded1fe26d0eb47")
    }
}
