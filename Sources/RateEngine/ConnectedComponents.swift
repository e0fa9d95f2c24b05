/// Labels the 26-connected components of a sparse set of voxels (breadth-first, deterministic order: components
/// are numbered in order of their first voxel in memory).
///
/// Works on the sorted list of set voxels rather than on a full mask, so its cost follows the voxels set (cement:
/// tens of thousands) and their bounding box, not the volume (a 512 × 512 × 300 label array alone is 300 MB to
/// allocate and clear).
struct ConnectedComponents {
    /// For each listed voxel, its component 1…count.
    let labels: [Int32]
    let sizes: [Int]

    /// `voxels`: linear indices in ascending order within a volume of `size`.
    init(voxels: [Int], size: SIMD3<Int>) {
        var labels = [Int32](repeating: 0, count: voxels.count)
        var sizes: [Int] = []
        var queue: [Int] = []
        // Positions of the voxels in a dense array over their bounding box when that is small enough (the usual
        // case: cement in one or two vertebrae), else by binary search in the sorted list.
        var low = size, high = SIMD3<Int>(repeating: -1)
        for n in voxels {
            let p = SIMD3(n % size.x, (n / size.x) % size.y, n / (size.x * size.y))
            low = pointwiseMin(low, p)
            high = pointwiseMax(high, p)
        }
        let box = high &- low &+ 1
        let dense = !voxels.isEmpty && box.x * box.y * box.z <= 1 << 24
        var lookup = [Int32](repeating: -1, count: dense ? box.x * box.y * box.z : 0)
        func boxIndex(_ n: Int) -> Int {
            let i = n % size.x - low.x, j = (n / size.x) % size.y - low.y, k = n / (size.x * size.y) - low.z
            return (k * box.y + j) * box.x + i
        }
        if dense { for (position, n) in voxels.enumerated() { lookup[boxIndex(n)] = Int32(position) } }
        func search(_ n: Int) -> Int? {
            var low = 0, high = voxels.count
            while low < high {
                let middle = (low + high) / 2
                if voxels[middle] < n { low = middle + 1 } else { high = middle }
            }
            return low < voxels.count && voxels[low] == n ? low : nil
        }
        for start in voxels.indices where labels[start] == 0 {
            let label = Int32(sizes.count + 1)
            labels[start] = label
            queue.removeAll(keepingCapacity: true)
            queue.append(start)
            var head = 0
            while head < queue.count {
                let current = voxels[queue[head]]
                head += 1
                let i = current % size.x, j = (current / size.x) % size.y, k = current / (size.x * size.y)
                // Neighbours outside the set voxels' bounding box cannot be set.
                for c in max(low.z, k - 1)...min(high.z, k + 1) {
                    for b in max(low.y, j - 1)...min(high.y, j + 1) {
                        for a in max(low.x, i - 1)...min(high.x, i + 1) {
                            let found: Int?
                            if dense {
                                let position = lookup[((c - low.z) * box.y + b - low.y) * box.x + a - low.x]
                                found = position >= 0 ? Int(position) : nil
                            } else {
                                found = search((c * size.y + b) * size.x + a)
                            }
                            if let p = found, labels[p] == 0 {
                                labels[p] = label
                                queue.append(p)
                            }
                        }
                    }
                }
            }
            sizes.append(queue.count)
        }
        self.labels = labels
        self.sizes = sizes
    }
}
