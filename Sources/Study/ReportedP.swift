/// A P value as a paper prints it: "<0.001", "0.035", "<0.05", ">0.05"; the interval of true values that
/// print that way.
public struct ReportedP: Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var low: Double
    public var high: Double

    public init?(_ text: String) {
        let trimmed = text.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "P", with: "")
            .replacingOccurrences(of: "=", with: "")
        self.text = text
        if trimmed.hasPrefix("<"), let bound = Double(trimmed.dropFirst()) {
            (low, high) = (0, bound)
        } else if trimmed.hasPrefix(">"), let bound = Double(trimmed.dropFirst()) {
            (low, high) = (bound, 1)
        } else if let value = Double(trimmed) {
            let decimals = trimmed.split(separator: ".").dropFirst().first?.count ?? 0
            let half = halfUnit(decimals: decimals)
            (low, high) = (max(0, value - half), min(1, value + half))
        } else {
            return nil
        }
    }

    public var description: String { text }

    /// Whether some P in [a, b] prints as this value.
    public func overlaps(_ a: Double, _ b: Double) -> Bool { b >= low && a <= high }

    /// Whether the printed value says significant at 0.05.
    public var significant: Bool { high <= 0.05 }
}

/// Half a unit in the last of `decimals` printed decimals: how far a true value can lie from what prints.
func halfUnit(decimals: Int) -> Double { 0.5 * pow10(-decimals) }

func pow10(_ exponent: Int) -> Double {
    var value = 1.0
    for _ in 0..<abs(exponent) { value *= 10 }
    return exponent >= 0 ? value : 1 / value
}
