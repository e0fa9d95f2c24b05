import Foundation

/// A CT series decoded to Hounsfield units, with what was learnt while loading it.
public struct LoadedSeries: Sendable {
    public var uid: String
    public var modality: String
    public var volume: HUVolume
    /// Transfer syntax UIDs of the files, sorted and unique.
    public var transferSyntaxes: [String]
    /// Files the series came from, in slice order.
    public var files: [String]
    /// True when the series came from one multi-frame (Enhanced CT) file.
    public var isMultiFrame: Bool
    /// True when irregular slice positions were resampled onto a uniform grid.
    public var wasResampled: Bool
    /// Voxels whose HU fell outside the Int16 range and were clamped.
    public var clampedVoxelCount: Int
    /// The largest SliceThickness (0018,0050) of the images (mm): the width of the slice sensitivity profile, which
    /// may exceed the slice step in overlapping reconstructions; nil when no image gives it.
    public var sliceThickness: Double? = nil
}

/// Turns a scanned series into a HU volume: sorts slices along the slice normal, checks the geometry and
/// decodes the pixels through DCMTK.
///
/// Slices are ordered by the projection of ImagePositionPatient on the normal of ImageOrientationPatient,
/// never by file name or InstanceNumber. The slice step is the distance between consecutive positions, not
/// SliceThickness. Stored values become HU as `stored × RescaleSlope + RescaleIntercept`, rounded to whole HU;
/// PixelPaddingValue voxels become −1024 HU (air).
public struct SeriesLoader: Sendable {
    /// Resample irregular slice positions (gaps, non-uniform steps) onto a uniform grid instead of failing.
    public var resampleIrregularSpacing: Bool

    /// HU given to voxels that carry PixelPaddingValue.
    public static let paddingHU: Int16 = -1024

    /// Largest HU volume a series may declare, in bytes (2 GiB: 1 Gi voxels, e.g. 512 × 512 × 4096), checked
    /// before anything is allocated; loading peaks at about 1.2 × the volume.
    public static let memoryBudget = 2 << 30

    /// Pixel spacing, slice step and slice thickness a CT may have (mm): outside it, volumes and counts derived
    /// from them over- or underflow.
    public static let plausibleSpacing = 1e-3...1e3
    /// Largest |coordinate| of ImagePositionPatient (mm).
    public static let plausiblePosition = 1e6

    public init(resampleIrregularSpacing: Bool = false) {
        self.resampleIrregularSpacing = resampleIrregularSpacing
    }

    /// Scans `paths` and loads the series `uid`, or the one `SeriesSelection` picks.
    public func load(paths: [String], seriesUID uid: String? = nil) throws(ImagingError) -> LoadedSeries {
        try select(paths: paths, seriesUID: uid).series
    }

    /// Scans `paths` and loads the series `uid`, or the one `SeriesSelection` picks with `parameters`; with every
    /// candidate series and why it lost.
    public func select(paths: [String], seriesUID uid: String? = nil,
                       parameters: SeriesSelection.Parameters = SeriesSelection.Parameters())
        throws(ImagingError) -> SeriesSelection.Outcome
    {
        let scan = try DICOMScanner.scan(paths)
        return try SeriesSelection.select(scan, uid: uid, location: paths.joined(separator: ", "),
                                          parameters: parameters) { series throws(ImagingError) in try load(series) }
    }

    /// One slice of the series: which frame of which image, and where it lies along the normal.
    private struct Slice {
        var image: Int
        var frame: Int
        var header: DICOMImageHeader.Frame
        var depth: Double
    }

