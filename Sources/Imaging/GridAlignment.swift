import Foundation

extension Volume {
    /// The same voxels indexed on `target`, when both grids hold the same voxel centres and differ at most in the
    /// order and direction of their axes (a NIfTI label map stored RAS-first for an LPS series, say); nil when they
    /// do not. Corners must coincide to within a quarter of the smallest spacing.
    public func reindexed(onto target: VolumeGeometry) -> Volume<Voxel>? {
        let source = geometry
        let targetAxes = [target.rowDirection, target.columnDirection, target.sliceDirection]
        let sourceAxes = [source.rowDirection, source.columnDirection, source.sliceDirection]
        var axis = [0, 0, 0], reversed = [false, false, false]
        for a in 0..<3 {
            let cosines = sourceAxes.map { ($0 * targetAxes[a]).sum() }
            guard let b = (0..<3).max(by: { abs(cosines[$0]) < abs(cosines[$1]) }), abs(cosines[b]) > 0.999,
                  source.size[b] == target.size[a], abs(source.spacing[b] - target.spacing[a]) <= 0.01 * target.spacing[a]
            else { return nil }
            axis[a] = b
            reversed[a] = cosines[b] < 0
        }
        guard Set(axis).count == 3 else { return nil }
        func sourceIndex(_ t: SIMD3<Int>) -> SIMD3<Int> {
            var s = SIMD3<Int>()
            for a in 0..<3 { s[axis[a]] = reversed[a] ? target.size[a] - 1 - t[a] : t[a] }
            return s
        }
        let tolerance = 0.25 * min(target.spacing.x, target.spacing.y, target.spacing.z)
        for corner in 0..<8 {
            let t = SIMD3(corner & 1 == 0 ? 0 : target.size.x - 1, corner & 2 == 0 ? 0 : target.size.y - 1,
                          corner & 4 == 0 ? 0 : target.size.z - 1)
            let gap = target.patientPosition(ofIndex: SIMD3<Double>(t)) - source.patientPosition(ofIndex: SIMD3<Double>(sourceIndex(t)))
            guard (gap * gap).sum().squareRoot() <= tolerance else { return nil }
        }
        // Walk the target in memory order with the source stride of each target axis.
        let sourceStrides = [1, source.size.x, source.size.x * source.size.y]
        var stride = SIMD3<Int>(), start = 0
        for a in 0..<3 {
            stride[a] = (reversed[a] ? -1 : 1) * sourceStrides[axis[a]]
            if reversed[a] { start += (target.size[a] - 1) * sourceStrides[axis[a]] }
        }
        var out: [Voxel] = []
        out.reserveCapacity(target.count)
        for k in 0..<target.size.z {
            for j in 0..<target.size.y {
                let row = start + k * stride.z + j * stride.y
                for i in 0..<target.size.x { out.append(voxels[row + i * stride.x]) }
            }
        }
        return Volume(geometry: target, voxels: out)
    }
}

extension VolumeGeometry {
    /// Size, spacing, origin and axes in words, for messages about grids that do not match.
    public var summary: String {
        func triple(_ v: SIMD3<Double>, _ format: String) -> String {
            [v.x, v.y, v.z].map { String(format: format, $0) }.joined(separator: ", ")
        }
        return "\(size.x)×\(size.y)×\(size.z) voxels of \(triple(spacing, "%.3g")) mm, first voxel at "
            + "(\(triple(origin, "%.1f"))) mm LPS, axes (\(triple(rowDirection, "%.2f"))), "
            + "(\(triple(columnDirection, "%.2f"))), (\(triple(sliceDirection, "%.2f")))"
    }
}
