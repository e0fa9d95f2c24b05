import Foundation

/// Numbers read from text, centred in exact decimal arithmetic before they become doubles.
///
/// A value such as 1000000000000.4 is not representable in binary to better than about 1e-4, which destroys
/// the small deviations a variance is made of. Subtracting a common offset while the values are still
/// decimal (Foundation's `Decimal`, 38 significant digits) keeps those digits; location-invariant statistics
/// (variances, ANOVA, t, correlation) are then computed on the deviations.
public struct DecimalCentring: Sendable {
    /// The offset subtracted (the first value), as text.
    public let offset: String
    /// Each value minus the offset.
    public let deviations: [Double]

    /// Returns nil if any string is not a decimal number.
    public init?(_ texts: [String]) {
        var decimals: [Decimal] = []
        for text in texts {
            guard let value = Decimal(string: text.trimmingCharacters(in: .whitespaces), locale: Locale(identifier: "en_US_POSIX")) else {
                return nil
            }
            decimals.append(value)
        }
        let reference = decimals.first ?? 0
        offset = "\(reference)"
        deviations = decimals.map { NSDecimalNumber(decimal: $0 - reference).doubleValue }
    }

    /// Centres several groups on one common offset (the first value of the first group).
    public static func groups(_ texts: [[String]]) -> [[Double]]? {
        guard let all = DecimalCentring(texts.flatMap { $0 }) else { return nil }
        var result: [[Double]] = []
        var start = 0
        for group in texts {
            result.append(Array(all.deviations[start..<(start + group.count)]))
            start += group.count
        }
        return result
    }
}
