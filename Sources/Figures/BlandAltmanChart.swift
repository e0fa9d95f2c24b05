import Foundation
import Statistics

/// Bland–Altman agreement plot of two measurements of the same quantity: difference (a − b) against mean,
/// with the bias and the 95 % limits of agreement (bias ± 1.96 SD), each with its 95 % confidence interval
/// (bias: t·SD/√n; limits: t·SD·√(3/n), Bland & Altman 1986).
public struct BlandAltmanChart: Chart {
    public var a: [Double]
    public var b: [Double]
    public var xLabel: String
    public var yLabel: String
    public var title: String
    public var width: Double
    public var height: Double
    /// Labels of the bias and of the upper and lower limit lines, in the figure's language.
    public var lineLabels: [String]

    public init(a: [Double], b: [Double], xLabel: String, yLabel: String, title: String = "", width: Double = 240,
                height: Double = 200, lineLabels: [String] = ["bias", "+1.96 SD", "−1.96 SD"]) {
        self.lineLabels = lineLabels
        self.a = a
        self.b = b
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.title = title
        self.width = width
        self.height = height
    }

    public struct Agreement: Sendable, Equatable {
        public var bias: Double, sd: Double
        public var lower: Double, upper: Double
        public var biasCI: (Double, Double)
        public var lowerCI: (Double, Double)
        public var upperCI: (Double, Double)
        public var n: Int

        public static func == (l: Agreement, r: Agreement) -> Bool {
            l.bias == r.bias && l.sd == r.sd && l.n == r.n
        }
    }

    public var agreement: Agreement {
        let d = zip(a, b).map { $0 - $1 }
        let summary = Descriptive(d)
        let n = Double(d.count)
        let t = d.count > 1 ? StudentT(df: n - 1).quantile(0.975) : .nan
        let bias = summary.mean, sd = summary.sd
        let lower = bias - 1.96 * sd, upper = bias + 1.96 * sd
        let biasHalf = t * sd / n.squareRoot(), limitHalf = t * sd * (3 / n).squareRoot()
        return Agreement(bias: bias, sd: sd, lower: lower, upper: upper, biasCI: (bias - biasHalf, bias + biasHalf),
                         lowerCI: (lower - limitHalf, lower + limitHalf), upperCI: (upper - limitHalf, upper + limitHalf),
                         n: d.count)
    }

    public func draw(_ context: DrawingContext, in rect: Rect) {
        let theme = context.theme
        let means = zip(a, b).map { ($0 + $1) / 2 }, diffs = zip(a, b).map { $0 - $1 }
        let agreement = self.agreement
        let yLow = min(diffs.min() ?? 0, agreement.lowerCI.0), yHigh = max(diffs.max() ?? 0, agreement.upperCI.1)
        let frame = AxesFrame(context: context, rect: rect, title: title.isEmpty ? nil : title, xLabel: xLabel, yLabel: yLabel,
                              xTicks: NiceTicks(minimum: means.min() ?? 0, maximum: means.max() ?? 1),
                              yTicks: NiceTicks(minimum: yLow, maximum: yHigh))
        frame.drawAxes(context, rect: rect, title: title.isEmpty ? nil : title, xLabel: xLabel, yLabel: yLabel)
        let bands: [((Double, Double), Double, String, Color)] = [
            (agreement.biasCI, agreement.bias, lineLabels[0], theme.palette[0]),
            (agreement.upperCI, agreement.upper, lineLabels[1], theme.palette[5]),
            (agreement.lowerCI, agreement.lower, lineLabels[2], theme.palette[5]),
        ]
        for (ci, value, label, color) in bands {
            context.rectangle(Rect(x: frame.plot.x, y: frame.y(ci.1), width: frame.plot.width, height: frame.y(ci.0) - frame.y(ci.1)),
                              fill: color.withAlpha(0.12))
            context.line(from: Point(frame.plot.x, frame.y(value)), to: Point(frame.plot.maxX, frame.y(value)), color: color,
                         width: 1, dash: label == lineLabels[0] ? [] : [3, 2])
        }
        for (m, d) in zip(means, diffs) {
            context.circle(centre: Point(frame.x(m), frame.y(d)), radius: theme.pointRadius, fill: Color.grey.withAlpha(0.7))
        }
        // The lines' labels last, each on a pale box: drawn under the points, the points crossed them.
        for (_, value, label, color) in bands {
            let text = "\(label) \(StatFormat.fixed(value, decimals: 2).replacingOccurrences(of: "-", with: "−"))"
            let (width, height) = context.measure(text, size: theme.baseSize - 1, bold: false)
            let corner = Point(frame.plot.maxX - 2, frame.y(value) - 1)
            context.rectangle(Rect(x: corner.x - width - 1, y: corner.y - height, width: width + 2, height: height),
                              fill: Color.white.withAlpha(0.85))
            context.text(text, at: corner, anchor: .bottomRight, size: theme.baseSize - 1, color: color)
        }
    }
}
