import Foundation
import Statistics

/// Scatter plot of y against x with the least-squares line, its 95 % confidence band and the Pearson
/// correlation (r, P, n) printed in the plot; points optionally coloured by group.
public struct ScatterChart: Chart {
    public var x: [Double]
    public var y: [Double]
    /// Group label per point (for colour), or nil.
    public var groups: [String]?
    public var groupOrder: [String]
    public var xLabel: String
    public var yLabel: String
    public var title: String
    public var width: Double
    public var height: Double

    public init(x: [Double], y: [Double], groups: [String]? = nil, groupOrder: [String] = [], xLabel: String,
                yLabel: String, title: String = "", width: Double = 240, height: Double = 200) {
        self.x = x
        self.y = y
        self.groups = groups
        self.groupOrder = groupOrder.isEmpty ? Array(NSOrderedSet(array: groups ?? []).array as! [String]) : groupOrder
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.title = title
        self.width = width
        self.height = height
    }

    /// "r = −0.333, P < 0.001, n = 120", or nil when the correlation is undefined.
    public var annotation: String? {
        guard let r = try? PearsonCorrelation(x, y) else { return nil }
        let p = StatFormat.p(r.p)
        return "r = \(StatFormat.fixed(r.r, decimals: 3).replacingOccurrences(of: "-", with: "−")), "
            + "P \(p.hasPrefix("<") ? "< " + p.dropFirst() : "= " + p), n = \(r.n)"
    }

    public func draw(_ context: DrawingContext, in rect: Rect) {
        let theme = context.theme
        let xt = NiceTicks(minimum: x.min() ?? 0, maximum: x.max() ?? 1)
        let integerY = y.allSatisfy { $0 == $0.rounded() }
        // Room for the vertical jitter of whole numbers, so no point falls below the axis.
        let pad = integerY ? 0.25 : 0
        let yt = NiceTicks(minimum: (y.min() ?? 0) - pad, maximum: (y.max() ?? 1) + pad)
        let frame = AxesFrame(context: context, rect: rect, title: title.isEmpty ? nil : title, xLabel: xLabel,
                              yLabel: yLabel, xTicks: xt, yTicks: yt,
                              legendRows: (groups == nil ? 0 : 1) + (annotation == nil ? 0 : 1))
        frame.drawAxes(context, rect: rect, title: title.isEmpty ? nil : title, xLabel: xLabel, yLabel: yLabel)
        context.save()
        context.clip(to: frame.plot)
        if let fit = try? LinearRegression(x: x, y: y) {
            let steps = 60
            var upper: [Point] = [], lower: [Point] = []
            for i in 0...steps {
                let xv = xt.lower + (xt.upper - xt.lower) * Double(i) / Double(steps)
                let band = fit.meanBand(at: xv)
                upper.append(Point(frame.x(xv), frame.y(band.high)))
                lower.append(Point(frame.x(xv), frame.y(band.low)))
            }
            context.polygon(upper + lower.reversed(), fill: theme.palette[0].withAlpha(0.15))
            context.line(from: Point(frame.x(xt.lower), frame.y(fit.intercept + fit.slope * xt.lower)),
                         to: Point(frame.x(xt.upper), frame.y(fit.intercept + fit.slope * xt.upper)),
                         color: theme.palette[0], width: 1.2)
        }
        context.restore()
        // Points are not clipped: values on the axis limits stay whole circles. Whole-number y values (a VAS)
        // would fall on a few lines hiding one another: they are jittered vertically by up to a quarter of a
        // point (deterministically) and drawn more transparent.
        for i in x.indices {
            let shift = integerY ? BoxPlotChart.jitter(i) * 0.5 : 0
            let point = Point(frame.x(x[i]), frame.y(y[i] + shift))
            let groupIndex = groups.flatMap { groupOrder.firstIndex(of: $0[i]) } ?? 0
            let color = groups == nil ? Color.grey : theme.palette[groupIndex % theme.palette.count]
            context.circle(centre: point, radius: theme.pointRadius, fill: color.withAlpha(integerY ? 0.45 : 0.7))
        }
        // The legend and the correlation share the row above the plot, where they cover no data.
        if groups != nil {
            frame.drawLegendRow(context, entries: groupOrder.enumerated().map {
                ($0.element, theme.palette[$0.offset % theme.palette.count])
            })
        }
        if let annotation {
            context.text(annotation, at: Point(frame.plot.x, frame.rowCentre(context, row: groups == nil ? 0 : 1)),
                         anchor: .left)
        }
    }
}
