import Imaging
import Measurements
import RateEngine

/// Measures one case with the rate engine; an unreadable series or body mask becomes a failed `CaseResult`
/// rather than stopping the batch.
public enum CaseMeasurement {
    /// With a `cache`, the measurement and its masks are stored there too (keyed by the series' content, the
    /// engine and `parameters`, and the body mask's content when one is given), for reports and figures to read.
    public static func measure(_ item: BatchCase, parameters: RateEngine.Parameters, cache: MeasurementCache? = nil)
        -> CaseResult
    {
        let loaded: LoadedSeries
        do {
            // The series is chosen with the engine's own cement threshold, as `cement rate --cement-hu` chooses it.
            var selection = SeriesSelection.Parameters()
            selection.cementThresholdHU = parameters.cementThresholdHU
            loaded = try SeriesLoader().select(paths: [item.path], parameters: selection).series
        } catch {
            return CaseResult(caseID: item.id, status: .failed, error: "\(error)")
        }
        guard let cache else { return measure(item, loaded: loaded, parameters: parameters) }
        return measure(item, loaded: loaded, parameters: parameters, withMasks: true) { result in
            let key = MeasurementCache.Key(seriesDigest: try SeriesDigest.of(files: loaded.files), parameters: parameters,
                                           bodyMaskDigest: try item.bodyMask.map { path throws in try SeriesDigest.of(files: [path]) })
            try cache.store(result, geometry: loaded.volume.geometry, key: key, seriesFolder: item.path)
        }
    }

    /// Measures a series already loaded (the audit's ingest has scanned it to identify it, and does not scan it
    /// twice). `keep`, when given, gets the engine's result (with masks when `withMasks`) before the levels are
    /// flattened — the audit stores it in its measurement cache; an error it throws fails the case.
    public static func measure(_ item: BatchCase, loaded: LoadedSeries, parameters: RateEngine.Parameters,
                               withMasks: Bool = false,
                               keep: ((RateEngine.Result) throws -> Void)? = nil) -> CaseResult {
        do {
            var engine = RateEngine()
            engine.parameters = parameters
            if let mask = item.bodyMask {
                engine.bodyMask = try BodyMask(contentsOf: mask, label: item.label, matching: loaded.volume.geometry)
            }
            let result = engine.measure(loaded.volume, sliceThicknessMM: loaded.sliceThickness, withMasks: withMasks)
            try keep?(result)
            let levels = try result.levels.map { try FlatFields.of($0) }
            return CaseResult(caseID: item.id, status: .measured, seriesUID: loaded.uid, levels: levels)
        } catch {
            return CaseResult(caseID: item.id, status: .failed, error: "\(error)")
        }
    }
}
