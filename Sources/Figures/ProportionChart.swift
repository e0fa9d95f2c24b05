import Foundation
import Statistics

/// Bars of a proportion (%) by group with 95 % Wilson score intervals and "k/n" under each bar.
public struct ProportionChart: Chart {
    public struct Group: Sendable {
        public var label: String
        public var count: Int
        public var total: Int
        public init(label: String, count: Int, total: Int) {
            self.label = label
            self.count = count
            self.total = total
        }
    }

    public var groups: [Group]
    public var yLabel: String
    /// Title of the group axis, nil for none.
    public var xLabel: String?
    public var title: String
    public var width: Double
    public var height: Double

    public init(groups: [Group], yLabel: String, xLabel: String? = nil, title: String = "", width: Double = 240,
                height: Double = 200) {
        self.xLabel = xLabel
        self.groups = groups
        self.yLabel = yLabel
        self.title = title
        self.width = width
        self.height = height
    }

    public func draw(_ context: DrawingContext, in rect: Rect) {
        let theme = context.theme
        let high = groups.map { 100 * WilsonInterval(count: $0.count, total: $0.total).upper }.max() ?? 100
        let labels = groups.map { "\($0.label)\n\($0.count)/\($0.total)" }
        let frame = AxesFrame(context: context, rect: rect, title: title.isEmpty ? nil : title, xLabel: xLabel, yLabel: yLabel,
                              xTicks: nil, yTicks: NiceTicks(minimum: 0, maximum: max(high, 1)), categoryLabels: labels)
        frame.drawAxes(context, rect: rect, title: title.isEmpty ? nil : title, xLabel: xLabel, yLabel: yLabel)
        let slot = frame.plot.width / Double(max(1, groups.count))
        for (index, group) in groups.enumerated() {
            let centre = frame.plot.x + (Double(index) + 0.5) * slot
            let percent = group.total > 0 ? 100 * Double(group.count) / Double(group.total) : 0
            let half = min(slot * 0.3, 26)
            let color = theme.palette[index % theme.palette.count]
            context.rectangle(Rect(x: centre - half, y: frame.y(percent), width: 2 * half, height: frame.y(0) - frame.y(percent)),
                              fill: color.withAlpha(0.75))
            let ci = WilsonInterval(count: group.count, total: group.total)
            let low = 100 * ci.lower, high = 100 * ci.upper
            context.line(from: Point(centre, frame.y(low)), to: Point(centre, frame.y(high)), color: theme.text,
                         width: theme.lineWidth)
            for v in [low, high] {
                context.line(from: Point(centre - 3, frame.y(v)), to: Point(centre + 3, frame.y(v)), color: theme.text,
                             width: theme.lineWidth)
            }
            context.text(labels[index], at: Point(centre, frame.plot.maxY + theme.tickLength + 1), anchor: .top)
        }
    }
}
