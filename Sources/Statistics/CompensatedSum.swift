/// Neumaier's compensated summation: the rounding error of each addition is carried along, so sums of
/// many terms of mixed magnitude keep nearly full double precision.
public struct CompensatedSum: Sendable {
    private var sum = 0.0
    private var compensation = 0.0

    public init() {}

    public mutating func add(_ value: Double) {
        let total = sum + value
        if abs(sum) >= abs(value) {
            compensation += (sum - total) + value
        } else {
            compensation += (value - total) + sum
        }
        sum = total
    }

    public var value: Double { sum + compensation }

    /// The compensated sum of a sequence.
    public static func of<S: Sequence>(_ values: S) -> Double where S.Element == Double {
        var accumulator = CompensatedSum()
        for value in values { accumulator.add(value) }
        return accumulator.value
    }
}

/// Mean and sum of squared deviations by two passes over data shifted by their first value, with compensated
/// sums: robust to large constant offsets (NIST StRD "13 constant leading digits").
func meanAndSumOfSquares(_ values: [Double]) -> (mean: Double, sumOfSquares: Double) {
    guard let shift = values.first else { return (.nan, .nan) }
    let shiftedMean = CompensatedSum.of(values.lazy.map { $0 - shift }) / Double(values.count)
    let ss = CompensatedSum.of(values.lazy.map { let d = ($0 - shift) - shiftedMean; return d * d })
    return (shift + shiftedMean, ss)
}
