extension Collection where Element: BinaryFloatingPoint {
    /// The median: the middle value, or the mean of the two middle values of an even count; nil when empty.
    /// (R's `median`, and `quantile(type = 7)` at 0.5.)
    public func median() -> Element? {
        guard !isEmpty else { return nil }
        let sorted = self.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
