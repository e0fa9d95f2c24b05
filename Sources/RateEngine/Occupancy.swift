/// The fraction of each voxel of a level's box that lies inside the body, stored for the sub-box that holds the
/// body only (zero elsewhere): a body is a small part of its ±40 mm box.
struct Occupancy: Sendable {
    /// The level's box.
    let box: GridBox
    /// The stored sub-box: first voxel (in the level's box) and size.
    let low: SIMD3<Int>, size: SIMD3<Int>
    private var values: [Float]

    /// A zero sub-box from `low` to `high` (inclusive); empty when `high` is below `low` on any axis.
    init(box: GridBox, low: SIMD3<Int>, high: SIMD3<Int>) {
        self.box = box
        self.low = low
        size = pointwiseMax(high &- low &+ 1, SIMD3(repeating: 0))
        values = [Float](repeating: 0, count: size.x * size.y * size.z)
    }

    /// The fraction at voxel (i, j, k) of the level's box; only voxels of the sub-box may be set.
    subscript(i: Int, j: Int, k: Int) -> Float {
        get {
            let (a, b, c) = (i - low.x, j - low.y, k - low.z)
            guard a >= 0, b >= 0, c >= 0, a < size.x, b < size.y, c < size.z else { return 0 }
            return values[(c * size.y + b) * size.x + a]
        }
        set { values[((k - low.z) * size.y + (j - low.y)) * size.x + (i - low.x)] = newValue }
    }

    /// The fraction at linear index `n` of the level's box.
    subscript(index n: Int) -> Float {
        self[n % box.size.x, (n / box.size.x) % box.size.y, n / box.plane]
    }
}
