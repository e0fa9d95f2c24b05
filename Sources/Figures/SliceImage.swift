import Imaging

/// Anatomical viewing planes.
public enum SlicePlane: String, Sendable, Codable, CaseIterable {
    case axial, sagittal, coronal
}

/// A 2D cut through a volume, in display orientation: columns left→right, rows top→bottom, with the physical
/// size of a pixel and the anatomical letters at the four edges.
struct SliceImage<Voxel: Sendable> {
    var columns: Int
    var rows: Int
    var pixels: [Voxel]
    /// Millimetres per column and per row.
    var columnSpacing: Double
    var rowSpacing: Double
    /// True when display rows run against the volume's index along the vertical axis.
    var flipped: Bool
    /// Letters at the left, right, top and bottom edges.
    var left: String, right: String, top: String, bottom: String

    /// The patient-direction letter of a unit vector (its dominant LPS axis).
    static func letter(_ direction: SIMD3<Double>) -> String {
        let magnitudes = SIMD3(abs(direction.x), abs(direction.y), abs(direction.z))
        if magnitudes.x >= magnitudes.y && magnitudes.x >= magnitudes.z { return direction.x > 0 ? "L" : "R" }
        if magnitudes.y >= magnitudes.z { return direction.y > 0 ? "P" : "A" }
        return direction.z > 0 ? "S" : "I"
    }

    /// Cuts `volume` through voxel `index`. The vertical axis is flipped where needed so that superior (or,
    /// for axial cuts, anterior) is at the top.
    init(_ volume: Volume<Voxel>, plane: SlicePlane, through index: SIMD3<Int>) {
        let g = volume.geometry
        let (uAxis, vAxis): (Int, Int)
        switch plane {
        case .axial: (uAxis, vAxis) = (0, 1)
        case .sagittal: (uAxis, vAxis) = (1, 2)
        case .coronal: (uAxis, vAxis) = (0, 2)
        }
        let directions = [g.rowDirection, g.columnDirection, g.sliceDirection]
        let uDirection = directions[uAxis]
        var vDirection = directions[vAxis]
        let vLetter = Self.letter(vDirection)
        // Rows run downwards; flip when the axis points up the patient (S) or, in-plane, towards anterior.
        let flip = vLetter == "S" || vLetter == "A"
        if flip { vDirection = -vDirection }
        flipped = flip
        columns = g.size[uAxis]
        rows = g.size[vAxis]
        columnSpacing = g.spacing[uAxis]
        rowSpacing = g.spacing[vAxis]
        right = Self.letter(uDirection)
        left = Self.letter(-uDirection)
        bottom = Self.letter(vDirection)
        top = Self.letter(-vDirection)
        var pixels: [Voxel] = []
        pixels.reserveCapacity(columns * rows)
        for r in 0..<rows {
            let v = flip ? rows - 1 - r : r
            for u in 0..<columns {
                var position = index
                position[uAxis] = u
                position[vAxis] = v
                pixels.append(volume[position.x, position.y, position.z])
            }
        }
        self.pixels = pixels
    }

    subscript(column: Int, row: Int) -> Voxel { pixels[row * columns + column] }
}
