import Imaging
import RateEngine

/// Measures one case with the rate engine; an unreadable series or body mask becomes a failed `CaseResult`
/// rather than stopping the batch.
public enum CaseMeasurement {
    public static func measure(_ item: BatchCase, parameters: RateEngine.Parameters) -> CaseResult {
        do {
            // The series is chosen with the engine's own cement threshold, as `cement rate --cement-hu` chooses it.
            var selection = SeriesSelection.Parameters()
            selection.cementThresholdHU = parameters.cementThresholdHU
            let loaded = try SeriesLoader().select(paths: [item.path], parameters: selection).series
            var engine = RateEngine()
            engine.parameters = parameters
            if let mask = item.bodyMask {
                engine.bodyMask = try BodyMask(contentsOf: mask, label: item.label, matching: loaded.volume.geometry)
            }
            let result = engine.measure(loaded.volume, sliceThicknessMM: loaded.sliceThickness)
            let levels = try result.levels.map { try FlatFields.of($0) }
            return CaseResult(caseID: item.id, status: .measured, seriesUID: loaded.uid, levels: levels)
        } catch {
            return CaseResult(caseID: item.id, status: .failed, error: "\(error)")
        }
    }
}
