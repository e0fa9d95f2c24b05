/// Where a voxel grid sits in patient space (DICOM LPS, millimetres).
///
/// Index (i, j, k) maps to patient coordinates as
/// `origin + i·spacing.x·rowDirection + j·spacing.y·columnDirection + k·spacing.z·sliceDirection`,
/// where i runs along a row (columns of the image), j down the columns and k across slices.
public struct VolumeGeometry: Equatable, Sendable, Codable {
    /// Voxel counts along i, j, k.
    public var size: SIMD3<Int>
    /// Voxel spacing in mm along i, j, k.
    public var spacing: SIMD3<Double>
    /// Patient position (LPS, mm) of the centre of voxel (0, 0, 0).
    public var origin: SIMD3<Double>
    /// Unit vector of increasing i (DICOM ImageOrientationPatient, first triplet).
    public var rowDirection: SIMD3<Double>
    /// Unit vector of increasing j (ImageOrientationPatient, second triplet).
    public var columnDirection: SIMD3<Double>
    /// Unit vector of increasing k; the slice normal for a right-handed stack, its negative otherwise.
    public var sliceDirection: SIMD3<Double>

    public init(size: SIMD3<Int>, spacing: SIMD3<Double>, origin: SIMD3<Double>,
                rowDirection: SIMD3<Double> = [1, 0, 0], columnDirection: SIMD3<Double> = [0, 1, 0],
                sliceDirection: SIMD3<Double> = [0, 0, 1]) {
        self.size = size
        self.spacing = spacing
        self.origin = origin
        self.rowDirection = rowDirection
        self.columnDirection = columnDirection
        self.sliceDirection = sliceDirection
    }

    /// Number of voxels.
    public var count: Int { size.x * size.y * size.z }

    /// Volume of one voxel in mm³.
    public var voxelVolume: Double { spacing.x * spacing.y * spacing.z }

    /// Patient coordinates (LPS, mm) of a continuous voxel index.
    public func patientPosition(ofIndex index: SIMD3<Double>) -> SIMD3<Double> {
        origin + index.x * spacing.x * rowDirection + index.y * spacing.y * columnDirection
            + index.z * spacing.z * sliceDirection
    }

    /// Continuous voxel index of a patient position (LPS, mm); exact inverse of `patientPosition(ofIndex:)`
    /// for orthonormal directions.
    public func index(ofPatientPosition point: SIMD3<Double>) -> SIMD3<Double> {
        let d = point - origin
        return SIMD3((d * rowDirection).sum() / spacing.x,
                     (d * columnDirection).sum() / spacing.y,
                     (d * sliceDirection).sum() / spacing.z)
    }

    /// The 4×4 index→LPS matrix, row-major, last row (0, 0, 0, 1).
    public var indexToPatient: [[Double]] {
        let a = rowDirection * spacing.x, b = columnDirection * spacing.y, c = sliceDirection * spacing.z
        return [[a.x, b.x, c.x, origin.x], [a.y, b.y, c.y, origin.y], [a.z, b.z, c.z, origin.z], [0, 0, 0, 1]]
    }

    /// Whether two grids coincide to within `tolerance` mm at every corner.
    public func matches(_ other: VolumeGeometry, tolerance: Double = 0.01) -> Bool {
        guard size == other.size else { return false }
        for corner in 0..<8 {
            let index = SIMD3<Double>(corner & 1 == 0 ? 0 : Double(size.x - 1),
                                      corner & 2 == 0 ? 0 : Double(size.y - 1),
                                      corner & 4 == 0 ? 0 : Double(size.z - 1))
            let gap = patientPosition(ofIndex: index) - other.patientPosition(ofIndex: index)
            if (gap * gap).sum().squareRoot() > tolerance { return false }
        }
        return true
    }
}
