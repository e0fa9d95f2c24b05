/// Labels the 26-connected components of a 3D mask (breadth-first, deterministic order: components are
/// numbered in order of their first voxel in memory).
struct ConnectedComponents {
    /// 0 for background, 1…count for components.
    let labels: [Int32]
    let sizes: [Int]

    init(_ mask: Mask) {
        let size = mask.size
        var labels = [Int32](repeating: 0, count: mask.bits.count)
        var sizes: [Int] = []
        var queue: [Int] = []
        for start in mask.bits.indices where mask.bits[start] && labels[start] == 0 {
            let label = Int32(sizes.count + 1)
            labels[start] = label
            queue.removeAll(keepingCapacity: true)
            queue.append(start)
            var head = 0
            while head < queue.count {
                let current = queue[head]
                head += 1
                let i = current % size.x, j = (current / size.x) % size.y, k = current / (size.x * size.y)
                for c in max(0, k - 1)...min(size.z - 1, k + 1) {
                    for b in max(0, j - 1)...min(size.y - 1, j + 1) {
                        for a in max(0, i - 1)...min(size.x - 1, i + 1) {
                            let n = (c * size.y + b) * size.x + a
                            if mask.bits[n] && labels[n] == 0 {
                                labels[n] = label
                                queue.append(n)
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
