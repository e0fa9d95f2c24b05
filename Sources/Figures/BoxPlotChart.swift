import Foundation
import Statistics

/// Box plot of a variable by group, every observation shown as a jittered point (also vertically, within ±0.2,
/// for a whole-number variable whose values tie).
///
/// Boxes span the first to third quartile (R's type 7, as `Descriptive`) with the median; whiskers reach the
/// most extreme observations within 1.5 IQR of the box (Tukey); observations beyond are drawn as open
/// circles. A diamond marks the mean, and n is printed under each box.
public struct BoxPlotChart: Chart {
    public struct Group: Sendable {
        public var label: String
        public var values: [Double]
        public init(label: String, values: [Double]) {
            self.label = label
            self.values = values
        }
    }

    /// The statistics a box is drawn from.
    public struct BoxStatistics: Sendable, Equatable {
        public var q1: Double, median: Double, q3: Double
        public var lowerWhisker: Double, upperWhisker: Double
        public var mean: Double
        public var outliers: [Double]

        public init(_ values: [Double]) {
            let d = Descriptive(values)
            let (low, high) = (d.q1 - 1.5 * (d.q3 - d.q1), d.q3 + 1.5 * (d.q3 - d.q1))
            let inside = values.filter { $0 >= low && $0 <= high }
            q1 = d.q1
            median = d.median
            q3 = d.q3
            mean = d.mean
            lowerWhisker = inside.min() ?? d.q1
            upperWhisker = inside.max() ?? d.q3
            outliers = values.filter { $0 < low || $0 > high }.sorted()
        }
    }

    public var groups: [Group]
    public var yLabel: String
    /// Title of the group axis ("DR group"), nil for none.
    public var xLabel: String?
    public var title: String
    public var width: Double
    public var height: Double

    public init(groups: [Group], yLabel: String, xLabel: String? = nil, title: String = "", width: Double = 240,
                height: Double = 200) {
        self.groups = groups
        self.yLabel = yLabel
        self.xLabel = xLabel
        self.title = title
        self.width = width
        self.height = height
    }

    /// Horizontal offset in [−½, ½) of the i-th point's jitter: the golden-ratio sequence, deterministic and
    /// evenly spread.
    static func jitter(_ index: Int) -> Double {
        let value = Double(index) * 0.6180339887498949
        return value - value.rounded(.down) - 0.5
    }

    /// Vertical jitter, in units of the value, of the i-th point of a whole-number variable: whole numbers (a
    /// VAS) tie so often that the points would pile onto a few lines; a spread of ±0.2 (the plastic-number
    /// sequence, deterministic and independent of the horizontal one) shows how many share a value without
    /// moving any point nearer to another value than to its own.
    static func verticalJitter(_ index: Int) -> Double {
        let value = Double(index) * 0.7548776662466927
        return (value - value.rounded(.down) - 0.5) * 0.4
    }

    public func draw(_ context: DrawingContext, in rect: Rect) {
        let theme = context.theme
        let all = groups.flatMap(\.values)
        // Room for the vertical jitter of whole numbers, so no point falls below the axis.
        let pad = all.allSatisfy { $0 == $0.rounded() } ? 0.25 : 0
        let ticks = NiceTicks(minimum: (all.min() ?? 0) - pad, maximum: (all.max() ?? 1) + pad)
        let labels = groups.map { "\($0.label)\nn=\($0.values.count)" }
        let frame = AxesFrame(context: context, rect: rect, title: title.isEmpty ? nil : title, xLabel: xLabel,
                              yLabel: yLabel, xTicks: nil, yTicks: ticks, categoryLabels: labels)
        frame.drawAxes(context, rect: rect, title: title.isEmpty ? nil : title, xLabel: xLabel, yLabel: yLabel)
        let slot = frame.plot.width / Double(max(1, groups.count))
        for (index, group) in groups.enumerated() where !group.values.isEmpty {
            let centre = frame.plot.x + (Double(index) + 0.5) * slot
            let color = theme.palette[index % theme.palette.count]
            let box = BoxStatistics(group.values)
            let half = min(slot * 0.28, 28)
            context.line(from: Point(centre, frame.y(box.lowerWhisker)), to: Point(centre, frame.y(box.q1)),
                         color: theme.text, width: theme.lineWidth)
            context.line(from: Point(centre, frame.y(box.q3)), to: Point(centre, frame.y(box.upperWhisker)),
                         color: theme.text, width: theme.lineWidth)
            for whisker in [box.lowerWhisker, box.upperWhisker] {
                context.line(from: Point(centre - half / 2, frame.y(whisker)), to: Point(centre + half / 2, frame.y(whisker)),
                             color: theme.text, width: theme.lineWidth)
            }
            context.rectangle(Rect(x: centre - half, y: frame.y(box.q3), width: 2 * half,
                                   height: frame.y(box.q1) - frame.y(box.q3)),
                              fill: color.withAlpha(0.18), stroke: theme.text, width: theme.lineWidth)
            context.line(from: Point(centre - half, frame.y(box.median)), to: Point(centre + half, frame.y(box.median)),
                         color: theme.text, width: 1.4 * theme.lineWidth)
            let outliers = Set(box.outliers)
            let whole = group.values.allSatisfy { $0 == $0.rounded() }
            for (i, value) in group.values.enumerated() {
                let point = Point(centre + Self.jitter(i) * half * 1.6, frame.y(value + (whole ? Self.verticalJitter(i) : 0)))
                if outliers.contains(value) {
                    context.circle(centre: point, radius: theme.pointRadius + 0.4, fill: nil, stroke: color, width: 0.8)
                } else {
                    context.circle(centre: point, radius: theme.pointRadius, fill: color.withAlpha(0.55))
                }
            }
            context.diamond(centre: Point(centre, frame.y(box.mean)), radius: 2.6, fill: .white, stroke: theme.text,
                            width: 0.8)
            context.text(labels[index], at: Point(centre, frame.plot.maxY + theme.tickLength + 1), anchor: .top)
        }
    }
}
