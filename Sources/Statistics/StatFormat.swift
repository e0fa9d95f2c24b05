import Foundation

/// Numbers as clinical journals print them.
public enum StatFormat {
    /// A value with a fixed number of decimals ("−0.0" printed as "0.0").
    public static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "NA" : (value > 0 ? "∞" : "−∞") }
        let text = String(format: "%.\(decimals)f", value)
        return Double(text) == 0 ? String(format: "%.\(decimals)f", 0.0) : text
    }

    /// "x̄±s" with the study's decimals, e.g. "74.3±5.7".
    public static func meanSD(_ mean: Double, _ sd: Double, decimals: Int) -> String {
        fixed(mean, decimals: decimals) + "±" + fixed(sd, decimals: decimals)
    }

    /// "n (%)", e.g. "4 (10.0)".
    public static func countPercent(_ count: Int, of total: Int, decimals: Int = 1) -> String {
        "\(count) (\(fixed(total > 0 ? 100 * Double(count) / Double(total) : .nan, decimals: decimals)))"
    }

    /// A P value as a sentence states it: "P = 0.035", "P < 0.001", with no-break spaces so that a line
    /// never breaks inside it.
    public static func pStatement(_ p: Double) -> String {
        let text = self.p(p)
        return text.hasPrefix("<") ? "P\u{00A0}<\u{00A0}" + text.dropFirst() : "P\u{00A0}=\u{00A0}" + text
    }

    /// A number with a true minus sign (U+2212) instead of the hyphen-minus, as journals print negative values.
    public static func typographic(_ text: String) -> String { text.replacingOccurrences(of: "-", with: "−") }

    /// A P value: "<0.001" below 0.001, otherwise three decimals.
    public static func p(_ p: Double) -> String {
        guard p.isFinite else { return "NA" }
        return p < 0.001 ? "<0.001" : fixed(p, decimals: 3)
    }
}
