import Dispatch
import Imaging

/// Volume of a region given by a membership test, integrated on a grid that is refined only where the
/// region's boundary passes.
///
/// Cells of `cellSize` mm whose eight corners and centre agree are taken as wholly inside or outside; the others
/// are split into `subdivisions`³ sub-cells counted at their centres. With 0.5 mm cells and 8 subdivisions the
/// boundary is resolved to 0.0625 mm. Features thinner than a cell that miss every corner and centre would be
/// lost, so the membership tests used here describe smooth shapes several millimetres across.
public struct RegionVolume: Sendable {
    public var cellSize: Double
    public var subdivisions: Int

    public init(cellSize: Double = 0.5, subdivisions: Int = 8) {
        self.cellSize = cellSize
        self.subdivisions = subdivisions
    }

    /// Volume in mm³ of the points of the box for which `contains` is true.
    public func volume(in bounds: (SIMD3<Double>, SIMD3<Double>), _ contains: @Sendable (SIMD3<Double>) -> Bool) -> Double {
        let subdivisions = self.subdivisions, cellSize = self.cellSize
        let low = bounds.0 - cellSize, high = bounds.1 + cellSize
        let n = SIMD3<Int>(((high - low) / cellSize).rounded(.up))
        guard n.x > 0, n.y > 0, n.z > 0 else { return 0 }
        let nx = n.x + 1, ny = n.y + 1
        var corners = [Bool](repeating: false, count: nx * ny * (n.z + 1))
        corners.withUnsafeMutableBufferPointer { buffer in
            let output = SharedBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: n.z + 1) { k in
                for j in 0...n.y {
                    for i in 0...n.x {
                        output[(k * ny + j) * nx + i] = contains(low + SIMD3(Double(i), Double(j), Double(k)) * cellSize)
                    }
                }
            }
        }
        let cellVolume = cellSize * cellSize * cellSize
        let sub = cellSize / Double(subdivisions)
        let subVolume = sub * sub * sub
        let finalCorners = corners
        // One partial sum per layer, added in layer order so the result does not depend on thread timing.
        var layers = [Double](repeating: 0, count: n.z)
        layers.withUnsafeMutableBufferPointer { buffer in
            let output = SharedBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: n.z) { k in
                var layer = 0.0
                for j in 0..<n.y {
                    for i in 0..<n.x {
                        var inside = 0
                        for corner in 0..<8 {
                            let index = ((k + (corner >> 2)) * ny + j + ((corner >> 1) & 1)) * nx + i + (corner & 1)
                            if finalCorners[index] { inside += 1 }
                        }
                        let origin = low + SIMD3(Double(i), Double(j), Double(k)) * cellSize
                        if inside == 8 || inside == 0 {
                            if contains(origin + cellSize / 2) == (inside == 8) {
                                layer += inside == 8 ? cellVolume : 0
                                continue
                            }
                        }
                        var count = 0
                        for c in 0..<subdivisions {
                            for b in 0..<subdivisions {
                                for a in 0..<subdivisions {
                                    if contains(origin + (SIMD3(Double(a), Double(b), Double(c)) + 0.5) * sub) { count += 1 }
                                }
                            }
                        }
                        layer += Double(count) * subVolume
                    }
                }
                output[k] = layer
            }
        }
        let total = layers.reduce(0, +)
        return total
    }
}
