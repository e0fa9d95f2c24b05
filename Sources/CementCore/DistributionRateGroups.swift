/// The study's three distribution-rate groups.
public enum DRGroup: String, Codable, Sendable, CaseIterable, Comparable {
    case low, medium, high

    public static func < (a: DRGroup, b: DRGroup) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Limits of the DR groups as the study defines them: low ≤ 10 %, medium between, high ≥ 20 % (configurable).
public struct DistributionRateGroups: Sendable, Codable, Equatable {
    /// Largest DR (%) of the low group.
    public var lowMaximum: Double = 10
    /// Smallest DR (%) of the high group.
    public var highMinimum: Double = 20
    public init() {}

    enum CodingKeys: String, CodingKey {
        case lowMaximum = "low_maximum_percent", highMinimum = "high_minimum_percent"
    }

    /// The group of a DR (%).
    public func group(_ rate: Double) -> DRGroup {
        rate <= lowMaximum ? .low : (rate >= highMinimum ? .high : .medium)
    }
}
