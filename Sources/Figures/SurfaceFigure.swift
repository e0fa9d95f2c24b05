import Foundation
import Imaging

/// A 3D view of segmented structures (e.g. a translucent vertebral body with the cement inside), like the
/// reconstructions of planning software: marching-tetrahedra surfaces in millimetres, rotated, projected
/// orthographically, Lambert-shaded and painted back to front. Deterministic: ties in depth keep mesh order.
public struct SurfaceFigure: Chart {
    public struct Part: Sendable {
        public var mask: LabelVolume
        public var color: Color
        public var opacity: Double
        public var label: String
        public init(mask: LabelVolume, color: Color, opacity: Double, label: String) {
            self.mask = mask
            self.color = color
            self.opacity = opacity
            self.label = label
        }
    }

    public var parts: [Part]
    /// Rotation about the patient's superior axis, then tilt towards the viewer (degrees).
    public var azimuth: Double
    public var elevation: Double
    public var title: String
    public var width: Double
    public var height: Double

    public init(parts: [Part], azimuth: Double = 35, elevation: Double = 20, title: String = "", width: Double = 160,
                height: Double = 160) {
        self.parts = parts
        self.azimuth = azimuth
        self.elevation = elevation
        self.title = title
        self.width = width
        self.height = height
    }

    /// Triangles of a mask in patient millimetres (LPS), from the mask resampled to about 1 mm voxels (nearest
    /// voxel), which keeps the mesh and the files small without visible loss at figure size.
    static func mesh(_ full: LabelVolume) -> [MarchingTetrahedra.Triangle] {
        let step = SIMD3<Int>(pointwiseMax(SIMD3<Double>(repeating: 1), (1.0 / full.geometry.spacing).rounded(.toNearestOrEven)))
        let mask: LabelVolume
        if step == SIMD3(repeating: 1) {
            mask = full  // already about 1 mm: no copy
        } else {
            var geometry = full.geometry
            geometry.size = (full.geometry.size &+ step &- 1) / step
            geometry.spacing = full.geometry.spacing * SIMD3<Double>(step)
            var resampled = LabelVolume(geometry: geometry, repeating: 0)
            for k in 0..<geometry.size.z {
                for j in 0..<geometry.size.y {
                    for i in 0..<geometry.size.x {
                        resampled[i, j, k] = full[min(i * step.x, full.geometry.size.x - 1),
                                                  min(j * step.y, full.geometry.size.y - 1),
                                                  min(k * step.z, full.geometry.size.z - 1)]
                    }
                }
            }
            mask = resampled
        }
        let g = mask.geometry
        return MarchingTetrahedra.surface(size: g.size) { mask[$0, $1, $2] != 0 }.map {
            (g.patientPosition(ofIndex: $0.0), g.patientPosition(ofIndex: $0.1), g.patientPosition(ofIndex: $0.2))
        }
    }

    public func draw(_ context: DrawingContext, in rect: Rect) {
        let a = azimuth * .pi / 180, e = elevation * .pi / 180
        // View from the patient's front (−y, anterior) with superior up, turned by the azimuth and elevation.
        func view(_ p: SIMD3<Double>) -> SIMD3<Double> {
            let x1 = cos(a) * p.x + sin(a) * p.y, y1 = -sin(a) * p.x + cos(a) * p.y
            let screenX = -x1
            let depth = y1 * cos(e) - p.z * sin(e)
            let screenY = -(p.z * cos(e) + y1 * sin(e))
            return SIMD3(screenX, screenY, depth)
        }
        // One small value per triangle, no arrays inside: a surface has tens of thousands of triangles, and the
        // arrays of each one's points (and the key-path walks over them for the extent) were about a fifth of
        // drawing them. Only the screen position, the depth and the shade are kept.
        struct Item {
            var depth: Double
            var order: Int
            var p0, p1, p2: SIMD2<Double>
            var shade: Double
            var part: Int
        }
        let light = SIMD3<Double>(-0.4, -0.5, -0.77)
        let meshes = parts.map { Self.mesh($0.mask) }
        var items: [Item] = []
        items.reserveCapacity(meshes.reduce(0) { $0 + $1.count })
        for (partIndex, mesh) in meshes.enumerated() {
            for (index, triangle) in mesh.enumerated() {
                let p0 = view(triangle.0), p1 = view(triangle.1), p2 = view(triangle.2)
                let normal = cross3(p1 - p0, p2 - p0)
                let length = (normal * normal).sum().squareRoot()
                guard length > 0 else { continue }
                let shade = 0.35 + 0.65 * abs((normal / length * light).sum() / (light * light).sum().squareRoot())
                let depth = (p0.z + p1.z + p2.z) / 3
                items.append(Item(depth: depth, order: partIndex << 24 | index, p0: SIMD2(p0.x, p0.y), p1: SIMD2(p1.x, p1.y),
                                  p2: SIMD2(p2.x, p2.y), shade: shade, part: partIndex))
            }
        }
        guard !items.isEmpty else { return }
        var low = items[0].p0, high = items[0].p0
        for item in items {
            low = pointwiseMin(low, pointwiseMin(item.p0, pointwiseMin(item.p1, item.p2)))
            high = pointwiseMax(high, pointwiseMax(item.p0, pointwiseMax(item.p1, item.p2)))
        }
        let (minX, maxX, minY, maxY) = (low.x, high.x, low.y, high.y)
        let titleHeight = title.isEmpty ? 0 : context.measure(title, size: context.theme.titleSize, bold: true).1 + 3
        let area = rect.inset(left: 6, top: 6 + titleHeight, right: 6, bottom: 14)
        let scale = min(area.width / max(1e-9, maxX - minX), area.height / max(1e-9, maxY - minY))
        let offsetX = area.x + (area.width - (maxX - minX) * scale) / 2, offsetY = area.y + (area.height - (maxY - minY) * scale) / 2
        func point(_ p: SIMD2<Double>) -> Point { Point(offsetX + (p.x - minX) * scale, offsetY + (p.y - minY) * scale) }
        // Painter's algorithm: far triangles first (larger depth is farther from the viewer).
        items.sort { ($0.depth, $0.order) > ($1.depth, $1.order) }
        for item in items {
            let base = parts[item.part].color
            let color = Color(red: base.red * item.shade, green: base.green * item.shade, blue: base.blue * item.shade,
                              alpha: parts[item.part].opacity)
            context.triangle(point(item.p0), point(item.p1), point(item.p2), fill: color)
        }
        if !title.isEmpty {
            context.text(title, at: Point(rect.x, rect.y), anchor: .topLeft, size: context.theme.titleSize, bold: true)
        }
        var x = rect.x + 6
        for part in parts where !part.label.isEmpty {
            context.rectangle(Rect(x: x, y: rect.maxY - 11, width: 6, height: 6), fill: part.color)
            x = context.text(part.label, at: Point(x + 9, rect.maxY - 8), anchor: .left, size: context.theme.baseSize - 1).maxX + 8
        }
    }
}
