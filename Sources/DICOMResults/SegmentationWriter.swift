import CDCMTKResults
import CementCore
import Foundation
import Imaging
import RateEngine

/// Writes a DICOM Segmentation (fractional, occupancy) of a measured level through DCMTK's dcmseg: one segment per
/// region, each frame referring to the CT image it segments (Derivation Image and Referenced Series sequences).
///
/// A frame's byte is the voxel's fraction × 255 (MaximumFractionalValue), quantised with error diffusion: voxels of
/// the region are visited in frame order and each one's rounding remainder is carried to the next one, so that a
/// reader that sums fractions × voxel volume (3D Slicer, highdicom) recovers the region's reported volume (its
/// `FractionMap`'s sum) to within a fraction of one voxel. Plain clamping and rounding lose 0.7–1 % of the cement:
/// its partial-volume estimates stray above 1 and below 0 in noise, and a SEG cannot hold those values, but the
/// carry moves the excess to the following voxels of the region; what is left at the region's end (the debt of
/// the negative estimates in its last rows, 0.7 % of the cement on a phantom) is settled backwards from there.
public enum SegmentationWriter {
    /// One segment: what it is and its voxels.
    public struct Segment: Sendable {
        public var label: String
        public var description: String
        public var category: ResultCode
        public var type: ResultCode
        public var trackingID: String
        public var trackingUID: String
        public var fractions: FractionMap

        public init(label: String, description: String, category: ResultCode, type: ResultCode, trackingID: String,
                    trackingUID: String, fractions: FractionMap) {
            self.label = label
            self.description = description
            self.category = category
            self.type = type
            self.trackingID = trackingID
            self.trackingUID = trackingUID
            self.fractions = fractions
        }
    }

    /// Name of the segmentation algorithm written into every segment.
    public static let algorithmName = "CementReport rate engine"

    /// Writes the segments to `path` (atomically).
    public static func write(path: String, identity: ResultIdentity, source: SourceSlices, segments: [Segment])
        throws(ImagingError)
    {
        let g = source.geometry
        guard !segments.isEmpty else { throw ImagingError(file: path, "no segment to write") }
        // Frames are only needed for the slices the segments touch.
        var lowSlice = Int.max, highSlice = -1
        for segment in segments where segment.fractions.size.z > 0 {
            lowSlice = min(lowSlice, segment.fractions.low.z)
            highSlice = max(highSlice, segment.fractions.low.z + segment.fractions.size.z - 1)
        }
        guard highSlice >= lowSlice else { throw ImagingError(file: path, "every segment is empty") }
        let plane = g.size.x * g.size.y
        let arena = CStringArena()
        var slices: [cdcmr_slice] = []
        for k in lowSlice...highSlice {
            let slice = source.slices[k]
            let p = g.patientPosition(ofIndex: SIMD3(0, 0, Double(k)))
            slices.append(cdcmr_slice(sop_class_uid: arena.string(slice.sopClassUID),
                                      sop_instance_uid: arena.string(slice.sopInstanceUID),
                                      frame_number: slice.frameNumber, position: (p.x, p.y, p.z)))
        }
        let sliceCount = highSlice - lowSlice + 1
        let voxels: [[UInt8]] = segments.map { segment in
            var bytes = [UInt8](repeating: 0, count: sliceCount * plane)
            let map = segment.fractions
            // Remainder (in units of 1/255) not yet written; only voxels of the region (non-zero fraction) take it,
            // so no voxel outside the region is marked.
            var carry = 0.0
            var visited: [Int] = []
            for k in 0..<map.size.z {
                for j in 0..<map.size.y {
                    for i in 0..<map.size.x {
                        let fraction = map[i + map.low.x, j + map.low.y, k + map.low.z]
                        guard fraction != 0 else { continue }
                        let wanted = Double(fraction) * 255 + carry
                        let level = min(255, max(0, wanted.rounded()))
                        carry = wanted - level
                        let n = (map.low.z + k - lowSlice) * plane + (map.low.y + j) * g.size.x + map.low.x + i
                        bytes[n] = UInt8(level)
                        visited.append(n)
                    }
                }
            }
            // What the forward pass could not place — the debt of negative estimates in the region's last voxels
            // (the cement's noisy fringe), or an excess above 1 with no room after it — is settled backwards from
            // the region's end, so the segment's sum stays within half a step of the map's.
            for n in visited.reversed() where abs(carry) > 0.5 {
                let level = Double(bytes[n])
                let change = carry > 0 ? min(255 - level, carry.rounded()) : -min(level, (-carry).rounded())
                bytes[n] = UInt8(level + change)
                carry -= change
            }
            return bytes
        }
        var identityC = identity.native(arena)
        let dimensionUID = arena.string(DeterministicUID.make(identity.sopInstanceUID + "/dimensions"))
        let r = g.rowDirection, c = g.columnDirection
        try AtomicFile.write(to: path) { temporary throws(ImagingError) in
            var message = [CChar](repeating: 0, count: 1024)
            let status = slices.withUnsafeBufferPointer { sliceBuffer in
                var grid = cdcmr_grid(
                    series_uid: arena.string(source.seriesUID), frame_of_reference_uid: arena.string(source.frameOfReferenceUID),
                    rows: g.size.y, columns: g.size.x, pixel_spacing: (g.spacing.y, g.spacing.x),
                    slice_thickness: source.sliceThickness, spacing_between_slices: g.spacing.z,
                    orientation: (r.x, r.y, r.z, c.x, c.y, c.z), slices: sliceBuffer.baseAddress, slice_count: sliceCount)
                return withPointers(voxels) { pointers in
                    let native = zip(segments, pointers).map { segment, pointer in
                        cdcmr_segment(label: arena.string(segment.label), description: arena.string(segment.description),
                                      category: arena.code(segment.category), type: arena.code(segment.type),
                                      algorithm_name: arena.string(algorithmName), tracking_id: arena.string(segment.trackingID),
                                      tracking_uid: arena.string(segment.trackingUID), voxels: pointer)
                    }
                    return native.withUnsafeBufferPointer { list in
                        cdcmr_write_segmentation(temporary, &identityC, &grid, list.baseAddress, list.count, 1, dimensionUID,
                                                 &message, message.count)
                    }
                }
            }
            if status != 0 { throw ImagingError(file: path, String(cString: message)) }
        }
    }

    /// Stable pointers to every array's bytes for the duration of `body`.
    private static func withPointers<R>(_ arrays: [[UInt8]], _ body: ([UnsafePointer<UInt8>]) -> R) -> R {
        func nest(_ index: Int, _ collected: [UnsafePointer<UInt8>]) -> R {
            guard index < arrays.count else { return body(collected) }
            return arrays[index].withUnsafeBufferPointer { nest(index + 1, collected + [$0.baseAddress!]) }
        }
        return nest(0, [])
    }
}