    public func load(_ series: DICOMScan.Series) throws(ImagingError) -> LoadedSeries {
        if let broken = series.broken.first { throw broken }
        let images = series.images
        guard let first = images.first else { throw ImagingError(file: series.uid, "empty series") }
        guard series.isCT else {
            throw ImagingError(file: first.path, tag: DICOMAttribute.modality.description,
                               "modality \(series.modality.isEmpty ? "unknown" : series.modality) is not CT")
        }
        try checkPixelFormat(images, reference: first)
        let firstFrame = first.frames[0]
        let row = SIMD3(firstFrame.orientation[0], firstFrame.orientation[1], firstFrame.orientation[2])
        let column = SIMD3(firstFrame.orientation[3], firstFrame.orientation[4], firstFrame.orientation[5])
        try checkOrientation(row: row, column: column, file: first.path)
        let normal = cross(row, column)

        var slices: [Slice] = []
        for (imageIndex, image) in images.enumerated() {
            for (frameIndex, frame) in image.frames.enumerated() {
                try checkFrame(frame, of: image, against: firstFrame)
                slices.append(Slice(image: imageIndex, frame: frameIndex, header: frame,
                                    depth: dot(frame.position, normal)))
            }
        }
        slices.sort { $0.depth < $1.depth }

        let step = try sliceStep(slices, images: images, normal: normal)
        let size = SIMD3(first.columns, first.rows, slices.count)
        let resampled = step.isUniform ? 0 : ((slices.last!.depth - slices[0].depth) / step.spacing).rounded() + 1
        let sliceCount = max(Double(slices.count), resampled)
        guard Double(size.x) * Double(size.y) * sliceCount * 2 <= Double(Self.memoryBudget) else {
            throw ImagingError(file: first.path, tag: DICOMAttribute.rows.description,
                               "\(first.rows) × \(first.columns) × \(Int(sliceCount)) slices exceed the memory budget of "
                               + "\(Self.memoryBudget >> 30) GiB")
        }
        let geometry = VolumeGeometry(
            size: size, spacing: SIMD3(firstFrame.pixelSpacing[1], firstFrame.pixelSpacing[0], step.spacing),
            origin: slices[0].header.position, rowDirection: row, columnDirection: column, sliceDirection: normal)
        var (volume, clamped) = try decode(slices, images: images, geometry: geometry)
        if !step.isUniform {
            volume = resample(volume, depths: slices.map(\.depth), spacing: step.spacing)
        }
        var order: [String] = []
        var seen = Set<Int>()
        for slice in slices where seen.insert(slice.image).inserted { order.append(images[slice.image].path) }
        return LoadedSeries(
            uid: series.uid, modality: series.modality, volume: volume,
            transferSyntaxes: Array(Set(images.map(\.transferSyntaxUID))).sorted(), files: order,
            isMultiFrame: images.count == 1 && images[0].isMultiFrame, wasResampled: !step.isUniform,
            clampedVoxelCount: clamped, sliceThickness: images.compactMap(\.sliceThickness).filter(\.isFinite).max())
    }

    private func checkPixelFormat(_ images: [DICOMImageHeader], reference: DICOMImageHeader) throws(ImagingError) {
        for image in images {
            guard image.rows == reference.rows, image.columns == reference.columns else {
                throw ImagingError(file: image.path, tag: DICOMAttribute.rows.description,
                                   "mixed matrix sizes in one series: \(image.rows)×\(image.columns) here, "
                                   + "\(reference.rows)×\(reference.columns) in \(reference.path)")
            }
            guard image.samplesPerPixel == 1 else {
                throw ImagingError(file: image.path, tag: DICOMAttribute.samplesPerPixel.description,
                                   "\(image.samplesPerPixel) samples per pixel; CT must be greyscale")
            }
            guard image.bitsAllocated == 16 || image.bitsAllocated == 8 else {
                throw ImagingError(file: image.path, tag: DICOMAttribute.bitsAllocated.description,
                                   "\(image.bitsAllocated) bits allocated; CT must have 8 or 16")
            }
            guard (1...image.bitsAllocated).contains(image.bitsStored), image.highBit == image.bitsStored - 1 else {
                throw ImagingError(file: image.path, tag: DICOMAttribute.bitsStored.description,
                                   "unsupported BitsStored \(image.bitsStored) / HighBit \(image.highBit)")
            }
        }
    }

    private func checkOrientation(row: SIMD3<Double>, column: SIMD3<Double>, file: String) throws(ImagingError) {
        let tolerance = 1e-3
        guard abs(length(row) - 1) < tolerance, abs(length(column) - 1) < tolerance,
              abs(dot(row, column)) < tolerance
        else {
            throw ImagingError(file: file, tag: DICOMAttribute.imageOrientationPatient.description,
                               "direction cosines are not orthonormal")
        }
    }

