import ArgumentParser
import Figures
import Foundation
import Study
import Tabular
import Imaging
import Phantom
import RateEngine

/// `cement figure`: charts from data, CT overlays from a series.
struct FigureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "figure",
        abstract: "Draw study figures: charts from a spec and CSV, or CT slice overlays and 3D views.",
        subcommands: [ChartFigureCommand.self, OverlayFigureCommand.self],
        defaultSubcommand: ChartFigureCommand.self
    )
}

/// `cement figure [chart] SPEC --data CSV --out FILE`.
struct ChartFigureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chart",
        abstract: "Draw a chart from a JSON spec and a CSV file into PNG, SVG or PDF.",
        discussion: """
            The spec names the kind (boxplot, scatter, timecourse, proportion, bland-altman), the columns \
            and the labels, e.g.
              {"kind": "boxplot", "value": "cement_ml", "group": "dr_group",
               "levels": ["low", "medium", "high"], "y_label": "Cement volume (ml)"}
            Optional: title, x_label, level_labels, width_mm, height_mm (default 85 × 70 mm).
            The output format follows the file extension; PNG is rendered at --dpi. The same inputs give \
            byte-identical files.

            Example:
              cement figure box.json --data cohort.csv --out figures/cement-box.svg
            """
    )

    @Argument(help: "Figure spec (JSON).", completion: .file()) var spec: String
    @Option(help: "CSV file with a header row.", completion: .file()) var data: String
    @Option(help: "Output file: .png, .svg or .pdf.", completion: .file()) var out: String
    @Option(help: "Resolution of PNG output.") var dpi: Double = 300

    func validate() throws {
        guard FigureFormat(path: out) != nil else { throw ValidationError("--out must end in .png, .svg or .pdf") }
        guard (36...2400).contains(dpi) else { throw ValidationError("--dpi must be 36–2400") }
    }

    func run() throws {
        let specData: Data
        do { specData = try Data(contentsOf: URL(fileURLWithPath: spec)) } catch {
            throw CommandFailure(message: "\(spec): cannot read the file")
        }
        let figure: FigureSpec
        do { figure = try FigureSpec.read(specData) } catch {
            throw CommandFailure(message: "\(spec): \(error.description)")
        }
        let table = try DataTable(CSVTable(path: data))
        do {
            let chart = try figure.chart(table)
            try FigureRenderer.write(chart, to: out, dpi: dpi)
        } catch let error as FigureSpecError {
            throw CommandFailure(message: "\(data): \(error.description)")
        }
        Terminal.note("wrote \(out)")
    }
}

