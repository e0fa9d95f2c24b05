import Foundation

/// Maps a data interval onto a drawing interval linearly.
public struct LinearScale: Sendable, Equatable {
    public var domain: (Double, Double)
    public var range: (Double, Double)

    public init(domain: (Double, Double), range: (Double, Double)) {
        self.domain = domain
        self.range = range
    }

    public func callAsFunction(_ value: Double) -> Double {
        let span = domain.1 - domain.0
        let t = span == 0 ? 0.5 : (value - domain.0) / span
        return range.0 + t * (range.1 - range.0)
    }

    public static func == (a: LinearScale, b: LinearScale) -> Bool {
        a.domain == b.domain && a.range == b.range
    }
}

/// Axis ticks at "nice" values: steps of 1, 2, 2.5 or 5 times a power of ten, about `target` of them, with
/// the axis extended to the ticks that enclose the data.
public struct NiceTicks: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var step: Double

    public init(minimum: Double, maximum: Double, target: Int = 5) {
        var low = minimum, high = maximum
        if !(low.isFinite && high.isFinite) { (low, high) = (0, 1) }
        if high < low { swap(&low, &high) }
        if high == low {
            let pad = low == 0 ? 1 : abs(low) * 0.1
            (low, high) = (low - pad, high + pad)
        }
        let rough = (high - low) / Double(max(1, target))
        let magnitude = pow(10, floor(log10(rough)))
        var best = 10 * magnitude
        for multiplier in [1.0, 2.0, 2.5, 5.0, 10.0] where multiplier * magnitude >= rough {
            best = multiplier * magnitude
            break
        }
        step = best
        lower = floor(low / step + 1e-9) * step
        upper = ceil(high / step - 1e-9) * step
    }

    /// Tick values from lower to upper.
    public var values: [Double] {
        let count = Int(((upper - lower) / step).rounded())
        return (0...count).map { Self.clean(lower + Double($0) * step) }
    }

    /// Decimals needed to print every tick exactly.
    public var decimals: Int {
        var decimals = 0
        while decimals < 6 {
            let scaled = step * pow(10, Double(decimals))
            if abs(scaled - scaled.rounded()) < 1e-6 { break }
            decimals += 1
        }
        return decimals
    }

    public func label(_ value: Double) -> String {
        let text = String(format: "%.\(decimals)f", value)
        // A true minus sign reads better in print than a hyphen.
        return text.hasPrefix("-") ? "−" + text.dropFirst() : text
    }

    /// Removes floating-point noise such as 0.30000000000000004.
    static func clean(_ value: Double) -> Double { (value * 1e9).rounded() / 1e9 }
}