    private func checkFrame(_ frame: DICOMImageHeader.Frame, of image: DICOMImageHeader,
                            against reference: DICOMImageHeader.Frame) throws(ImagingError) {
        for spacing in frame.pixelSpacing where !Self.plausibleSpacing.contains(spacing) {
            throw ImagingError(file: image.path, tag: DICOMAttribute.pixelSpacing.description,
                               "pixel spacing \(spacing) mm is outside 0.001–1000 mm")
        }
        for coordinate in [frame.position.x, frame.position.y, frame.position.z]
        where !(abs(coordinate) <= Self.plausiblePosition) {
            throw ImagingError(file: image.path, tag: DICOMAttribute.imagePositionPatient.description,
                               "coordinate \(coordinate) mm is beyond ±1 km")
        }
        guard (1e-6...1e4).contains(abs(frame.rescaleSlope)) else {
            throw ImagingError(file: image.path, tag: DICOMAttribute.rescaleSlope.description,
                               "slope \(frame.rescaleSlope) is outside ±1e-6…1e4")
        }
        guard abs(frame.rescaleIntercept) <= 1e6 else {
            throw ImagingError(file: image.path, tag: DICOMAttribute.rescaleIntercept.description,
                               "intercept \(frame.rescaleIntercept) is beyond ±1e6")
        }
        for (a, b) in zip(frame.orientation, reference.orientation) where abs(a - b) > 1e-4 {
            throw ImagingError(file: image.path, tag: DICOMAttribute.imageOrientationPatient.description,
                               "orientation differs from the rest of the series")
        }
        for (a, b) in zip(frame.pixelSpacing, reference.pixelSpacing) where abs(a - b) > 1e-4 * b {
            throw ImagingError(file: image.path, tag: DICOMAttribute.pixelSpacing.description,
                               "pixel spacing \(frame.pixelSpacing) differs from \(reference.pixelSpacing) "
                               + "in the rest of the series")
        }
    }

    private struct Step {
        var spacing: Double
        var isUniform: Bool
    }

    /// The slice spacing, after checking for tilt, duplicates, gaps and uneven steps.
    private func sliceStep(_ slices: [Slice], images: [DICOMImageHeader], normal: SIMD3<Double>)
        throws(ImagingError) -> Step
    {
        guard slices.count > 1 else {
            let thickness = images[0].sliceThickness ?? 1
            guard Self.plausibleSpacing.contains(thickness) else {
                throw ImagingError(file: images[0].path, tag: DICOMAttribute.sliceThickness.description,
                                   "slice thickness \(thickness) mm is outside 0.001–1000 mm")
            }
            return Step(spacing: thickness, isUniform: true)
        }
        func describe(_ slice: Slice) -> String {
            let image = images[slice.image]
            let frame = image.frames.count > 1 ? " frame \(slice.frame + 1)" : ""
            return "\(image.path)\(frame) at \(format(slice.depth)) mm"
        }
        var steps: [Double] = []
        for (a, b) in zip(slices, slices.dropFirst()) {
            let delta = b.header.position - a.header.position
            let along = dot(delta, normal)
            if along < 1e-3 {
                throw ImagingError(file: images[b.image].path, tag: DICOMAttribute.imagePositionPatient.description,
                                   "duplicate slice position: \(describe(a)) and \(describe(b))")
            }
            let inPlane = length(delta - along * normal)
            if inPlane > max(0.02, 0.01 * along) {
                let angle = atan2(inPlane, along) * 180 / .pi
                throw ImagingError(file: images[b.image].path, tag: DICOMAttribute.imagePositionPatient.description,
                                   "gantry tilt: slices shift \(format(inPlane)) mm in-plane per \(format(along)) mm "
                                   + "step (about \(format(angle))°); reconstruct without tilt or resample the series first")
            }
            if along > Self.plausibleSpacing.upperBound {
                throw ImagingError(file: images[b.image].path, tag: DICOMAttribute.imagePositionPatient.description,
                                   "slices \(format(along)) mm apart: \(describe(a)) and \(describe(b))")
            }
            steps.append(along)
        }
        let median = steps.median() ?? 0
        let tolerance = max(0.01, 0.005 * median)
        var irregular: (message: String, file: String)?
        for (index, step) in steps.enumerated() where abs(step - median) > tolerance {
            let missing = (step / median).rounded() - 1
            let a = slices[index], b = slices[index + 1]
            if missing >= 1, abs(step - (missing + 1) * median) <= tolerance * (missing + 1) {
                irregular = ("\(Int(missing)) missing slice(s) between \(describe(a)) and \(describe(b))", images[b.image].path)
            } else {
                irregular = ("non-uniform slice spacing: step of \(format(step)) mm between \(describe(a)) and "
                    + "\(describe(b)), \(format(median)) mm elsewhere", images[b.image].path)
            }
            break
        }
        if let irregular {
            guard resampleIrregularSpacing else {
                throw ImagingError(file: irregular.file, tag: DICOMAttribute.imagePositionPatient.description,
                                   irregular.message + " (use --resample to interpolate onto a uniform grid)")
            }
            return Step(spacing: median, isUniform: false)
        }
        // Uniform: use the mean step, which averages out rounding of the stored positions.
        return Step(spacing: (slices.last!.depth - slices[0].depth) / Double(slices.count - 1), isUniform: true)
    }

