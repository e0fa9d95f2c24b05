import Imaging
import RateEngine

/// Measures one case with the rate engine; an unreadable series or body mask becomes a failed `CaseResult`
/// rather than stopping the batch.
public enum CaseMeasurement {
    public static func measure(_ item: BatchCase, parameters: RateEngine.Parameters) -> CaseResult {
        let loaded: LoadedSeries
        do {
            // The series is chosen with the engine's own cement threshold, as `cement rate --cement-hu` chooses it.
            var selection = SeriesSelection.Parameters()
            selection.cementThresholdHU = parameters.cementThresholdHU
            loaded = try SeriesLoader().select(paths: [item.path], parameters: selection).series
        } catch {
            return CaseResult(caseID: item.id, status: .failed, error: "\(error)")
        }
        return measure(item, loaded: loaded, parameters: parameters)
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
