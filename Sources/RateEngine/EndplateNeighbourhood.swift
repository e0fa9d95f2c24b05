import Foundation
import Imaging

/// What lies beyond each endplate the segmentation found: beyond a true endplate come a disc and, a disc's height
/// further, the next vertebra's endplate — one ridge in the HU profile; beyond a sclerotic band taken for the
/// endplate come cancellous bone, the true endplate, the disc and the neighbour's endplate — two ridges; beyond a
/// body that leaked through the disc into the neighbour comes the neighbour's cancellous bone — none.
///
/// The profile is the mean over the body's columns (away from its outline and from cement) of the HU along the
/// slice normal, measured outwards from each column's own endplate surface, so that concave and tilted plates
/// line up. A ridge counts when it stands `prominenceHU` above the lower of the valleys on either side of it.
struct EndplateNeighbourhood: Sendable {
    /// The stage's settings, echoed in `parameters.endplate_neighbourhood`.
    struct Parameters: Sendable, Codable, Equatable {
        /// Ridges are counted from this distance beyond the endplate surface (mm): past the endplate's own blurred
        /// flank.
        var fromMM = 1.5
        /// … up to this distance (mm): a thick degenerate disc (about 12 mm) and the next endplate, short of the
        /// neighbour's far endplate (a body's height, 20 mm and more, further on).
        var toMM = 18.0
        /// Least rise (HU) of a ridge above its valleys in the mean profile. The mean over hundreds of columns
        /// leaves little noise; a blurred endplate stands a hundred HU and more above a disc.
        var prominenceHU = 40.0
        /// Fewest columns the mean needs at every distance.
        var minimumColumns = 20

        enum CodingKeys: String, CodingKey {
            case fromMM = "from_mm", toMM = "to_mm", prominenceHU = "prominence_hu", minimumColumns = "minimum_columns"
        }
    }

    /// Ridges found beyond the superior (top, larger slice index) and inferior endplate; nil where the scan, the
    /// cement or the columns leave too little to tell.
    let ridges: (top: Int?, bottom: Int?)

    /// Whether an endplate is not followed by exactly one disc and one neighbouring endplate.
    var isImplausible: Bool { [ridges.top, ridges.bottom].contains { $0 != nil && $0 != 1 } }

    /// - Parameters: `endplates` per column of `box` (mm from its first slice, NaN outside the body), as the
    ///   segmentation gives them; `cementThresholdHU` marks samples that cement hides.
    init(_ volume: HUVolume, box: GridBox, endplates: [SIMD2<Double>], cementThresholdHU: Double, parameters p: Parameters) {
        let g = volume.geometry
        let step = 0.5
        let samples = Int((p.toMM / step).rounded(.up)) + 1
        let (nx, ny) = (box.size.x, box.size.y)
        // Columns two pixels (and at least 2 mm) inside the outline.
        let inset = max(2, Int((2 / min(g.spacing.x, g.spacing.y)).rounded(.up)))
        func inside(_ i: Int, _ j: Int) -> Bool {
            guard i - inset >= 0, j - inset >= 0, i + inset < nx, j + inset < ny else { return false }
            for (a, b) in [(i - inset, j), (i + inset, j), (i, j - inset), (i, j + inset), (i, j)] {
                let e = endplates[b * nx + a]
                guard e.x.isFinite, e.y.isFinite, e.x > e.y else { return false }
            }
            return true
        }
        func ridgeCount(_ side: Int) -> Int? {
            var sum = [Double](repeating: 0, count: samples), count = [Int](repeating: 0, count: samples)
            for j in stride(from: 0, to: ny, by: 2) {
                for i in stride(from: 0, to: nx, by: 2) where inside(i, j) {
                    let e = endplates[j * nx + i]
                    let surface = side > 0 ? e.x : e.y
                    var column = [Double]()
                    column.reserveCapacity(samples)
                    for s in 0..<samples {
                        let z = Double(box.offset.z) + (surface + Double(side) * Double(s) * step) / g.spacing.z
                        guard z >= 0, z <= Double(g.size.z - 1) else { break }
                        let k = min(g.size.z - 2, Int(z.rounded(.down))), t = z - Double(k)
                        let (x, y) = (box.offset.x + i, box.offset.y + j)
                        let value = Double(volume[x, y, k]) * (1 - t) + Double(volume[x, y, min(g.size.z - 1, k + 1)]) * t
                        // Beyond the scanned volume (a resampled grid's padding) nothing is known.
                        guard value > Double(FrameResampler.outsideHU) + 4 else { break }
                        column.append(value)
                    }
                    // Cement anywhere along the column (a leak through the endplate) hides what lies beyond it.
                    guard !column.contains(where: { $0 >= cementThresholdHU }) else { continue }
                    for (s, value) in column.enumerated() {
                        sum[s] += value
                        count[s] += 1
                    }
                }
            }
            guard count.allSatisfy({ $0 >= p.minimumColumns }) else { return nil }
            let mean = zip(sum, count).map { $0 / Double($1) }
            let first = Int((p.fromMM / step).rounded())
            var ridges = 0
            for n in max(1, first)..<(samples - 1) where mean[n] >= mean[n - 1] && mean[n] > mean[n + 1] {
                // Prominence: the ridge over the higher of the lowest points between it and the next higher sample
                // (or the profile's end) on each side.
                var left = mean[n], right = mean[n]
                var a = n - 1
                while a >= 0, mean[a] <= mean[n] { left = min(left, mean[a]); a -= 1 }
                var b = n + 1
                while b < samples, mean[b] <= mean[n] { right = min(right, mean[b]); b += 1 }
                if mean[n] - max(left, right) >= p.prominenceHU { ridges += 1 }
            }
            return ridges
        }
        ridges = (ridgeCount(1), ridgeCount(-1))
    }
}
