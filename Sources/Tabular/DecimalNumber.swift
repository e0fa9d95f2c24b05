/// Numbers as a data file writes them: decimal notation only (`12`, `-0.5`, `3.1e-4`), finite, and small enough
/// that squares and sums of squares stay finite. `Double(_:)` alone would also take `0x1p3` (8), `nan`, `inf`
/// and `1e400` (infinity).
public enum DecimalNumber {
    /// The largest magnitude accepted: 120 squares of it still sum far below `Double.greatestFiniteMagnitude`.
    public static let limit = 1e100

    /// The value of `text`, or what is wrong with it ("'0x1p3' is not a decimal number").
    public static func parse(_ text: String) -> Result<Double, DecimalNumberError> {
        guard isDecimal(text), let value = Double(text) else {
            let lowered = text.lowercased()
            let looksNumeric = lowered.hasPrefix("0x") || lowered.hasPrefix("-0x") || lowered.hasPrefix("+0x")
                || ["nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"].contains(lowered)
            return .failure(DecimalNumberError(description: looksNumeric
                ? "'\(text)' is not a decimal number" : "'\(text)' is not a number"))
        }
        guard value.isFinite, abs(value) <= limit else {
            return .failure(DecimalNumberError(description: "'\(text)' is out of range (at most 1e100 in magnitude)"))
        }
        return .success(value)
    }

    /// Whether `text` is `[+-]digits[.digits][e[+-]digits]` with at least one digit before the exponent.
    static func isDecimal(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        func digits() -> Int {
            let count = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        var mantissa = digits()
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            mantissa += digits()
        }
        guard mantissa > 0 else { return false }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }
}

/// Why a cell is not a usable number.
public struct DecimalNumberError: Error, CustomStringConvertible, Equatable, Sendable {
    public var description: String
}
