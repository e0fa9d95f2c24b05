/// The treated vertebral body on a grid box around its cement, however it was found.
struct BodySegmentation {
    /// Fraction of each voxel inside the body.
    var occupancy: Occupancy
    var volumeML: Double
    /// Fraction of outline columns whose endplates were seen directly (top, bottom).
    var visibleColumns: (Double, Double)
    /// Area of the body's footprint across the slices.
    var outlineAreaMM2: Double
    /// Whether the body reaches a face of the box.
    var touchesBoxEdge: Bool
    /// Outline area over the area of its convex hull: near 1 for a vertebral body (its posterior wall is only
    /// slightly concave), lower when the outline took in the canal or lost part of the body.
    var solidity = 1.0
    /// Per column of the box: the body's superior and inferior surface (mm from the box's first slice), NaN outside
    /// the body; nil when the body came from a mask.
    var endplates: [SIMD2<Double>]?
    /// How far (mm) an endplate lies from the independent estimate of `EndplateSheets`, the larger of the two;
    /// nil when that estimate found neither sheet (or the body came from a mask).
    var endplateDisagreementMM: Double?
    /// Where the body's axis crosses the box's slices (pixel coordinates of the box) and its superior and inferior
    /// surfaces along it (mm from the box's first slice), for the neighbours' check; nil when the body came from a
    /// mask.
    var axis: (pixel: SIMD2<Double>, top: Double, bottom: Double)?
}