/// `cement figure overlay SERIES --out FILE`: a CT slice with the body and cement masks, or a 3D view.
struct OverlayFigureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overlay",
        abstract: "Draw a CT slice through the cement with body and cement masks (or a 3D view with --surface).",
        discussion: """
            Without masks the rate engine segments the series (as the report's ct-figure does) and the level \
            with the most cement is drawn. Masks may instead come from NIfTI label maps on the series' grid \
            (--body-mask, --cement-mask: e.g. from 3D Slicer, ITK-SNAP or TotalSegmentator), or, for a phantom, \
            from the truth.json next to the series (--truth). The cut passes through the cement centroid. \
            --window-level and --window-width set the grey scale (--level and --width are deprecated spellings).

            Examples:
              cement figure overlay scan/ --out scan-axial.png
              cement figure overlay scan/ --plane sagittal --window-level 300 --window-width 1500 --out scan-sagittal.pdf
              cement figure overlay scan/ --truth --surface --out scan-3d.png
              cement figure overlay scan/ --body-mask masks/level-1-body.nii.gz --cement-mask masks/level-1-cement.nii.gz --out qc.pdf
            """
    )

    @Argument(help: "Series folder.", completion: .directory) var series: String
    @Option(help: "Output file: .png, .svg or .pdf.", completion: .file()) var out: String
    @Option(help: "Plane: axial, sagittal or coronal.") var plane: String = "axial"
    @Option(help: "Window level of the grey scale (HU; default 400).") var windowLevel: Double?
    @Option(help: "Window width of the grey scale (HU; default 1800).") var windowWidth: Double?
    @Option(name: .customLong("level"), help: .hidden) var deprecatedLevel: Double?
    @Option(name: .customLong("width"), help: .hidden) var deprecatedWidth: Double?
    @Flag(help: "Draw the phantom's true masks (truth.json next to the series) instead of the engine's.") var truth = false
    @Option(help: "Cement threshold of the engine in HU.") var cementHu: Double = 1000
    @Option(help: "Side of the region shown, in mm.") var fieldOfView: Double = 80
    @Flag(help: "Draw a 3D view of body and cement instead of a slice.") var surface = false
    @Option(help: "Draw a grid of this many slices across the body instead of one (QC montage).") var montage: Int?
    @Option(help: "Resolution of PNG output.") var dpi: Double = 300
    @Option(help: "NIfTI label map of the vertebral body.", completion: .file()) var bodyMask: String?
    @Option(help: "Label of the body in --body-mask (default: any non-zero).") var bodyLabel: Int?
    @Option(help: "NIfTI label map of the cement (non-zero = cement).", completion: .file()) var cementMask: String?

    func validate() throws {
        guard FigureFormat(path: out) != nil else { throw ValidationError("--out must end in .png, .svg or .pdf") }
        guard (bodyMask == nil) == (cementMask == nil) else {
            throw ValidationError("give both --body-mask and --cement-mask, or neither")
        }
        guard SlicePlane(rawValue: plane) != nil else { throw ValidationError("--plane must be axial, sagittal or coronal") }
        guard width > 0 else { throw ValidationError("--window-width must be positive") }
        if windowLevel != nil && deprecatedLevel != nil || windowWidth != nil && deprecatedWidth != nil {
            throw ValidationError("give --window-level/--window-width, not their deprecated spellings --level/--width as well")
        }
        if truth && bodyMask != nil { throw ValidationError("give --truth or the masks, not both") }
        guard (300...4000).contains(cementHu) else { throw ValidationError("--cement-hu must be 300–4000") }
        if let montage, !(2...36).contains(montage) { throw ValidationError("--montage must be 2–36") }
    }

    private var level: Double { windowLevel ?? deprecatedLevel ?? 400 }
    private var width: Double { windowWidth ?? deprecatedWidth ?? 1800 }

    /// A label map on the series grid, reduced to 0/1 (or kept as labels when `label` is nil).
    private func readMask(_ path: String, label: Int?, grid: VolumeGeometry) throws -> LabelVolume {
        var mask = try NIfTIReader.readLabels(path)
        guard mask.geometry.matches(grid, tolerance: 0.1) else {
            throw CommandFailure(message: "\(path): the mask's grid (\(mask.geometry.size.x)×\(mask.geometry.size.y)×"
                                 + "\(mask.geometry.size.z)) does not coincide with the series within 0.1 mm")
        }
        mask.geometry = grid
        if let label { mask.voxels = mask.voxels.map { Int($0) == label ? 1 : 0 } }
        return mask
    }

    func run() throws {
        if deprecatedLevel != nil { Terminal.warning("--level is deprecated here; use --window-level") }
        if deprecatedWidth != nil { Terminal.warning("--width is deprecated here; use --window-width") }
        let loaded = try SeriesLoader().load(paths: [series])
        let body: LabelVolume, cement: LabelVolume, caption: String
        if let bodyMask, let cementMask {
            body = try readMask(bodyMask, label: bodyLabel, grid: loaded.volume.geometry)
            cement = try readMask(cementMask, label: nil, grid: loaded.volume.geometry)
            caption = ""
        } else if !truth {
            var engine = RateEngine()
            engine.cementThresholdHU = cementHu
            let result = engine.measure(loaded.volume, sliceThicknessMM: loaded.sliceThickness, withMasks: true)
            guard let masks = result.masks.first, let main = result.levels.first else {
                throw CommandFailure(message: "\(series): the rate engine found no cement at or above \(Int(cementHu)) HU "
                                     + "(give masks with --body-mask and --cement-mask)", code: ExitCode.checkFailed)
            }
            (body, cement) = (masks.body, masks.cement)
            caption = "engine DR " + (main.distributionRatePercent.map { String(format: "%.1f %%", $0) } ?? "n/a")
            Terminal.note("\(series): rate engine \(RateEngine.version), level with the most cement: " + caption)
        } else {
            let truthPath = series + "/" + PhantomGenerator.truthFileName
            guard FileManager.default.fileExists(atPath: truthPath) else {
                throw CommandFailure(message: "\(series): --truth needs the phantom's " + PhantomGenerator.truthFileName)
            }
            let truth = try PhantomGenerator.readTruth(truthPath)
            (body, cement) = SpineModel(truth.parameters).masks(on: loaded.volume.geometry)
            caption = "\(truth.caseID) (synthetic), DR \(String(format: "%.1f", truth.distributionRatePercent)) %"
        }
        if surface {
            let parts = [SurfaceFigure.Part(mask: body, color: Color(hex: 0xC8B89A), opacity: 0.3, label: "vertebral body"),
                         SurfaceFigure.Part(mask: cement, color: Color(hex: 0x0072B2), opacity: 1, label: "cement")]
            try FigureRenderer.write(SurfaceFigure(parts: parts, title: caption), to: out, dpi: dpi)
        } else {
            var centroid = SIMD3<Double>(), count = 0.0
            let g = cement.geometry
            for k in 0..<g.size.z { for j in 0..<g.size.y { for i in 0..<g.size.x where cement[i, j, k] != 0 && body[i, j, k] != 0 {
                centroid += SIMD3(Double(i), Double(j), Double(k))
                count += 1
            } } }
            guard count > 0 else { throw CommandFailure(message: "\(series): no cement inside the body") }
            let centre = SIMD3<Int>((centroid / count).rounded(.toNearestOrEven))
            let overlays = [
                SliceOverlayFigure.Overlay(mask: body, color: Color(hex: 0xE69F00), fill: false, outline: true, label: "body"),
                SliceOverlayFigure.Overlay(mask: cement, color: Color(hex: 0x56B4E9), fill: true, outline: true, label: "cement"),
            ]
            let slicePlane = SlicePlane(rawValue: plane)!
            if let montage {
                // Spread the cuts over the body's extent along the plane's normal.
                let axis = slicePlane == .axial ? 2 : (slicePlane == .sagittal ? 0 : 1)
                var low = Int.max, high = Int.min
                for k in 0..<g.size.z { for j in 0..<g.size.y { for i in 0..<g.size.x where body[i, j, k] != 0 {
                    let index = [i, j, k][axis]
                    low = min(low, index)
                    high = max(high, index)
                } } }
                let figure = SliceMontageFigure(volume: loaded.volume, overlays: overlays, plane: slicePlane, centre: centre,
                                                range: low...high, count: montage, fieldOfView: fieldOfView, title: caption)
                try FigureRenderer.write(figure, to: out, dpi: dpi)
            } else {
                let figure = SliceOverlayFigure(volume: loaded.volume, overlays: overlays, plane: slicePlane, centre: centre,
                                                windowLevel: level, windowWidth: width, fieldOfView: fieldOfView,
                                                title: caption)
                try FigureRenderer.write(figure, to: out, dpi: dpi)
            }
        }
        Terminal.note("wrote \(out)")
    }
}
