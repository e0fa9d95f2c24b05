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

    /// Dilation by a disk of `radius` mm (a pixel joins when a foreground pixel lies within the radius).
    static func dilate(_ mask: [Bool], width: Int, height: Int, radius: Double, spacing: SIMD2<Double>) -> [Bool] {
        let distance = DistanceTransform.squaredDistance(to: mask, size: SIMD3(width, height, 1),
                                                         spacing: SIMD3(spacing.x, spacing.y, 1))
        return distance.map { $0 <= radius * radius + 1e-9 }
    }

    /// Erosion by a disk of `radius` mm (a pixel stays when no background pixel lies within the radius; the
    /// outside of the image counts as foreground, so objects touching the edge are not eaten from it).
    static func erode(_ mask: [Bool], width: Int, height: Int, radius: Double, spacing: SIMD2<Double>) -> [Bool] {
        let inverted = mask.map { !$0 }
        return dilate(inverted, width: width, height: height, radius: radius, spacing: spacing).map { !$0 }
    }

    /// Opening (erosion then dilation) with a disk: removes parts narrower than its diameter.
    static func open(_ mask: [Bool], width: Int, height: Int, radius: Double, spacing: SIMD2<Double>) -> [Bool] {
        dilate(erode(mask, width: width, height: height, radius: radius, spacing: spacing), width: width, height: height,
               radius: radius, spacing: spacing)
    }

    /// Closing (dilation then erosion) with a disk: bridges gaps narrower than its diameter.
    static func close(_ mask: [Bool], width: Int, height: Int, radius: Double, spacing: SIMD2<Double>) -> [Bool] {
        erode(dilate(mask, width: width, height: height, radius: radius, spacing: spacing), width: width, height: height,
              radius: radius, spacing: spacing)
    }
}
