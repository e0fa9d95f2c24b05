/// A 3D voxel grid with its patient-space geometry. Voxels are stored with i fastest, then j, then k.
public struct Volume<Voxel: Sendable>: Sendable {
    /// Placement of the grid in patient space.
    public var geometry: VolumeGeometry
    /// Voxel values, `geometry.count` of them.
    public var voxels: [Voxel]

    /// Wraps existing voxel storage; `voxels.count` must equal `geometry.count`.
    public init(geometry: VolumeGeometry, voxels: [Voxel]) {
        precondition(voxels.count == geometry.count, "voxel count does not match the geometry")
        self.geometry = geometry
        self.voxels = voxels
    }

    /// A grid filled with one value.
    public init(geometry: VolumeGeometry, repeating value: Voxel) {
        self.geometry = geometry
        self.voxels = Array(repeating: value, count: geometry.count)
    }

    /// Linear offset of voxel (i, j, k).
    @inlinable public func offset(_ i: Int, _ j: Int, _ k: Int) -> Int {
        (k * geometry.size.y + j) * geometry.size.x + i
    }

    @inlinable public subscript(i: Int, j: Int, k: Int) -> Voxel {
        get { voxels[offset(i, j, k)] }
        set { voxels[offset(i, j, k)] = newValue }
    }
}

/// A CT volume in Hounsfield units, rounded to whole HU.
public typealias HUVolume = Volume<Int16>

/// A label mask: 0 is background, other values are labels.
public typealias LabelVolume = Volume<UInt8>