    /// Decodes every frame into its slice of the volume.
    private func decode(_ slices: [Slice], images: [DICOMImageHeader], geometry: VolumeGeometry)
        throws(ImagingError) -> (HUVolume, Int)
    {
        let pixelsPerSlice = geometry.size.x * geometry.size.y
        var sliceOfFrame: [[Int]] = images.map { [Int](repeating: -1, count: $0.frames.count) }
        for (k, slice) in slices.enumerated() { sliceOfFrame[slice.image][slice.frame] = k }

        // Files are decoded in parallel (DCMTK objects are independent; its dictionary is read under a lock), each
        // into its own slices of the volume.
        let frameSlices = sliceOfFrame
        var failures = [ImagingError?](repeating: nil, count: images.count)
        var clampedCounts = [Int](repeating: 0, count: images.count)
        // Workers take contiguous runs of files and reuse one stored-value buffer: a fresh half-megabyte buffer per
        // file costs the kernel a page fault per 4 KB, which was as much as the decoding itself.
        let workers = min(images.count, 4 * ProcessInfo.processInfo.activeProcessorCount)
        let voxels = [Int16](unsafeUninitializedCapacity: geometry.count) { buffer, initialized in
            Self.adviseHugePages(UnsafeMutableRawBufferPointer(buffer))
            let volume = SharedBuffer(buffer)
            failures.withUnsafeMutableBufferPointer { failureBuffer in
                clampedCounts.withUnsafeMutableBufferPointer { clampedBuffer in
                    let (failed, clamped) = (SharedBuffer(failureBuffer), SharedBuffer(clampedBuffer))
                    DispatchQueue.concurrentPerform(iterations: workers) { worker in
                        let run = (images.count * worker / workers)..<(images.count * (worker + 1) / workers)
                        let largest = run.map { images[$0].frames.count }.max() ?? 0
                        var words = [UInt16](repeating: 0, count: pixelsPerSlice * largest)
                        for imageIndex in run {
                            let image = images[imageIndex]
                            let count = pixelsPerSlice * image.frames.count
                            do throws(ImagingError) {
                                let object = try DICOMObject(path: image.path)
                                try words.withUnsafeMutableBufferPointer {
                                    (pointer: inout UnsafeMutableBufferPointer<UInt16>) throws(ImagingError) in
                                    try object.pixelWords(into: UnsafeMutableBufferPointer(rebasing: pointer[0..<count]))
                                }
                            } catch {
                                failed[imageIndex] = error
                                continue
                            }
                            let converter = StoredValueConverter(image)
                            for (frameIndex, k) in frameSlices[imageIndex].enumerated() {
                                let frame = image.frames[frameIndex]
                                words.withUnsafeBufferPointer { source in
                                    let input = UnsafeBufferPointer(rebasing: source[(frameIndex * pixelsPerSlice)..<((frameIndex + 1) * pixelsPerSlice)])
                                    let output = UnsafeMutableBufferPointer(start: volume.base + k * pixelsPerSlice, count: pixelsPerSlice)
                                    clamped[imageIndex] += converter.convert(input, into: output, slope: frame.rescaleSlope,
                                                                             intercept: frame.rescaleIntercept)
                                }
                            }
                        }
                    }
                }
            }
            if failures.contains(where: { $0 != nil }) { buffer.initialize(repeating: 0) }
            initialized = geometry.count
        }
        // The first failing file in series order is reported, whichever thread met it first.
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
        let clamped = clampedCounts.reduce(0, +)
        return (HUVolume(geometry: geometry, voxels: voxels), clamped)
    }

    /// Asks the kernel to back a large, not yet touched buffer with 2 MB pages where it can (Linux transparent huge
    /// pages in `madvise` mode): first-touch faults for a 150 MB volume drop from ~38 000 to ~75.
    private static func adviseHugePages(_ buffer: UnsafeMutableRawBufferPointer) {
        #if os(Linux)
        let page = 2 << 20
        guard let base = buffer.baseAddress, buffer.count >= 2 * page else { return }
        let start = (Int(bitPattern: base) + page - 1) / page * page
        let end = (Int(bitPattern: base) + buffer.count) / page * page
        guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(aligned, end - start, MADV_HUGEPAGE)
        #endif
    }

