/// Triangle surface of a binary volume by marching tetrahedra: each cube between eight voxel centres is split
/// into six tetrahedra around its main diagonal, and each tetrahedron contributes zero, one or two triangles
/// with vertices halfway along its cut edges. Unlike marching cubes it needs no case table and has no
/// ambiguous cases. Vertices are in voxel index coordinates; triangles are oriented outward.
public enum MarchingTetrahedra {
    public typealias Triangle = (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>)

    /// Cube corner offsets, indexed 0…7 by (x, y, z) bits.
    private static let corners: [SIMD3<Int>] = (0..<8).map { SIMD3($0 & 1, ($0 >> 1) & 1, ($0 >> 2) & 1) }
    /// Six tetrahedra sharing the diagonal 0–7.
    private static let tetrahedra: [[Int]] = [[0, 1, 3, 7], [0, 3, 2, 7], [0, 2, 6, 7], [0, 6, 4, 7], [0, 4, 5, 7], [0, 5, 1, 7]]

    /// Surface of the voxels where `inside(i, j, k)` holds, over a grid of `size`; voxels outside the grid are
    /// empty so the surface is closed.
    public static func surface(size: SIMD3<Int>, _ inside: (Int, Int, Int) -> Bool) -> [Triangle] {
        func value(_ p: SIMD3<Int>) -> Bool {
            p.x >= 0 && p.y >= 0 && p.z >= 0 && p.x < size.x && p.y < size.y && p.z < size.z && inside(p.x, p.y, p.z)
        }
        // Only cells around the occupied box can be cut by the surface.
        var low = size, high = SIMD3<Int>(repeating: -1)
        for k in 0..<size.z {
            for j in 0..<size.y {
                for i in 0..<size.x where inside(i, j, k) {
                    low = pointwiseMin(low, SIMD3(i, j, k))
                    high = pointwiseMax(high, SIMD3(i, j, k))
                }
            }
        }
        var triangles: [Triangle] = []
        guard high.x >= 0 else { return triangles }
        for k in (low.z - 1)...high.z {
            for j in (low.y - 1)...high.y {
                for i in (low.x - 1)...high.x {
                    let origin = SIMD3(i, j, k)
                    // The corners as bits first: most cells of the box are wholly inside or outside, and need no array.
                    var bits = 0
                    for corner in 0..<8 where value(origin &+ corners[corner]) { bits |= 1 << corner }
                    if bits == 0 || bits == 0xFF { continue }
                    let values = (0..<8).map { bits & (1 << $0) != 0 }
                    for tetra in tetrahedra {
                        let points = tetra.map { SIMD3<Double>(origin &+ corners[$0]) }
                        emit(points, tetra.map { values[$0] }, into: &triangles)
                    }
                }
            }
        }
        return triangles
    }

    /// Triangles of one tetrahedron, oriented so their normals point from inside to outside.
    private static func emit(_ p: [SIMD3<Double>], _ v: [Bool], into triangles: inout [Triangle]) {
        let insideIndices = (0..<4).filter { v[$0] }
        let outsideIndices = (0..<4).filter { !v[$0] }
        func mid(_ a: Int, _ b: Int) -> SIMD3<Double> { (p[a] + p[b]) / 2 }
        var new: [Triangle] = []
        switch insideIndices.count {
        case 1:
            let a = insideIndices[0]
            new = [(mid(a, outsideIndices[0]), mid(a, outsideIndices[1]), mid(a, outsideIndices[2]))]
        case 3:
            let a = outsideIndices[0]
            new = [(mid(a, insideIndices[0]), mid(a, insideIndices[1]), mid(a, insideIndices[2]))]
        case 2:
            let (a, b) = (insideIndices[0], insideIndices[1]), (c, d) = (outsideIndices[0], outsideIndices[1])
            let q = [mid(a, c), mid(a, d), mid(b, d), mid(b, c)]
            new = [(q[0], q[1], q[2]), (q[0], q[2], q[3])]
        default:
            return
        }
        let insideCentre = insideIndices.reduce(SIMD3<Double>()) { $0 + p[$1] } / Double(insideIndices.count)
        for var triangle in new {
            let normal = cross3(triangle.1 - triangle.0, triangle.2 - triangle.0)
            if (normal * (triangle.0 - insideCentre)).sum() < 0 { swap(&triangle.1, &triangle.2) }
            triangles.append(triangle)
        }
    }

    /// Volume enclosed by an outward-oriented closed triangle surface (divergence theorem), in index units³.
    public static func enclosedVolume(_ triangles: [Triangle]) -> Double {
        triangles.reduce(0) { $0 + (cross3($1.0, $1.1) * $1.2).sum() } / 6
    }
}

@inline(__always) func cross3(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}
