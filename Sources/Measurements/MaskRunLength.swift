import Foundation
import Imaging

/// A label mask as runs of equal voxels: (label UInt8, run length UInt32 little-endian) pairs in voxel order.
/// Masks are mostly background, so a 5 MB mask takes a few kilobytes.
enum MaskRunLength {
    static func encode(_ voxels: [UInt8]) -> Data {
        var data = Data()
        var index = 0
        while index < voxels.count {
            let value = voxels[index]
            var end = index + 1
            while end < voxels.count, voxels[end] == value, end - index < Int(UInt32.max) { end += 1 }
            data.append(value)
            withUnsafeBytes(of: UInt32(end - index).littleEndian) { data.append(contentsOf: $0) }
            index = end
        }
        return data
    }

    /// The voxels of `data`, which must hold exactly `count` of them.
    static func decode(_ data: Data, count: Int, file: String) throws(MeasurementCacheError) -> [UInt8] {
        guard data.count % 5 == 0 else { throw MeasurementCacheError(file: file, "not a run-length mask (\(data.count) bytes)") }
        var voxels: [UInt8] = []
        voxels.reserveCapacity(count)
        let bytes = [UInt8](data)
        var offset = 0
        while offset < bytes.count {
            let run = Int(UInt32(bytes[offset + 1]) | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3]) << 16
                          | UInt32(bytes[offset + 4]) << 24)
            guard run > 0, voxels.count + run <= count else {
                throw MeasurementCacheError(file: file, "the mask holds more voxels than its series (\(count))")
            }
            voxels.append(contentsOf: repeatElement(bytes[offset], count: run))
            offset += 5
        }
        guard voxels.count == count else {
            throw MeasurementCacheError(file: file, "the mask holds \(voxels.count) voxels, its series \(count)")
        }
        return voxels
    }
}
