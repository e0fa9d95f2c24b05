import Imaging

/// A vertebral-body mask the user already has (TotalSegmentator `vertebrae_*`/`vertebrae_body`, a 3D Slicer or
/// ITK-SNAP label map), used instead of the automatic body segmentation.
///
/// Each cemented level takes, within its search box, the 6-connected part of the label's voxels that holds the
/// most cement: a mask with every vertebral body under one label (TotalSegmentator's `vertebrae_body`) still
/// gives each level its own body, since discs separate them. Voxels count whole (a label map has no partial
/// occupancy), so the body volume is the mask's labelmap volume.
public struct BodyMask: Sendable {
    /// Labels on the series grid.
    public var labels: LabelVolume
    /// The treated body's label; nil takes, for each level, the non-zero label holding most of its cement.
    public var label: UInt8?

    /// A label map already on the series grid.
    public init(labels: LabelVolume, label: UInt8?) {
        self.labels = labels
        self.label = label
    }

    /// Reads a NIfTI label map and puts it on the series grid `geometry`. Throws, naming `path`, when its voxels
    /// are not the series' voxels (axis order and direction may differ) or `label` does not occur in it.
    public init(contentsOf path: String, label: Int?, matching geometry: VolumeGeometry) throws(ImagingError) {
        let read = try NIfTIReader.readLabels(path)
        guard let aligned = read.reindexed(onto: geometry) else {
            throw ImagingError(file: path, "the body mask's voxel grid does not match the series (mask: "
                               + read.geometry.summary + "; series: " + geometry.summary + ")")
        }
        var present = [Bool](repeating: false, count: 256)
        for value in aligned.voxels { present[Int(value)] = true }
        let labels = (1...255).filter { present[$0] }
        guard !labels.isEmpty else { throw ImagingError(file: path, "the body mask is empty (no non-zero voxel)") }
        if let label {
            guard (1...255).contains(label), present[label] else {
                throw ImagingError(file: path, "label \(label) does not occur in the body mask (labels present: "
                                   + labels.map(String.init).joined(separator: ", ") + ")")
            }
        }
        self.init(labels: aligned, label: label.map { UInt8($0) })
    }

    /// The body on a level's box: the label (given, or the one most seeds fall in) and its 6-connected component
    /// with the most seeds; nil when no seed lies in a labelled voxel.
    func body(on grid: GridBox, seeds: Mask) -> (body: BodySegmentation, label: UInt8)? {
        let (nx, ny, nz) = (grid.size.x, grid.size.y, grid.size.z)
        var values = [UInt8](repeating: 0, count: grid.count)
        var seedCounts = [Int](repeating: 0, count: 256)
        for k in 0..<nz {
            for j in 0..<ny {
                for i in 0..<nx {
                    let n = grid.index(i, j, k), p = SIMD3(i, j, k) &+ grid.offset
                    values[n] = labels[p.x, p.y, p.z]
                    if seeds.bits[n] { seedCounts[Int(values[n])] += 1 }
                }
            }
        }
        let chosen: UInt8
        if let label {
            chosen = label
        } else {
            guard let best = (1...255).max(by: { (seedCounts[$0], -$0) < (seedCounts[$1], -$1) }) else { return nil }
            chosen = UInt8(best)
        }
        guard seedCounts[Int(chosen)] > 0 else { return nil }
        // Flood the label's components from their seeds, keeping the one that holds the most seeds.
        var component = [Int32](repeating: 0, count: grid.count)
        var best: (label: Int32, seeds: Int) = (0, 0)
        var queue: [Int] = []
        var next: Int32 = 0
        for start in 0..<grid.count where seeds.bits[start] && values[start] == chosen && component[start] == 0 {
            next += 1
            component[start] = next
            queue.removeAll(keepingCapacity: true)
            queue.append(start)
            var head = 0, held = 0
            while head < queue.count {
                let n = queue[head]
                head += 1
                if seeds.bits[n] { held += 1 }
                let i = n % nx, j = (n / nx) % ny, k = n / (nx * ny)
                for (di, dj, dk) in [(-1, 0, 0), (1, 0, 0), (0, -1, 0), (0, 1, 0), (0, 0, -1), (0, 0, 1)] {
                    let a = i + di, b = j + dj, c = k + dk
                    guard a >= 0, b >= 0, c >= 0, a < nx, b < ny, c < nz else { continue }
                    let m = grid.index(a, b, c)
                    if values[m] == chosen, component[m] == 0 {
                        component[m] = next
                        queue.append(m)
                    }
                }
            }
            if held > best.seeds { best = (next, held) }
        }
        var low = grid.size, high = SIMD3<Int>(repeating: -1)
        for n in component.indices where component[n] == best.label {
            let p = SIMD3(n % nx, (n / nx) % ny, n / grid.plane)
            low = pointwiseMin(low, p)
            high = pointwiseMax(high, p)
        }
        var occupancy = Occupancy(box: grid, low: low, high: high)
        var footprint = [Bool](repeating: false, count: nx * ny)
        var count = 0, touches = false
        for k in 0..<nz {
            for j in 0..<ny {
                for i in 0..<nx where component[grid.index(i, j, k)] == best.label {
                    occupancy[i, j, k] = 1
                    footprint[j * nx + i] = true
                    count += 1
                    if i == 0 || j == 0 || k == 0 || i == nx - 1 || j == ny - 1 || k == nz - 1 { touches = true }
                }
            }
        }
        let area = Double(footprint.filter { $0 }.count) * grid.spacing.x * grid.spacing.y
        return (BodySegmentation(occupancy: occupancy, volumeML: Double(count) * grid.voxelVolume / 1000,
                                 visibleColumns: (1, 1), outlineAreaMM2: area, touchesBoxEdge: touches), chosen)
    }
}
