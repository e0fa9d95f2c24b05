import Figures
import Foundation
import Imaging
import Measurements
import RateEngine
import Registry
import Report

/// A QC-flagged level's overlay thumbnail: the axial CT slice through the cement centroid with the body outline and
/// the cement, drawn from what ingest stored — the measurement cache's masks (keyed by the registry's series hash,
/// engine version and parameters) over the series folder the cache names. The rate engine never runs; a missing
/// or stale entry is a sentence in the report in place of the picture.
struct AuditQCThumbnail {
    /// The picture, or why there is none.
    enum Drawn {
        case figure(Figure)
        case missing(String)
    }

    var cache: MeasurementCache
    var zh: Bool

    func draw(_ item: RegisteredCase, _ level: RegisteredLevel, caption: String) -> Drawn {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf",
                                                                        nan: "nan")
        guard let parameters = try? decoder.decode(RateEngine.Parameters.self, from: Data(level.parametersJSON.utf8)) else {
            return .missing(missing(item, level, "the registry's engine parameters cannot be read"))
        }
        let key = MeasurementCache.Key(seriesDigest: item.seriesSHA256, engineVersion: level.engineVersion,
                                       parameters: parameters)
        let entry: MeasurementCache.Entry?
        do { entry = try cache.entry(for: key) } catch { return .missing(missing(item, level, "\(error)")) }
        guard let entry else {
            return .missing(missing(item, level, "no measurement stored in \(cache.folder) for this series, rate engine "
                                    + "\(level.engineVersion) and its parameters (ingest with --measurements \(cache.folder), "
                                    + "or --remeasure)"))
        }
        guard entry.record.levels.indices.contains(level.levelIndex), entry.masks.indices.contains(level.levelIndex) else {
            return .missing(missing(item, level, "the stored measurement has no level \(level.levelIndex + 1)"))
        }
        guard let masks = entry.masks[level.levelIndex] else {
            return .missing(missing(item, level, "no body was found at level \(level.levelIndex + 1), so it has no outline to draw"))
        }
        let loaded: LoadedSeries
        do {
            var selection = SeriesSelection.Parameters()
            selection.cementThresholdHU = parameters.cementThresholdHU
            loaded = try SeriesLoader().select(paths: [entry.record.seriesFolder], parameters: selection).series
        } catch {
            return .missing(missing(item, level, "its series cannot be read (\(error))"))
        }
        // The folder may hold other files now than when it was measured: then the masks do not fit its CT.
        guard (try? SeriesDigest.of(files: loaded.files)) == item.seriesSHA256 else {
            return .missing(missing(item, level, "the stored measurement is stale: the series' files changed since ingest"))
        }
        let centroid = entry.record.levels[level.levelIndex].cementCentroidMM
        let g = loaded.volume.geometry
        let centre = g.index(ofPatientPosition: SIMD3(centroid[0], centroid[1], centroid[2]))
        let index = pointwiseMin(pointwiseMax(SIMD3<Int>(centre.rounded(.toNearestOrEven)), SIMD3(repeating: 0)), g.size &- 1)
        let chart = SliceOverlayFigure(volume: loaded.volume, overlays: [
            .init(mask: masks.body, color: Color(hex: 0xE69F00), fill: false, outline: true, label: zh ? "椎体" : "body"),
            .init(mask: masks.cement, color: Color(hex: 0x56B4E9), fill: true, outline: true, label: zh ? "骨水泥" : "cement"),
        ], plane: .axial, centre: index, fieldOfView: 70, width: 140, height: 140)
        do {
            let rendered = try FigureRenderer.renderWithText(chart, format: .svg)
            return .figure(Figure(id: nil, caption: [.text(caption)], svg: String(decoding: rendered.data, as: UTF8.self),
                                  number: nil, chart: chart, text: rendered.text))
        } catch {
            return .missing(missing(item, level, "the thumbnail could not be drawn (\(error))"))
        }
    }

    private func missing(_ item: RegisteredCase, _ level: RegisteredLevel, _ why: String) -> String {
        zh ? "病例 \(item.caseID) \(item.levelName(level.levelIndex)) 无缩略图：\(why)。"
            : "No thumbnail for case \(item.caseID) \(item.levelName(level.levelIndex)): \(why)."
    }
}
