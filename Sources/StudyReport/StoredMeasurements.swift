import Foundation
import Imaging
import Measurements

/// The series a report draws, each loaded once per render with its measurement from the measurement cache, so
/// that two figures of one series (axial and 3D, say) read its files once — and the rate engine never runs.
final class StoredMeasurements: @unchecked Sendable {
    struct Measured {
        let series: LoadedSeries
        let seriesDigest: String
        let entry: MeasurementCache.Entry
    }

    /// Why a series has no usable measurement, in words for the template's author.
    struct Missing: Error {
        let message: String
    }

    private let lock = NSLock()
    private var loaded: [String: (LoadedSeries, String)] = [:]

    /// The series in `folder` and its stored measurement; `Missing` says what is missing or stale and the
    /// command that makes it.
    func measured(_ folder: String, cache: MeasurementCache) throws(Missing) -> Measured {
        lock.lock()
        defer { lock.unlock() }
        let series: LoadedSeries, digest: String
        if let known = loaded[folder] {
            (series, digest) = known
        } else {
            do {
                series = try SeriesLoader().load(paths: [folder])
                digest = try SeriesDigest.of(files: series.files)
            } catch {
                throw Missing(message: "\(error)")
            }
            loaded[folder] = (series, digest)
        }
        let key = MeasurementCache.Key(seriesDigest: digest)
        let entry: MeasurementCache.Entry?
        do { entry = try cache.entry(for: key) } catch { throw Missing(message: "\(error)") }
        guard let entry else {
            let why = cache.staleness(of: folder, key: key)
                ?? "no measurement stored in \(cache.folder) for rate engine \(key.engineVersion) with its default parameters"
            throw Missing(message: "\(why); measure it with `cement study-ct --measurements \(cache.folder)` "
                          + "or `cement rate \(folder) --measurements \(cache.folder)`")
        }
        return Measured(series: series, seriesDigest: digest, entry: entry)
    }
}
