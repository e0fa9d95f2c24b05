import Foundation
import Imaging

/// A CT slice in a bone window with segmentation masks drawn over it: filled semi-transparently and/or
/// outlined (vector contours by marching squares), a scale bar in millimetres and orientation letters.
/// Pixels keep their true aspect ratio.
public struct SliceOverlayFigure: Chart {
    /// A mask to draw over the CT.
    public struct Overlay: Sendable {
        public var mask: LabelVolume
        public var color: Color
        public var fill: Bool
        public var outline: Bool
        public var label: String
        public init(mask: LabelVolume, color: Color, fill: Bool, outline: Bool, label: String) {
            self.mask = mask
            self.color = color
            self.fill = fill
            self.outline = outline
            self.label = label
        }
    }

    public var volume: HUVolume
    public var overlays: [Overlay]
    public var plane: SlicePlane
    /// Voxel the cut passes through (and the centre of the view).
    public var centre: SIMD3<Int>
    public var windowLevel: Double
    public var windowWidth: Double
    /// Side of the square region shown, in mm (nil: the whole slice).
    public var fieldOfView: Double?
    public var title: String
    public var width: Double
    public var height: Double

    public init(volume: HUVolume, overlays: [Overlay], plane: SlicePlane, centre: SIMD3<Int>, windowLevel: Double = 400,
                windowWidth: Double = 1800, fieldOfView: Double? = 80, title: String = "", width: Double = 160,
                height: Double = 160) {
        self.volume = volume
        self.overlays = overlays
        self.plane = plane
        self.centre = centre
        self.windowLevel = windowLevel
        self.windowWidth = windowWidth
        self.fieldOfView = fieldOfView
        self.title = title
        self.width = width
        self.height = height
    }

    /// Grey level (0–255) of a HU value in the window.
    func grey(_ hu: Int16) -> UInt32 {
        let t = (Double(hu) - (windowLevel - windowWidth / 2)) / windowWidth
        return UInt32(max(0, min(255, (t * 255).rounded())))
    }

    /// Pixel range of the view along one axis: the field of view around the centre, clipped to the image.
    private func window(count: Int, spacing: Double, centre: Int) -> Range<Int> {
        guard let fieldOfView else { return 0..<count }
        let half = Int((fieldOfView / spacing / 2).rounded())
        let low = max(0, centre - half), high = min(count, centre + half)
        return low..<max(low + 1, high)
    }

    public func draw(_ context: DrawingContext, in rect: Rect) {
        let theme = context.theme
        let slice = SliceImage(volume, plane: plane, through: centre)
        let (uAxis, vAxis): (Int, Int) = plane == .axial ? (0, 1) : (plane == .sagittal ? (1, 2) : (0, 2))
        let vCentre = slice.flipped ? slice.rows - 1 - centre[vAxis] : centre[vAxis]
        let us = window(count: slice.columns, spacing: slice.columnSpacing, centre: centre[uAxis])
        let vs = window(count: slice.rows, spacing: slice.rowSpacing, centre: vCentre)
        let widthMM = Double(us.count) * slice.columnSpacing, heightMM = Double(vs.count) * slice.rowSpacing
        let titleHeight = title.isEmpty ? 0 : context.measure(title, size: theme.titleSize, bold: true).1 + 3
        let area = rect.inset(left: 0, top: titleHeight, right: 0, bottom: 0)
        let scale = min(area.width / widthMM, area.height / heightMM)
        let image = Rect(x: area.x + (area.width - widthMM * scale) / 2, y: area.y + (area.height - heightMM * scale) / 2,
                         width: widthMM * scale, height: heightMM * scale)
        if !title.isEmpty {
            context.text(title, at: Point(rect.x, rect.y), anchor: .topLeft, size: theme.titleSize, bold: true)
        }
        var argb: [UInt32] = []
        argb.reserveCapacity(us.count * vs.count)
        for r in vs { for c in us { let g = grey(slice[c, r]); argb.append(0xff00_0000 | g << 16 | g << 8 | g) } }
        context.image(argb: argb, width: us.count, height: vs.count, in: image, nearest: false)

        for overlay in overlays {
            let mask = SliceImage(overlay.mask, plane: plane, through: centre)
            if overlay.fill {
                var fill: [UInt32] = []
                fill.reserveCapacity(us.count * vs.count)
                let alpha = 0.45
                // Premultiplied ARGB, as cairo expects.
                let a = UInt32((alpha * 255).rounded())
                let r = UInt32((overlay.color.red * alpha * 255).rounded())
                let g = UInt32((overlay.color.green * alpha * 255).rounded())
                let b = UInt32((overlay.color.blue * alpha * 255).rounded())
                for row in vs { for c in us { fill.append(mask[c, row] != 0 ? a << 24 | r << 16 | g << 8 | b : 0) } }
                context.image(argb: fill, width: us.count, height: vs.count, in: image, nearest: true)
            }
            if overlay.outline {
                let segments = MarchingSquares.segments(columns: us.count, rows: vs.count) { c, row in
                    mask[us.lowerBound + c, vs.lowerBound + row] != 0
                }
                let pixelWidth = image.width / Double(us.count), pixelHeight = image.height / Double(vs.count)
                context.segments(segments.map { segment in
                    (Point(image.x + (segment.0.x + 0.5) * pixelWidth, image.y + (segment.0.y + 0.5) * pixelHeight),
                     Point(image.x + (segment.1.x + 0.5) * pixelWidth, image.y + (segment.1.y + 0.5) * pixelHeight))
                }, color: overlay.color, width: 0.9)
            }
        }
        drawScaleBar(context, image: image, millimetres: widthMM)
        let letterColor = Color(hex: 0xffd700)
        context.text(slice.left, at: Point(image.x + 2, image.y + image.height / 2), anchor: .left, bold: true, color: letterColor)
        context.text(slice.right, at: Point(image.maxX - 2, image.y + image.height / 2), anchor: .right, bold: true, color: letterColor)
        context.text(slice.top, at: Point(image.x + image.width / 2, image.y + 1), anchor: .top, bold: true, color: letterColor)
        context.text(slice.bottom, at: Point(image.x + image.width / 2, image.maxY - 1), anchor: .bottom, bold: true,
                     color: letterColor)
        var legendY = image.y + 3
        for overlay in overlays where !overlay.label.isEmpty {
            context.rectangle(Rect(x: image.x + 3, y: legendY + 1, width: 6, height: 6), fill: overlay.color)
            legendY = context.text(overlay.label, at: Point(image.x + 12, legendY), anchor: .topLeft,
                                   size: theme.baseSize - 1, color: .white).maxY + 1
        }
    }

    /// A bar of a round length (5, 10, 20 or 50 mm, about a fifth of the view) in the lower right corner.
    private func drawScaleBar(_ context: DrawingContext, image: Rect, millimetres: Double) {
        let length = [5.0, 10, 20, 50].last { $0 <= millimetres / 4 } ?? 5
        let pointsPerMM = image.width / millimetres
        let right = image.maxX - 6, y = image.maxY - 12
        context.line(from: Point(right - length * pointsPerMM, y), to: Point(right, y), color: .white, width: 1.5)
        context.text("\(Int(length)) mm", at: Point(right - length * pointsPerMM / 2, y - 1.5), anchor: .bottom,
                     size: context.theme.baseSize - 1, color: .white)
    }
}
