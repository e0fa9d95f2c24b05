import Foundation
import Imaging

/// A grid of slices of one plane (for QC pages): `count` cuts evenly spread over a range of slice indices,
/// each with the same masks, window and field of view as `SliceOverlayFigure`, labelled with its position in mm.
public struct SliceMontageFigure: Chart {
    public var volume: HUVolume
    public var overlays: [SliceOverlayFigure.Overlay]
    public var plane: SlicePlane
    /// Voxel the view is centred on; the cuts move along the plane's normal axis.
    public var centre: SIMD3<Int>
    /// Range of indices along the normal axis to sample.
    public var range: ClosedRange<Int>
    public var count: Int
    public var columns: Int
    public var fieldOfView: Double?
    public var title: String
    public var width: Double
    public var height: Double

    public init(volume: HUVolume, overlays: [SliceOverlayFigure.Overlay], plane: SlicePlane, centre: SIMD3<Int>,
                range: ClosedRange<Int>, count: Int = 9, columns: Int = 3, fieldOfView: Double? = 70, title: String = "",
                width: Double = 420, height: Double = 420) {
        self.volume = volume
        self.overlays = overlays
        self.plane = plane
        self.centre = centre
        self.range = range
        self.count = max(1, count)
        self.columns = max(1, columns)
        self.fieldOfView = fieldOfView
        self.title = title
        self.width = width
        self.height = height
    }

    /// The slice indices shown, evenly spaced over `range` (deterministic rounding).
    public var indices: [Int] {
        guard count > 1 else { return [(range.lowerBound + range.upperBound) / 2] }
        return (0..<count).map { range.lowerBound + Int((Double($0) * Double(range.count - 1) / Double(count - 1)).rounded()) }
    }

    public func draw(_ context: DrawingContext, in rect: Rect) {
        let axis = plane == .axial ? 2 : (plane == .sagittal ? 0 : 1)
        let titleHeight = title.isEmpty ? 0 : context.measure(title, size: context.theme.titleSize, bold: true).1 + 4
        if !title.isEmpty {
            context.text(title, at: Point(rect.x, rect.y), anchor: .topLeft, size: context.theme.titleSize, bold: true)
        }
        let rows = (count + columns - 1) / columns
        let cellWidth = rect.width / Double(columns), cellHeight = (rect.height - titleHeight) / Double(rows)
        for (n, index) in indices.enumerated() {
            var point = centre
            point[axis] = index
            let position = volume.geometry.patientPosition(ofIndex: SIMD3<Double>(point))
            let cell = Rect(x: rect.x + Double(n % columns) * cellWidth, y: rect.y + titleHeight + Double(n / columns) * cellHeight,
                            width: cellWidth, height: cellHeight).inset(left: 2, top: 2, right: 2, bottom: 2)
            let label = String(format: "%@ %.1f mm", axis == 2 ? "z" : (axis == 0 ? "x" : "y"), position[axis])
                .replacingOccurrences(of: "-", with: "−")
            SliceOverlayFigure(volume: volume, overlays: overlays, plane: plane, centre: point, fieldOfView: fieldOfView,
                               title: label, width: cell.width, height: cell.height).draw(context, in: cell)
        }
    }
}
