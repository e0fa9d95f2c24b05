import Foundation

/// Mean ± SD of each group across time points, groups dodged slightly so their bars do not overlap.
public struct TimeCourseChart: Chart {
    public struct Series: Sendable {
        public var label: String
        public var means: [Double]
        public var sds: [Double]
        public init(label: String, means: [Double], sds: [Double]) {
            self.label = label
            self.means = means
            self.sds = sds
        }
    }

    public var timepoints: [String]
    public var series: [Series]
    public var yLabel: String
    public var title: String
    public var width: Double
    public var height: Double

    public init(timepoints: [String], series: [Series], yLabel: String, title: String = "", width: Double = 240,
                height: Double = 200) {
        self.timepoints = timepoints
        self.series = series
        self.yLabel = yLabel
        self.title = title
        self.width = width
        self.height = height
    }

    public func draw(_ context: DrawingContext, in rect: Rect) {
        let theme = context.theme
        let low = series.flatMap { zip($0.means, $0.sds).map { $0 - $1 } }.min() ?? 0
        let high = series.flatMap { zip($0.means, $0.sds).map { $0 + $1 } }.max() ?? 1
        let frame = AxesFrame(context: context, rect: rect, title: title.isEmpty ? nil : title, xLabel: nil,
                              yLabel: yLabel, xTicks: nil, yTicks: NiceTicks(minimum: low, maximum: high),
                              categoryLabels: timepoints, legendRows: 1)
        frame.drawAxes(context, rect: rect, title: title.isEmpty ? nil : title, xLabel: nil, yLabel: yLabel)
        let slot = frame.plot.width / Double(max(1, timepoints.count))
        for (index, label) in timepoints.enumerated() {
            context.text(label, at: Point(frame.plot.x + (Double(index) + 0.5) * slot, frame.plot.maxY + theme.tickLength + 1),
                         anchor: .top)
        }
        let dodge = min(8, slot / Double(series.count + 2))
        for (s, line) in series.enumerated() {
            let color = theme.palette[s % theme.palette.count]
            let offset = (Double(s) - Double(series.count - 1) / 2) * dodge
            let points = line.means.indices.map { Point(frame.plot.x + (Double($0) + 0.5) * slot + offset, frame.y(line.means[$0])) }
            context.polyline(points, color: color, width: theme.lineWidth)
            for (i, point) in points.enumerated() {
                let top = frame.y(line.means[i] + line.sds[i]), bottom = frame.y(line.means[i] - line.sds[i])
                context.line(from: Point(point.x, top), to: Point(point.x, bottom), color: color, width: theme.lineWidth)
                context.line(from: Point(point.x - 2, top), to: Point(point.x + 2, top), color: color, width: theme.lineWidth)
                context.line(from: Point(point.x - 2, bottom), to: Point(point.x + 2, bottom), color: color, width: theme.lineWidth)
                context.circle(centre: point, radius: theme.pointRadius + 0.4, fill: color)
            }
        }
        frame.drawLegendRow(context, entries: series.enumerated().map {
            ($0.element.label, theme.palette[$0.offset % theme.palette.count])
        })
    }
}
