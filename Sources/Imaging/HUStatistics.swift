/// Minimum, maximum and mean of a HU volume's voxels.
public struct HUStatistics: Sendable {
    public var minimum: Int16
    public var maximum: Int16
    public var mean: Double

    public init(_ voxels: [Int16]) {
        var low = Int16.max, high = Int16.min
        // An Int64 sum is exact for any realistic volume (2^47 voxels at the Int16 extreme).
        var sum: Int64 = 0
        for value in voxels {
            low = min(low, value)
            high = max(high, value)
            sum += Int64(value)
        }
        minimum = voxels.isEmpty ? 0 : low
        maximum = voxels.isEmpty ? 0 : high
        mean = voxels.isEmpty ? 0 : Double(sum) / Double(voxels.count)
    }
}
