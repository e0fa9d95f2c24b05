import CZlib
import Foundation

/// Voxel types NIfTI-1 files can hold here, with their datatype codes.
public protocol NIfTIVoxel: Sendable {
    static var niftiDatatype: Int16 { get }
    static var niftiBitsPerVoxel: Int16 { get }
}

extension Int16: NIfTIVoxel {
    public static var niftiDatatype: Int16 { 4 }
    public static var niftiBitsPerVoxel: Int16 { 16 }
}

extension UInt8: NIfTIVoxel {
    public static var niftiDatatype: Int16 { 2 }
    public static var niftiBitsPerVoxel: Int16 { 8 }
}

extension Float: NIfTIVoxel {
    public static var niftiDatatype: Int16 { 16 }
    public static var niftiBitsPerVoxel: Int16 { 32 }
}

/// Writes volumes and label masks as NIfTI-1 (`.nii`, or gzip-compressed `.nii.gz`).
///
/// NIfTI's world space is RAS while DICOM's is LPS, so the index→world affine is the DICOM one with its
/// first two rows negated. Both the sform and the qform carry it (codes 1, scanner-anatomical), which lets
/// 3D Slicer and ITK-SNAP overlay the file exactly on the DICOM series.
public enum NIfTIWriter {
    /// Writes `volume` to `path`; a name ending in `.gz` is gzip-compressed. The write is atomic.
    public static func write<Voxel: NIfTIVoxel>(_ volume: Volume<Voxel>, to path: String,
                                                description: String = "CementReport") throws(ImagingError) {
        var data = header(for: volume.geometry, datatype: Voxel.niftiDatatype, bits: Voxel.niftiBitsPerVoxel,
                          description: description)
        volume.voxels.withUnsafeBytes { data.append(contentsOf: $0) }
        if path.hasSuffix(".gz") {
            try AtomicFile.write(to: path) { temporary throws(ImagingError) in try gzip(data, to: temporary, name: path) }
        } else {
            try AtomicFile.write(data, to: path, as: ImagingError.self)
        }
    }

    /// The 348-byte header plus the 4-byte empty extension block (voxels start at byte 352).
    static func header(for geometry: VolumeGeometry, datatype: Int16, bits: Int16, description: String) -> Data {
        var bytes = [UInt8](repeating: 0, count: 352)
        func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
            withUnsafeBytes(of: value.littleEndian) { for (i, b) in $0.enumerated() { bytes[offset + i] = b } }
        }
        func put(_ value: Float, at offset: Int) { put(value.bitPattern, at: offset) }

