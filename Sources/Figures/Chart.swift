import CCairo
import Foundation
import Imaging

/// Anything that draws itself into a rectangle: charts and CT figures.
public protocol Chart: Sendable {
    /// Natural size in points.
    var width: Double { get }
    var height: Double { get }
    /// Title used as PDF metadata and alt text.
    var title: String { get }
    /// Draws into `rect` of the context.
    func draw(_ context: DrawingContext, in rect: Rect)
}

/// Turns charts into PNG, SVG or PDF files, deterministically.
public enum FigureRenderer {
    /// Largest PNG canvas, in pixels (100 M: 400 MB of ARGB), and largest side in pixels or points (cairo's own
    /// limit is 32 767).
    public static let maximumPixels = 100_000_000.0
    public static let maximumSide = 32_767.0

    /// Encodes a chart; `dpi` applies to PNG only.
    public static func render(_ chart: some Chart, format: FigureFormat, dpi: Double = 300,
                              theme: FigureTheme = .standard) throws(ImagingError) -> Data {
        try renderWithText(chart, format: format, dpi: dpi, theme: theme).data
    }

    /// Encodes a chart and returns the texts it drew (labels, ticks, legends), in drawing order.
    public static func renderWithText(_ chart: some Chart, format: FigureFormat, dpi: Double = 300,
                                      theme: FigureTheme = .standard) throws(ImagingError) -> (data: Data, text: [String]) {
        let scale = format == .png ? dpi / 72 : 1
        let wide = chart.width * scale, high = chart.height * scale
        guard wide.isFinite, high.isFinite, wide >= 1, high >= 1, wide <= maximumSide, high <= maximumSide,
              format != .png || wide * high <= maximumPixels else {
            throw ImagingError(file: chart.title.isEmpty ? "figure" : chart.title,
                               "a \(format.rawValue) canvas of \(wide) × \(high) \(format == .png ? "pixels" : "points") "
                               + "is beyond the limit (\(Int(maximumSide)) per side, \(Int(maximumPixels / 1e6)) M pixels)")
        }
        let canvas = CairoCanvas(format: format, width: chart.width, height: chart.height, dpi: dpi, title: chart.title)
        let context = DrawingContext(cairo: canvas.context, theme: theme)
        chart.draw(context, in: Rect(x: 0, y: 0, width: chart.width, height: chart.height))
        return (try canvas.finish(), context.drawnText)
    }

    /// Writes a chart to `path` (format from the extension), atomically.
    public static func write(_ chart: some Chart, to path: String, dpi: Double = 300) throws(ImagingError) {
        guard let format = FigureFormat(path: path) else {
            throw ImagingError(file: path, "unknown figure format: use .png, .svg or .pdf")
        }
        try AtomicFile.write(try render(chart, format: format, dpi: dpi), to: path, as: ImagingError.self)
    }
}

/// The frame of an x–y chart: plot area, axes with ticks and labels, axis titles, optional grid.
struct AxesFrame {
    var plot: Rect
    var x: LinearScale
    var y: LinearScale
    var xTicks: NiceTicks?
    var yTicks: NiceTicks

    /// Lays out the plot area inside `rect`, leaving room for tick labels and titles.
    init(context: DrawingContext, rect: Rect, title: String?, xLabel: String?, yLabel: String,
         xTicks: NiceTicks?, yTicks: NiceTicks, categoryLabels: [String] = [], legendRows: Int = 0) {
        let theme = context.theme
        let yLabelWidth = yTicks.values.map { context.measure(yTicks.label($0)).0 }.max() ?? 0
        let lineHeight = context.measure("0").1
        let titleHeight = title.map { context.measure($0, size: theme.titleSize, bold: true).1 + 4 } ?? 0
        let xTickHeight = categoryLabels.isEmpty ? lineHeight : (categoryLabels.map { context.measure($0).1 }.max() ?? 0)
        let left = theme.padding + lineHeight + 4 + yLabelWidth + theme.tickLength + 2
        let bottom = theme.padding + (xLabel == nil ? 0 : lineHeight + 3) + xTickHeight + theme.tickLength + 2
        let legendHeight = Double(legendRows) * (lineHeight + 2) + (legendRows > 0 ? 2 : 0)
        plot = rect.inset(left: left, top: theme.padding + titleHeight + legendHeight + lineHeight / 2,
                          right: theme.padding + 4, bottom: bottom)
        self.xTicks = xTicks
        self.yTicks = yTicks
        x = LinearScale(domain: (xTicks?.lower ?? 0, xTicks?.upper ?? 1), range: (plot.x, plot.maxX))
        y = LinearScale(domain: (yTicks.lower, yTicks.upper), range: (plot.maxY, plot.y))
    }

    func drawAxes(_ context: DrawingContext, rect: Rect, title: String?, xLabel: String?, yLabel: String,
                  grid: Bool = true) {
        let theme = context.theme
        if grid {
            for value in yTicks.values {
                context.line(from: Point(plot.x, y(value)), to: Point(plot.maxX, y(value)), color: theme.grid, width: 0.5)
            }
        }
        context.line(from: Point(plot.x, plot.maxY), to: Point(plot.maxX, plot.maxY), color: theme.text, width: theme.axisWidth)
        context.line(from: Point(plot.x, plot.y), to: Point(plot.x, plot.maxY), color: theme.text, width: theme.axisWidth)
        for value in yTicks.values {
            let py = y(value)
            context.line(from: Point(plot.x - theme.tickLength, py), to: Point(plot.x, py), color: theme.text,
                         width: theme.axisWidth)
            context.text(yTicks.label(value), at: Point(plot.x - theme.tickLength - 2, py), anchor: .right)
        }
        if let xTicks {
            for value in xTicks.values {
                let px = x(value)
                context.line(from: Point(px, plot.maxY), to: Point(px, plot.maxY + theme.tickLength), color: theme.text,
                             width: theme.axisWidth)
                context.text(xTicks.label(value), at: Point(px, plot.maxY + theme.tickLength + 1), anchor: .top)
            }
        }
        if let xLabel {
            context.text(xLabel, at: Point(plot.x + plot.width / 2, rect.maxY - theme.padding), anchor: .bottom)
        }
        context.text(yLabel, at: Point(rect.x + theme.padding, plot.y + plot.height / 2), anchor: .top,
                     rotation: Double.pi / 2)
        if let title {
            context.text(title, at: Point(rect.x + theme.padding, rect.y + theme.padding), anchor: .topLeft,
                         size: theme.titleSize, bold: true)
        }
    }

    /// Vertical centre of reserved row `row` (0 = nearest the plot) above the plot area.
    func rowCentre(_ context: DrawingContext, row: Int) -> Double {
        let lineHeight = context.measure("Ag").1
        return plot.y - lineHeight / 2 - 2 - (Double(row) + 0.5) * (lineHeight + 2)
    }

    /// Draws a legend in a row reserved above the plot area (see `legendRows`), where it cannot cover data.
    func drawLegendRow(_ context: DrawingContext, entries: [(String, Color)], row: Int = 0) {
        let theme = context.theme
        var x = plot.x
        let y = rowCentre(context, row: row)
        for (label, color) in entries {
            context.circle(centre: Point(x + 4, y), radius: theme.pointRadius + 0.6, fill: color)
            let box = context.text(label, at: Point(x + 10, y), anchor: .left)
            x = box.maxX + 12
        }
    }
}
