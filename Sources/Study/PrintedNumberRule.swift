import Statistics

/// Whether a number as a report prints it stands for the number a paper prints, by the rules `cement verify` uses
/// for reproduced values: a value agrees when it rounds to the published one at the published decimals, and a P
/// when it lies in the interval of P values that print as the published one.
public enum PrintedNumberRule {
    /// `printed` against `published` (both as printed): the printed number must carry at least the published
    /// decimals and lie within half a unit of the published last decimal. Counts (no decimals) must be equal.
    public static func sameNumber(printed: String, published: String) -> (same: Bool, tolerance: String, reason: String?) {
        let plain = printed.replacingOccurrences(of: "−", with: "-")
        guard let value = Double(plain), let target = Double(published) else {
            return (false, "not a number", "'\(printed)' or '\(published)' is not a number")
        }
        let printedDecimals = decimals(of: plain), publishedDecimals = decimals(of: published)
        let half = halfUnit(decimals: publishedDecimals)
        let tolerance = publishedDecimals == 0 ? "exact" : "±" + StatFormat.fixed(half, decimals: publishedDecimals + 1)
        if printedDecimals < publishedDecimals {
            return (false, tolerance, "printed with \(printedDecimals) decimals, the paper prints \(publishedDecimals)")
        }
        let same = abs(value - target) <= half * (1 + 1e-9)
        return (same, tolerance, same ? nil : "differs by \(StatFormat.fixed(abs(value - target), decimals: printedDecimals))")
    }

    /// A printed P (with the value it was printed from) against the published P: the value must lie in the
    /// published interval (as `cement verify` requires) and the printed interval must overlap it.
    public static func sameP(printed: String, value: Double?, published: String) -> (same: Bool, tolerance: String, reason: String?) {
        guard let target = ReportedP(published), let shown = ReportedP(printed) else {
            return (false, "P interval", "'\(printed)' or '\(published)' is not a P value")
        }
        let tolerance = published.contains("<") || published.contains(">") ? published
            : "\(StatFormat.fixed(target.low, decimals: 4))–\(StatFormat.fixed(target.high, decimals: 4))"
        if let value, !target.overlaps(value, value) {
            return (false, tolerance, "the computed P \(StatFormat.fixed(value, decimals: 4)) does not print as \(published)")
        }
        let overlap = min(shown.high, target.high) - max(shown.low, target.low)
        return (overlap > 0, tolerance, overlap > 0 ? nil : "printed as \(printed)")
    }

    private static func decimals(of text: String) -> Int {
        text.split(separator: ".", maxSplits: 1).dropFirst().first?.count ?? 0
    }
}