        put(Int32(348), at: 0)  // sizeof_hdr
        put(Int16(3), at: 40)  // dim[0]
        put(Int16(geometry.size.x), at: 42)
        put(Int16(geometry.size.y), at: 44)
        put(Int16(geometry.size.z), at: 46)
        for i in 4...7 { put(Int16(1), at: 40 + 2 * i) }
        put(datatype, at: 70)
        put(bits, at: 72)
        let affine = rasAffine(geometry)
        let (quaternion, qfac) = quaternionParameters(affine, spacing: geometry.spacing)
        put(Float(qfac), at: 76)  // pixdim[0]
        put(Float(geometry.spacing.x), at: 80)
        put(Float(geometry.spacing.y), at: 84)
        put(Float(geometry.spacing.z), at: 88)
        put(Float(352), at: 108)  // vox_offset
        put(Float(1), at: 112)  // scl_slope
        put(Float(0), at: 116)  // scl_inter
        bytes[123] = 2 | 8  // xyzt_units: mm, seconds
        let text = Array(description.utf8.prefix(79))
        for (i, b) in text.enumerated() { bytes[148 + i] = b }
        put(Int16(1), at: 252)  // qform_code: scanner
        put(Int16(1), at: 254)  // sform_code: scanner
        put(Float(quaternion.x), at: 256)
        put(Float(quaternion.y), at: 260)
        put(Float(quaternion.z), at: 264)
        put(Float(affine[0][3]), at: 268)
        put(Float(affine[1][3]), at: 272)
        put(Float(affine[2][3]), at: 276)
        for row in 0..<3 {
            for column in 0..<4 { put(Float(affine[row][column]), at: 280 + 16 * row + 4 * column) }
        }
        for (i, b) in "n+1".utf8.enumerated() { bytes[344 + i] = b }
        return Data(bytes)
    }

    /// Index → RAS affine (3×4, row-major).
    static func rasAffine(_ geometry: VolumeGeometry) -> [[Double]] {
        let lps = geometry.indexToPatient
        return [lps[0].map { -$0 }, lps[1].map { -$0 }, lps[2]]
    }

    /// Quaternion (b, c, d) and qfac of the affine's rotation, as NIfTI-1 defines them: the rotation R
    /// satisfies R·diag(1, 1, qfac) = affine columns / spacing, with qfac = −1 for a left-handed grid.
    static func quaternionParameters(_ affine: [[Double]], spacing: SIMD3<Double>) -> (SIMD3<Double>, Double) {
        var r = (0..<3).map { row in (0..<3).map { column in affine[row][column] / spacing[column] } }
        let determinant = r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1])
            - r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0]) + r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0])
        let qfac: Double = determinant < 0 ? -1 : 1
        if qfac < 0 { for row in 0..<3 { r[row][2] = -r[row][2] } }
        // Shepperd's method: pick the largest of the four squared components for numerical stability.
        let trace = r[0][0] + r[1][1] + r[2][2]
        var a, b, c, d: Double
        if trace > 0 {
            a = 0.5 * (1 + trace).squareRoot()
            b = (r[2][1] - r[1][2]) / (4 * a)
            c = (r[0][2] - r[2][0]) / (4 * a)
            d = (r[1][0] - r[0][1]) / (4 * a)
        } else if r[0][0] >= r[1][1] && r[0][0] >= r[2][2] {
            b = 0.5 * (1 + r[0][0] - r[1][1] - r[2][2]).squareRoot()
            a = (r[2][1] - r[1][2]) / (4 * b)
            c = (r[0][1] + r[1][0]) / (4 * b)
            d = (r[0][2] + r[2][0]) / (4 * b)
        } else if r[1][1] >= r[2][2] {
            c = 0.5 * (1 - r[0][0] + r[1][1] - r[2][2]).squareRoot()
            a = (r[0][2] - r[2][0]) / (4 * c)
            b = (r[0][1] + r[1][0]) / (4 * c)
            d = (r[1][2] + r[2][1]) / (4 * c)
        } else {
            d = 0.5 * (1 - r[0][0] - r[1][1] + r[2][2]).squareRoot()
            a = (r[1][0] - r[0][1]) / (4 * d)
            b = (r[0][2] + r[2][0]) / (4 * d)
            c = (r[1][2] + r[2][1]) / (4 * d)
        }
        // NIfTI stores only b, c, d and takes a ≥ 0.
        if a < 0 { (b, c, d) = (-b, -c, -d) }
        return (SIMD3(b, c, d), qfac)
    }

    private static func gzip(_ data: Data, to temporary: String, name: String) throws(ImagingError) {
        guard let file = gzopen(temporary, "wb6") else { throw ImagingError(file: name, "cannot open for writing") }
        var written = 0
        let ok = data.withUnsafeBytes { raw -> Bool in
            while written < raw.count {
                let chunk = min(1 << 30, raw.count - written)
                let n = gzwrite(file, raw.baseAddress! + written, UInt32(chunk))
                if n <= 0 { return false }
                written += Int(n)
            }
            return true
        }
        let closed = gzclose(file)
        guard ok, closed == Z_OK else { throw ImagingError(file: name, "gzip compression failed") }
    }
}
