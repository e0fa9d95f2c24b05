import CementCore
import Crypto
import Foundation
import Imaging
import RateEngine

/// Rate-engine measurements stored once, with their masks, so that reports and figures never run the engine.
///
/// An entry is keyed by the SHA-256 of the series' content (`SeriesDigest`), `RateEngine.version` and the
/// engine's `Parameters` (and a user body mask's digest, when one replaced the segmentation): a changed CT,
/// engine or parameter misses exactly that entry. Layout: `FOLDER/KEY/measurement.json` (levels, geometry,
/// what the key was made of, the series folder) and `level-N-body.rle`, `level-N-cement.rle` (`MaskRunLength`).
/// An entry appears whole or not at all (`AtomicFolderOutput`, `measurement.json` last).
///
/// Use: `let key = MeasurementCache.Key(seriesDigest: try SeriesDigest.of(files: loaded.files))`, then
/// `try cache.entry(for: key)` (nil when missing), or `try cache.store(result, geometry:, key:, seriesFolder:)`.
public struct MeasurementCache: Sendable {
    /// The cache's folder.
    public let folder: String

    public init(folder: String) {
        self.folder = folder
    }

    /// What a measurement depends on.
    public struct Key: Sendable, Equatable, Codable {
        public var seriesDigest: String
        public var engineVersion: String
        public var parameters: RateEngine.Parameters
        /// SHA-256 of a user's body mask file, when it replaced the engine's segmentation.
        public var bodyMaskDigest: String?

        public init(seriesDigest: String, engineVersion: String = RateEngine.version,
                    parameters: RateEngine.Parameters = .init(), bodyMaskDigest: String? = nil) {
            self.seriesDigest = seriesDigest
            self.engineVersion = engineVersion
            self.parameters = parameters
            self.bodyMaskDigest = bodyMaskDigest
        }

        enum CodingKeys: String, CodingKey {
            case seriesDigest = "series_sha256", engineVersion = "engine_version", parameters,
                 bodyMaskDigest = "body_mask_sha256"
        }

        /// The entry's folder name: SHA-256 of the key's canonical JSON.
        public var name: String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            // Encoding strings, numbers and optionals cannot fail.
            let json = (try? encoder.encode(self)) ?? Data()
            return SeriesDigest.hex(SHA256.hash(data: json))
        }
    }

    /// Masks of one level on the series grid: the body (1 inside), the cement (1 inside the body, 2 outside).
    public struct Masks: Sendable {
        public var body: LabelVolume
        public var cement: LabelVolume
    }

    /// A stored measurement.
    public struct Entry: Sendable {
        public var record: Record
        /// Per level, in the order of `record.levels`; nil for a level without a body (`body_not_found`).
        public var masks: [Masks?]
    }

    /// The JSON part of an entry.
    public struct Record: Sendable, Codable {
        public var key: Key
        public var levels: [LevelMeasurement]
        public var geometry: VolumeGeometry
        /// The series folder measured, as given when storing (for naming a stale entry).
        public var seriesFolder: String

        enum CodingKeys: String, CodingKey {
            case key, levels, geometry, seriesFolder = "series_folder"
        }
    }

    static let recordName = "measurement.json"

    /// The entry for `key`; nil when there is none.
    public func entry(for key: Key) throws(MeasurementCacheError) -> Entry? {
        let entryFolder = (folder as NSString).appendingPathComponent(key.name)
        let recordPath = (entryFolder as NSString).appendingPathComponent(Self.recordName)
        guard FileManager.default.fileExists(atPath: recordPath) else { return nil }
        let record = try Self.readRecord(recordPath)
        var masks: [Masks?] = []
        for level in record.levels {
            guard level.vertebralBodyML != nil else {
                masks.append(nil)
                continue
            }
            func mask(_ part: String) throws(MeasurementCacheError) -> LabelVolume {
                let path = (entryFolder as NSString).appendingPathComponent("level-\(level.levelIndex)-\(part).rle")
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw MeasurementCacheError(file: path, "missing from the cache entry")
                }
                return LabelVolume(geometry: record.geometry,
                                   voxels: try MaskRunLength.decode(data, count: record.geometry.count, file: path))
            }
            masks.append(Masks(body: try mask("body"), cement: try mask("cement")))
        }
        return Entry(record: record, masks: masks)
    }

    /// Stores a measurement made with masks (`RateEngine.measure(_:withMasks: true)`) of the series in
    /// `seriesFolder` under `key`, replacing an entry of the same key.
    public func store(_ result: RateEngine.Result, geometry: VolumeGeometry, key: Key,
                      seriesFolder: String) throws(MeasurementCacheError) {
        // Every level with a body has masks; a level whose body was not found has none.
        let masked = Set(result.masks.map(\.levelIndex))
        guard result.levels.allSatisfy({ $0.vertebralBodyML == nil || masked.contains($0.levelIndex) }) else {
            throw MeasurementCacheError(file: seriesFolder, "the measurement has no masks to store (measure withMasks: true)")
        }
        let record = Record(key: key, levels: result.levels, geometry: geometry, seriesFolder: seriesFolder)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json: Data
        do { json = try encoder.encode(record) } catch {
            throw MeasurementCacheError(file: seriesFolder, "the measurement cannot be stored (\(error))")
        }
        var output = AtomicFolderOutput(folder: (folder as NSString).appendingPathComponent(key.name))
        for masks in result.masks {
            output.add("level-\(masks.levelIndex)-body.rle", MaskRunLength.encode(masks.body.voxels))
            output.add("level-\(masks.levelIndex)-cement.rle", MaskRunLength.encode(masks.cement.voxels))
        }
        output.add(Self.recordName, json)
        do { try output.commit() } catch { throw MeasurementCacheError(file: error.path, error.message) }
    }

    /// Why no entry matches `key` for the series in `seriesFolder`, when an entry of that folder exists under
    /// another key ("the series' files changed", another engine version or other parameters); nil when the
    /// folder was never measured.
    public func staleness(of seriesFolder: String, key: Key) -> String? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return nil }
        let wanted = (seriesFolder as NSString).standardizingPath
        for name in names.sorted() where name != key.name {
            let path = ((folder as NSString).appendingPathComponent(name) as NSString).appendingPathComponent(Self.recordName)
            guard let record = try? Self.readRecord(path),
                  (record.seriesFolder as NSString).standardizingPath == wanted else { continue }
            var reasons: [String] = []
            if record.key.seriesDigest != key.seriesDigest { reasons.append("the series' files changed since") }
            if record.key.engineVersion != key.engineVersion {
                reasons.append("it was made by rate engine \(record.key.engineVersion), this is \(key.engineVersion)")
            }
            if record.key.parameters != key.parameters { reasons.append("it was made with other engine parameters") }
            if record.key.bodyMaskDigest != key.bodyMaskDigest { reasons.append("it was made with another body mask") }
            return "the stored measurement is stale: " + reasons.joined(separator: "; ")
        }
        return nil
    }

    static func readRecord(_ path: String) throws(MeasurementCacheError) -> Record {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MeasurementCacheError(file: path, "cannot read the file")
        }
        do { return try JSONDecoder().decode(Record.self, from: data) } catch {
            throw MeasurementCacheError(file: path, "not a measurement record (\(error))")
        }
    }
}
