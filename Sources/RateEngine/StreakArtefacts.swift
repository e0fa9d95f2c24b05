import Imaging

/// Streak artefacts from dense cement: how much more the soft-tissue HU spread in an annulus 25–50 mm around
/// the cement on the slices through it than on the slices of the same box at least 10 mm above or below it.
///
/// Streaks are bands of a few tens of HU radiating from the cement across otherwise uniform soft tissue; the
/// excess spread √(s² − s₀²) (robust SDs, MAD × 1.4826, of voxels between −20 and 120 HU) is about their amplitude
/// at 35 mm over √2, with noise and anatomy common to both slice sets cancelling.
enum StreakArtefacts {
    /// The excess spread in HU, or nil when either slice set holds too few soft-tissue voxels.
    static func excessSpread(_ volume: HUVolume, box: GridBox, cementCentre: SIMD3<Double>, cementSlices: ClosedRange<Int>)
        -> Double?
    {
        let g = volume.geometry
        let margin = Int((10 / g.spacing.z).rounded(.up))
        // A robust spread needs no more than one voxel per millimetre in-plane.
        let step = max(1, Int(1 / min(g.spacing.x, g.spacing.y)))
        // Soft-tissue HU are whole numbers in a narrow window: counted in a histogram, whose median is exact.
        var through = [Int](repeating: 0, count: 141), away = through
        for k in box.offset.z..<(box.offset.z + box.size.z) {
            let isThrough = cementSlices.contains(k)
            guard isThrough || k < cementSlices.lowerBound - margin || k > cementSlices.upperBound + margin else { continue }
            for j in stride(from: box.offset.y, to: box.offset.y + box.size.y, by: step) {
                let dy = (Double(j) - cementCentre.y) * g.spacing.y
                for i in stride(from: box.offset.x, to: box.offset.x + box.size.x, by: step) {
                    let dx = (Double(i) - cementCentre.x) * g.spacing.x
                    let r2 = dx * dx + dy * dy
                    guard r2 >= 625, r2 <= 2500 else { continue }
                    let value = volume[i, j, k]
                    guard value >= -20, value <= 120 else { continue }
                    if isThrough { through[Int(value) + 20] += 1 } else { away[Int(value) + 20] += 1 }
                }
            }
        }
        guard through.reduce(0, +) >= 200, away.reduce(0, +) >= 200 else { return nil }
        let s = robustSpread(through), s0 = robustSpread(away)
        return max(0, s * s - s0 * s0).squareRoot()
    }

    /// MAD × 1.4826 of the values counted in `histogram` (bin b holds the value b − 20).
    private static func robustSpread(_ histogram: [Int]) -> Double {
        func median(_ counts: [(value: Double, count: Int)]) -> Double {
            let sorted = counts.filter { $0.count > 0 }.sorted { $0.value < $1.value }
            let total = sorted.reduce(0) { $0 + $1.count }
            var seen = 0
            for entry in sorted {
                seen += entry.count
                if 2 * seen >= total { return entry.value }
            }
            return .nan
        }
        let values = histogram.indices.map { (value: Double($0 - 20), count: histogram[$0]) }
        let centre = median(values)
        return median(values.map { (abs($0.value - centre), $0.count) }) * 1.4826
    }
}
