import Figures
import Foundation
import Imaging
import Measurements
import Report

/// ```` ```{ct-figure id=fig-1 caption="…" series=DIR plane=axial|sagittal|coronal|3d} ```` : a CT series
/// drawn with the rate engine's body and cement masks through the cement centre (or as a 3D view). The
/// measurement comes from the measurement cache named by the front matter's `measurements:` (written by
/// `cement study-ct`); a missing or stale one is an error. The series goes into the provenance as one digest
/// over its files.
struct CTFigureDirective: BlockDirective {
    let name = "ct-figure"
    let allowedOptions: Set<String> = ["id", "caption", "series", "plane", "field"]

    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Block] {
        guard let relative = call.options["series"] else { throw fail(call, context, "{ct-figure} needs series=") }
        let folder = try context.template.resolve(relative, at: call.position)
        let plane = call.options["plane"] ?? "axial"
        guard plane == "3d" || SlicePlane(rawValue: plane) != nil else {
            throw fail(call, context, "plane must be axial, sagittal, coronal or 3d" + suggestion(plane, ["axial", "sagittal", "coronal", "3d"]))
        }
        var fieldOfView = 70.0
        if let field = call.options["field"] {
            guard let value = Double(field), value > 0 else {
                throw fail(call, context, "field must be a positive width in mm, not '\(field)'")
            }
            fieldOfView = value
        }
        guard let cache = context.measurementCache else {
            throw fail(call, context, "{ct-figure} needs 'measurements:' in the front matter: the folder where "
                       + "`cement study-ct --measurements DIR` stores the engine's measurements")
        }
        let measured: StoredMeasurements.Measured
        do { measured = try context.storedMeasurements.measured(folder, cache: cache) } catch {
            throw fail(call, context, "series \(relative): \(error.message)")
        }
        let loaded = measured.series, record = measured.entry.record
        context.inputs.addSeries(folder: folder, fileCount: loaded.files.count, digest: measured.seriesDigest)
        guard let masks = measured.entry.masks.first ?? nil, let level = record.levels.first else {
            throw fail(call, context, "the rate engine found no cemented vertebra in \(relative)")
        }
        let zh = context.template.language == "zh"
        let chart: any Chart
        if plane == "3d" {
            chart = SurfaceFigure(parts: [
                .init(mask: masks.body, color: Color(hex: 0xC8B89A), opacity: 0.3, label: zh ? "椎体" : "vertebral body"),
                .init(mask: masks.cement, color: Color(hex: 0x0072B2), opacity: 1, label: zh ? "骨水泥" : "cement"),
            ], width: 220, height: 200)
        } else {
            let g = loaded.volume.geometry
            let centre = g.index(ofPatientPosition: SIMD3(level.cementCentroidMM[0], level.cementCentroidMM[1], level.cementCentroidMM[2]))
            let index = pointwiseMin(pointwiseMax(SIMD3<Int>(centre.rounded(.toNearestOrEven)), SIMD3(repeating: 0)), g.size &- 1)
            let overlays = [
                SliceOverlayFigure.Overlay(mask: masks.body, color: Color(hex: 0xE69F00), fill: false, outline: true,
                                           label: zh ? "椎体" : "body"),
                SliceOverlayFigure.Overlay(mask: masks.cement, color: Color(hex: 0x56B4E9), fill: true, outline: true,
                                           label: zh ? "骨水泥" : "cement"),
            ]
            chart = SliceOverlayFigure(volume: loaded.volume, overlays: overlays, plane: SlicePlane(rawValue: plane)!,
                                       centre: index, fieldOfView: fieldOfView,
                                       width: 200, height: 200)
        }
        let svg: String
        var drawn = chart
        var text: [String] = []
        do {
            if plane == "3d" {
                // A surface has tens of thousands of triangles: as vector SVG it made the HTML 20 MB, and drawing it
                // again as vectors in the PDF took most of the render, so both get the same 200 dpi raster.
                let rendered = try FigureRenderer.renderWithText(chart, format: .png, dpi: 200)
                let png = rendered.data
                text = rendered.text
                drawn = RasterChart(png: png, width: chart.width, height: chart.height, title: chart.title)
                svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(chart.width)pt\" height=\"\(chart.height)pt\" "
                    + "viewBox=\"0 0 \(chart.width) \(chart.height)\"><image width=\"\(chart.width)\" height=\"\(chart.height)\" "
                    + "href=\"data:image/png;base64,\(png.base64EncodedString())\"/></svg>"
            } else {
                let rendered = try FigureRenderer.renderWithText(chart, format: .svg)
                svg = String(decoding: rendered.data, as: UTF8.self)
                text = rendered.text
            }
        } catch {
            throw fail(call, context, "the figure could not be drawn (\(error))")
        }
        return [.figure(Figure(id: call.options["id"], caption: call.options["caption"].map { [.text($0)] } ?? [],
                               svg: svg, number: nil, chart: drawn, text: text,
                               original: plane == "3d" ? chart : nil))]
    }
}