    /// Linear interpolation along the slice axis onto slices `spacing` apart, starting at the first slice.
    private func resample(_ volume: HUVolume, depths: [Double], spacing: Double) -> HUVolume {
        let count = Int(((depths.last! - depths[0]) / spacing).rounded()) + 1
        var geometry = volume.geometry
        geometry.size.z = count
        geometry.spacing.z = spacing
        let plane = geometry.size.x * geometry.size.y
        var output = [Int16](repeating: 0, count: geometry.count)
        var upper = 1
        for k in 0..<count {
            let depth = depths[0] + Double(k) * spacing
            while upper < depths.count - 1 && depths[upper] < depth { upper += 1 }
            let t = min(1, max(0, (depth - depths[upper - 1]) / (depths[upper] - depths[upper - 1])))
            let a = (upper - 1) * plane, b = upper * plane, o = k * plane
            for p in 0..<plane {
                let value = (1 - t) * Double(volume.voxels[a + p]) + t * Double(volume.voxels[b + p])
                output[o + p] = Int16(value.rounded())
            }
        }
        return HUVolume(geometry: geometry, voxels: output)
    }
}

/// Stored pixel value → HU for one image's pixel format.
struct StoredValueConverter {
    let bitsStored: Int
    let isSigned: Bool
    let padding: Int32?

    init(_ image: DICOMImageHeader) {
        bitsStored = image.bitsStored
        isSigned = image.pixelRepresentation == 1
        padding = image.pixelPaddingValue.map { Int32(exactly: $0) ?? Int32.min }
    }

    /// Converts one frame; returns how many voxels were clamped to the Int16 range.
    func convert(_ input: UnsafeBufferPointer<UInt16>, into output: UnsafeMutableBufferPointer<Int16>,
                 slope: Double, intercept: Double) -> Int {
        let shift = UInt16(16 - bitsStored)
        let mask = UInt16(truncatingIfNeeded: (1 << bitsStored) - 1)
        var clamped = 0
        let integral = slope == slope.rounded() && intercept == intercept.rounded() && abs(slope) < 1e4
            && abs(intercept) < 1e6
        let intSlope = integral ? Int32(slope) : 0, intIntercept = integral ? Int32(intercept) : 0
        var start = 0
        // The common case (integer rescale, no padding) in explicit 16-lane chunks: the scalar loop
        // with its clamp count does not vectorise, and this conversion touches every voxel of the series.
        if integral, padding == nil, let source = input.baseAddress, let target = output.baseAddress {
            let chunks = input.count / 16
            let low = SIMD16<Int32>(repeating: Int32(Int16.min)), high = SIMD16<Int32>(repeating: Int32(Int16.max))
            let slopes = SIMD16<Int32>(repeating: intSlope), intercepts = SIMD16<Int32>(repeating: intIntercept)
            var outside = SIMD16<Int32>.zero
            let raw = UnsafeRawPointer(source), rawTarget = UnsafeMutableRawPointer(target)
            for chunk in 0..<chunks {
                let words = raw.loadUnaligned(fromByteOffset: chunk * 32, as: SIMD16<UInt16>.self)
                let stored = isSigned
                    ? SIMD16<Int32>(truncatingIfNeeded: SIMD16<Int16>(truncatingIfNeeded: words &<< shift) &>> Int16(shift))
                    : SIMD16<Int32>(truncatingIfNeeded: words & mask)
                let hu = stored &* slopes &+ intercepts
                let below = hu .< low, above = hu .> high
                let bounded = hu.replacing(with: low, where: below).replacing(with: high, where: above)
                outside &+= SIMD16<Int32>.zero.replacing(with: 1, where: below .| above)
                rawTarget.storeBytes(of: SIMD16<Int16>(truncatingIfNeeded: bounded), toByteOffset: chunk * 32,
                                     as: SIMD16<Int16>.self)
            }
            clamped = Int(outside.wrappedSum())
            start = chunks * 16
        }
        // The remainder of a chunked frame, and every frame with padding or a fractional rescale.
        for index in start..<input.count {
            let word = input[index]
            let stored: Int32 = isSigned ? Int32(Int16(bitPattern: word << shift) >> Int16(shift)) : Int32(word & mask)
            if let padding, stored == padding {
                output[index] = SeriesLoader.paddingHU
                continue
            }
            let hu: Int32 = integral ? stored * intSlope + intIntercept
                : Int32(max(-1e6, min(1e6, (Double(stored) * slope + intercept).rounded())))
            if hu < Int32(Int16.min) || hu > Int32(Int16.max) {
                clamped += 1
                output[index] = hu < 0 ? Int16.min : Int16.max
            } else {
                output[index] = Int16(hu)
            }
        }
        return clamped
    }
}

@inline(__always) func dot(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { (a * b).sum() }
@inline(__always) func length(_ a: SIMD3<Double>) -> Double { dot(a, a).squareRoot() }
@inline(__always) func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

/// A millimetre value with at most three decimals, for messages.
func format(_ value: Double) -> String {
    var text = String(format: "%.3f", value)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text == "-0" ? "0" : text
}
