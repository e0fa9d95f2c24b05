import CZlib
import Foundation

/// Reads NIfTI-1 volumes and label maps (`.nii` or `.nii.gz`), such as TotalSegmentator output or 3D Slicer and
/// ITK-SNAP label maps, into CementReport's LPS geometry.
public enum NIfTIReader {
    /// Largest image a label map may declare, in bytes of voxel data (as stored) plus one byte per label: checked
    /// from the header before the rest of the file is read or inflated.
    public static let memoryBudget = 2 << 30

    /// Most distinct values a label map may hold: TotalSegmentator's `total` task has 117 labels; a CT volume has
    /// thousands.
    public static let maximumLabelCount = 128

    /// Reads a 3D label map (integer values 0…255, at most `maximumLabelCount` distinct ones). The sform is used
    /// when its code is set, otherwise the qform; RAS is converted to LPS. An image that is not a label map (a CT
    /// volume, an occupancy or probability map) is refused, naming the first voxel that shows it.
    public static func readLabels(_ path: String) throws(ImagingError) -> LabelVolume {
        let data = try contents(path)
        var littleEndian = true
        func int32(_ offset: Int) -> Int32 {
            let raw = data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
            return Int32(bitPattern: littleEndian ? UInt32(littleEndian: raw) : UInt32(bigEndian: raw))
        }
        func int16(_ offset: Int) -> Int16 {
            let raw = data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt16.self) }
            return Int16(bitPattern: littleEndian ? UInt16(littleEndian: raw) : UInt16(bigEndian: raw))
        }
        func float(_ offset: Int) -> Double { Double(Float(bitPattern: UInt32(bitPattern: int32(offset)))) }
        if int32(0) != 348 {
            littleEndian = false
            guard int32(0) == 348 else { throw ImagingError(file: path, "not a NIfTI-1 file (sizeof_hdr is not 348)") }
        }
        let magic = String(decoding: data[344..<347], as: UTF8.self)
        guard magic == "n+1" else { throw ImagingError(file: path, "not a single-file NIfTI-1 image (magic '\(magic)')") }
        let dims = (0..<8).map { Int(int16(40 + 2 * $0)) }
        guard dims[0] >= 3, dims[1] > 0, dims[2] > 0, dims[3] > 0, dims[0] == 3 || dims[4...].prefix(dims[0] - 3).allSatisfy({ $0 == 1 }) else {
            throw ImagingError(file: path, "not a 3D image (dim = \(dims))")
        }
        let size = SIMD3(dims[1], dims[2], dims[3])
        let datatype = int16(70)
        let (offset, bytesPerVoxel) = try layout(path: path, dims: dims, datatype: datatype, voxOffset: float(108))
        let slope = float(112) == 0 ? 1 : float(112), intercept = float(116)
        guard slope.isFinite, intercept.isFinite else {
            throw ImagingError(file: path, "scl_slope \(slope) / scl_inter \(intercept) are not finite")
        }
        let count = size.x * size.y * size.z
        guard data.count >= offset + count * bytesPerVoxel else {
            throw ImagingError(file: path, "voxel data are truncated (\(data.count) bytes for \(count) voxels)")
        }
        var voxels = [UInt8](repeating: 0, count: count)
        var notLabel: (index: Int, value: Double)?
        var seen = [Bool](repeating: false, count: 256)
        data.withUnsafeBytes { raw in
            for index in 0..<count {
                let at = offset + index * bytesPerVoxel
                let value: Double
                switch datatype {
                case 2: value = Double(raw[at])
                case 256: value = Double(Int8(bitPattern: raw[at]))
                case 4, 512:
                    let bits = raw.loadUnaligned(fromByteOffset: at, as: UInt16.self)
                    let host = littleEndian ? UInt16(littleEndian: bits) : UInt16(bigEndian: bits)
                    value = datatype == 4 ? Double(Int16(bitPattern: host)) : Double(host)
                case 8, 768, 16:
                    let bits = raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)
                    let host = littleEndian ? UInt32(littleEndian: bits) : UInt32(bigEndian: bits)
                    value = datatype == 8 ? Double(Int32(bitPattern: host)) : (datatype == 768 ? Double(host) : Double(Float(bitPattern: host)))
                default:
                    let bits = raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)
                    value = Double(bitPattern: littleEndian ? UInt64(littleEndian: bits) : UInt64(bigEndian: bits))
                }
                let scaled = value * slope + intercept
                guard scaled.isFinite, scaled >= 0, scaled <= 255, abs(scaled - scaled.rounded()) <= 1e-3 else {
                    if notLabel == nil { notLabel = (index, scaled) }
                    continue
                }
                voxels[index] = UInt8(scaled.rounded())
                seen[Int(voxels[index])] = true
            }
        }
        if let notLabel {
            let (i, j, k) = (notLabel.index % size.x, (notLabel.index / size.x) % size.y, notLabel.index / (size.x * size.y))
            throw ImagingError(file: path, "not a label map: voxel (\(i), \(j), \(k)) holds \(notLabel.value) (labels are "
                               + "whole numbers 0–255; a CT volume or an occupancy/probability map cannot be a mask)")
        }
        let labelCount = seen.filter { $0 }.count
        guard labelCount <= Self.maximumLabelCount else {
            throw ImagingError(file: path, "not a label map: \(labelCount) distinct values (at most \(Self.maximumLabelCount); "
                               + "continuous values such as a CT volume cannot be a mask)")
        }
        let affine = try rasAffine(path: path, sformCode: int16(254), qformCode: int16(252), float: float)
        guard affine.allSatisfy({ $0.allSatisfy { $0.isFinite && abs($0) < 1e9 } }) else {
            throw ImagingError(file: path, "the affine (sform/qform) has entries that are not finite or beyond 1e9 mm")
        }
        // RAS → LPS: negate the first two rows.
        let columns = (0..<3).map { c in SIMD3(-affine[0][c], -affine[1][c], affine[2][c]) }
        let spacing = SIMD3(length(columns[0]), length(columns[1]), length(columns[2]))
        guard spacing.x > 0, spacing.y > 0, spacing.z > 0 else { throw ImagingError(file: path, "degenerate affine") }
        let geometry = VolumeGeometry(size: size, spacing: spacing, origin: SIMD3(-affine[0][3], -affine[1][3], affine[2][3]),
                                      rowDirection: columns[0] / spacing.x, columnDirection: columns[1] / spacing.y,
                                      sliceDirection: columns[2] / spacing.z)
        return LabelVolume(geometry: geometry, voxels: voxels)
    }

    /// The 3×4 index→RAS affine from the sform, or the qform (NIfTI-1 method 2), or the pixel sizes alone.
    private static func rasAffine(path: String, sformCode: Int16, qformCode: Int16, float: (Int) -> Double)
        throws(ImagingError) -> [[Double]]
    {
        if sformCode > 0 {
            return (0..<3).map { r in (0..<4).map { c in float(280 + 16 * r + 4 * c) } }
        }
        let pixdim = SIMD3(float(80), float(84), float(88))
        guard qformCode > 0 else {
            return [[pixdim.x, 0, 0, 0], [0, pixdim.y, 0, 0], [0, 0, pixdim.z, 0]]
        }
        var b = float(256), c = float(260), d = float(264)
        var a = 1 - (b * b + c * c + d * d)
        if a < 1e-7 {
            let scale = 1 / (b * b + c * c + d * d).squareRoot()
            (b, c, d, a) = (b * scale, c * scale, d * scale, 0)
        } else {
            a = a.squareRoot()
        }
        let qfac = float(76) < 0 ? -1.0 : 1.0
        let rotation = [[a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
                        [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
                        [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b]]
        let scale = [pixdim.x, pixdim.y, pixdim.z * qfac]
        let offset = [float(268), float(272), float(276)]
        return (0..<3).map { r in (0..<3).map { rotation[r][$0] * scale[$0] } + [offset[r]] }
    }

    /// Where the voxels start and how many bytes each takes, after checking the header's dimensions, datatype
    /// and vox_offset against each other and the memory budget.
    static func layout(path: String, dims: [Int], datatype: Int16, voxOffset: Double) throws(ImagingError)
        -> (offset: Int, bytesPerVoxel: Int)
    {
        let bytesPerVoxel: Int
        switch datatype {
        case 2, 256: bytesPerVoxel = 1
        case 4, 512: bytesPerVoxel = 2
        case 8, 768, 16: bytesPerVoxel = 4
        case 64: bytesPerVoxel = 8
        default: throw ImagingError(file: path, "unsupported NIfTI datatype \(datatype)")
        }
        guard voxOffset.isFinite, voxOffset >= 352, voxOffset <= 1e9, voxOffset == voxOffset.rounded() else {
            throw ImagingError(file: path, "vox_offset \(voxOffset) is not a whole number of bytes from 352 on")
        }
        let voxels = Double(dims[1]) * Double(dims[2]) * Double(dims[3])
        guard voxels * Double(bytesPerVoxel + 1) <= Double(memoryBudget) else {
            throw ImagingError(file: path, "\(dims[1]) × \(dims[2]) × \(dims[3]) voxels exceed the memory budget of "
                               + "\(memoryBudget >> 30) GiB")
        }
        return (Int(voxOffset), bytesPerVoxel)
    }

    /// The bytes the header says the file needs (header, extensions, voxels), gunzipped when the name ends in
    /// .gz: the header is read first and checked, so a small file cannot make the reader allocate or inflate more
    /// than the image it declares; anything after the voxels is not read. Only regular files are opened.
    private static func contents(_ path: String) throws(ImagingError) -> Data {
        var info = stat()
        guard stat(path, &info) == 0 else { throw ImagingError(file: path, "no such file") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw ImagingError(file: path, "not a regular file") }
        guard let file = gzopen(path, "rb") else { throw ImagingError(file: path, "cannot open the file") }
        defer { gzclose(file) }
        var data = Data()
        func readUpTo(_ total: Int) throws(ImagingError) {
            var buffer = [UInt8](repeating: 0, count: min(1 << 20, max(1, total - data.count)))
            while data.count < total {
                let n = gzread(file, &buffer, UInt32(min(buffer.count, total - data.count)))
                if n < 0 { throw ImagingError(file: path, "corrupt gzip data") }
                if n == 0 { break }
                data.append(buffer, count: Int(n))
            }
        }
        try readUpTo(352)
        guard data.count >= 352 else { throw ImagingError(file: path, "too short for a NIfTI-1 header") }
        let littleEndian = data.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) } == 348
        if !littleEndian, data.withUnsafeBytes({ UInt32(bigEndian: $0.loadUnaligned(as: UInt32.self)) }) != 348 {
            return data
        }
        func int16(_ offset: Int) -> Int {
            let raw = data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt16.self) }
            return Int(Int16(bitPattern: littleEndian ? UInt16(littleEndian: raw) : UInt16(bigEndian: raw)))
        }
        let rawOffset = data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 108, as: UInt32.self) }
        let voxOffset = Double(Float(bitPattern: littleEndian ? UInt32(littleEndian: rawOffset) : UInt32(bigEndian: rawOffset)))
        let dims = (0..<8).map { int16(40 + 2 * $0) }
        guard dims[1...3].allSatisfy({ $0 > 0 }) else { return data }
        let (offset, bytesPerVoxel) = try layout(path: path, dims: dims, datatype: Int16(int16(70)), voxOffset: voxOffset)
        try readUpTo(offset + dims[1] * dims[2] * dims[3] * bytesPerVoxel)
        return data
    }
}
