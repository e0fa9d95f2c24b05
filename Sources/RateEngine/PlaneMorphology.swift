/// Binary operations on one slice (2D, row-major `width` × `height`).
enum PlaneMorphology {
    /// Fills holes: everything not reachable from the border through background becomes foreground.
    static func fillHoles(_ mask: [Bool], width: Int, height: Int) -> [Bool] {
        var outside = [Bool](repeating: false, count: mask.count)
        var stack: [Int] = []
        func push(_ i: Int, _ j: Int) {
            let n = j * width + i
            if !mask[n] && !outside[n] {
                outside[n] = true
                stack.append(n)
            }
        }
        for i in 0..<width { push(i, 0); push(i, height - 1) }
        for j in 0..<height { push(0, j); push(width - 1, j) }
        while let n = stack.popLast() {
            let i = n % width, j = n / width
            if i > 0 { push(i - 1, j) }
            if i < width - 1 { push(i + 1, j) }
            if j > 0 { push(i, j - 1) }
            if j < height - 1 { push(i, j + 1) }
        }
        return outside.map { !$0 }
    }

    /// 4-connected components of a slice mask: labels (0 = background) and count.
    static func components(_ mask: [Bool], width: Int, height: Int) -> ([Int], Int) {
        var labels = [Int](repeating: 0, count: mask.count)
        var count = 0
        for start in mask.indices where mask[start] && labels[start] == 0 {
            count += 1
            var stack = [start]
            labels[start] = count
            while let n = stack.popLast() {
                let i = n % width, j = n / width
                for (a, b) in [(i - 1, j), (i + 1, j), (i, j - 1), (i, j + 1)] where a >= 0 && b >= 0 && a < width && b < height {
                    let m = b * width + a
                    if mask[m] && labels[m] == 0 {
                        labels[m] = count
                        stack.append(m)
                    }
                }
            }
        }
        return (labels, count)
    }

    /// Disk offsets of radius `radius` mm for pixels of the given spacing.
    static func disk(radius: Double, spacing: SIMD2<Double>) -> [SIMD2<Int>] {
        let n = SIMD2<Int>((SIMD2(repeating: radius) / spacing).rounded(.down))
        var offsets: [SIMD2<Int>] = []
        for b in -n.y...n.y {
            for a in -n.x...n.x {
                let d = SIMD2(Double(a), Double(b)) * spacing
                if (d * d).sum() <= radius * radius + 1e-9 { offsets.append(SIMD2(a, b)) }
            }
        }
        return offsets
    }

    static func erode(_ mask: [Bool], width: Int, height: Int, disk: [SIMD2<Int>]) -> [Bool] {
        var result = [Bool](repeating: false, count: mask.count)
        for j in 0..<height {
            for i in 0..<width where mask[j * width + i] {
                result[j * width + i] = disk.allSatisfy { o in
                    let a = i + o.x, b = j + o.y
                    return a >= 0 && b >= 0 && a < width && b < height && mask[b * width + a]
                }
            }
        }
        return result
    }

    static func dilate(_ mask: [Bool], width: Int, height: Int, disk: [SIMD2<Int>]) -> [Bool] {
        var result = [Bool](repeating: false, count: mask.count)
        for j in 0..<height {
            for i in 0..<width where mask[j * width + i] {
                for o in disk {
                    let a = i + o.x, b = j + o.y
                    if a >= 0 && b >= 0 && a < width && b < height { result[b * width + a] = true }
                }
            }
        }
        return result
    }

    /// Opening (erosion then dilation) with a disk: removes parts narrower than its diameter.
    static func open(_ mask: [Bool], width: Int, height: Int, radius: Double, spacing: SIMD2<Double>) -> [Bool] {
        let d = disk(radius: radius, spacing: spacing)
        return dilate(erode(mask, width: width, height: height, disk: d), width: width, height: height, disk: d)
    }
}
