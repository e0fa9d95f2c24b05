import Foundation
import Imaging
import RateEngine

/// Series loaded and measured once per render, so two figures of the same series (axial and 3D, say) do not
/// read the files and run the rate engine twice.
final class MeasuredSeriesCache: @unchecked Sendable {
    struct Entry {
        let series: LoadedSeries
        let result: RateEngine.Result
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]

    func measured(_ folder: String) throws(ImagingError) -> Entry {
        lock.lock()
        defer { lock.unlock() }
        if let entry = entries[folder] { return entry }
        let series = try SeriesLoader().load(paths: [folder])
        let entry = Entry(series: series, result: RateEngine().measure(series.volume, withMasks: true))
        entries[folder] = entry
        return entry
    }
}
