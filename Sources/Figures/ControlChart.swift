import Foundation
import Statistics

/// A p-chart (`PChart`) over periods: the proportion of each period as a point joined by a line, the centre line
/// p̄, and each period's 3σ control limits as steps; points outside their limits are drawn as red diamonds. The
/// count "k/n" is written under each period's label.
public struct ControlChart: Chart {
    public var chart: PChart
    /// One label per subgroup (period).
    public var labels: [String]
    public var yLabel: String
    /// Legend entries: the proportion, the centre line, the limits.
    public var legend: (proportion: String, centre: String, limits: String)
    public var title: String
    public var width: Double
    public var height: Double

    public init(chart: PChart, labels: [String], yLabel: String,
                legend: (proportion: String, centre: String, limits: String) = ("proportion", "centre p̄", "3σ limits"),
                title: String = "", width: Double = 320, height: Double = 190) {
        self.chart = chart
        self.labels = labels
        self.yLabel = yLabel
        self.legend = legend
        self.title = title
        self.width = width
        self.height = height
    }

    public func draw(_ context: DrawingContext, in rect: Rect) {
        let theme = context.theme
        let groups = chart.subgroups
        let highest = groups.flatMap { [$0.upper, $0.total > 0 ? $0.proportion : 0] }.filter(\.isFinite).max() ?? 0
        let categoryLabels = zip(labels, groups).map { "\($0)\n\($1.count)/\($1.total)" }
        let frame = AxesFrame(context: context, rect: rect, title: title.isEmpty ? nil : title, xLabel: nil, yLabel: yLabel,
                              xTicks: nil, yTicks: NiceTicks(minimum: 0, maximum: max(100 * highest, 1)),
                              categoryLabels: categoryLabels, legendRows: 1)
        frame.drawAxes(context, rect: rect, title: title.isEmpty ? nil : title, xLabel: nil, yLabel: yLabel)
        let slot = frame.plot.width / Double(max(1, groups.count))
        func x(_ index: Int) -> Double { frame.plot.x + (Double(index) + 0.5) * slot }
        let pointColor = theme.palette[4 % theme.palette.count], limitColor = theme.palette[5 % theme.palette.count]
        let signal = Color(hex: 0xD55E00)
        context.line(from: Point(frame.plot.x, frame.y(100 * chart.centre)), to: Point(frame.plot.maxX, frame.y(100 * chart.centre)),
                     color: theme.text, width: theme.lineWidth)
        for (index, group) in groups.enumerated() where group.lower.isFinite {
            let left = x(index) - slot / 2, right = x(index) + slot / 2
            for limit in [group.lower, group.upper] {
                context.line(from: Point(left, frame.y(100 * limit)), to: Point(right, frame.y(100 * limit)),
                             color: limitColor, width: theme.lineWidth, dash: [3, 2])
            }
        }
        let points = groups.enumerated().filter { $0.element.total > 0 }
            .map { Point(x($0.offset), frame.y(100 * $0.element.proportion)) }
        context.polyline(points, color: pointColor, width: theme.lineWidth)
        for (index, group) in groups.enumerated() {
            context.text(categoryLabels[index], at: Point(x(index), frame.plot.maxY + theme.tickLength + 1), anchor: .top)
            guard group.total > 0 else { continue }
            let centre = Point(x(index), frame.y(100 * group.proportion))
            if group.isOutOfControl {
                context.diamond(centre: centre, radius: theme.pointRadius + 1.4, fill: signal)
            } else {
                context.circle(centre: centre, radius: theme.pointRadius + 0.6, fill: pointColor)
            }
        }
        frame.drawLegendRow(context, entries: [(legend.proportion, pointColor), (legend.centre, theme.text),
                                               (legend.limits, limitColor)])
    }
}
