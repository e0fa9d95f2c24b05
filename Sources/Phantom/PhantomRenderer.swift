import Dispatch
import Foundation
import Imaging

/// Renders a phantom model into a CT volume the way a scanner would see it: partial-volume averaging inside
/// each voxel (supersampled where tissues meet), a Gaussian point-spread function, streaks from dense cement
/// and Gaussian noise, quantised to whole HU.
public struct PhantomRenderer: Sendable {
    public let model: SpineModel

    public init(model: SpineModel) { self.model = model }

    /// The voxel grid of the scan: axial slices, field of view centred near the treated body.
    public var geometry: VolumeGeometry {
        let p = model.parameters
        let centre = p.treated.centre + p.fieldOffset
        let half = SIMD3(Double(p.matrix - 1) * p.pixelSpacing, Double(p.matrix - 1) * p.pixelSpacing,
                         Double(p.sliceCount - 1) * p.sliceSpacing) / 2
        var origin = centre - half
        if p.reversedSliceDirection { origin.z = centre.z + half.z }
        return VolumeGeometry(size: [p.matrix, p.matrix, p.sliceCount],
                              spacing: [p.pixelSpacing, p.pixelSpacing, p.sliceSpacing], origin: origin,
                              sliceDirection: [0, 0, p.reversedSliceDirection ? -1 : 1])
    }

    /// Mean HU over each voxel, without blur or noise (the partial-volume image).
    public func occupancyImage() -> Volume<Float> {
        let geometry = self.geometry
        let (nx, ny, nz) = (geometry.size.x, geometry.size.y, geometry.size.z)
        let p = model.parameters
        var voxels = [Float](repeating: 0, count: geometry.count)
        let background = backgroundPlane(geometry)
        // Sub-samples about 0.3 mm apart in-plane and 0.35 mm across slices, at least two per axis.
        let sub = SIMD3(max(2, Int((p.pixelSpacing / 0.3).rounded(.up))), max(2, Int((p.pixelSpacing / 0.3).rounded(.up))),
                        max(2, Int((p.sliceSpacing / 0.35).rounded(.up))))
        // Index range of the spine box; everything outside it is background.
        let a = geometry.index(ofPatientPosition: model.spineBounds.0)
        let b = geometry.index(ofPatientPosition: model.spineBounds.1)
        let lo = SIMD3<Int>(pointwiseMax(SIMD3<Double>(repeating: 0), pointwiseMin(a, b).rounded(.down)))
        let hi = SIMD3<Int>(pointwiseMin(SIMD3(Double(nx - 1), Double(ny - 1), Double(nz - 1)),
                                         pointwiseMax(a, b).rounded(.up)))
        let model = self.model
        let hu = p.hu
        // Tissue labels at voxel centres of the spine box plus a one-voxel margin, to find where tissues meet.
        let width = max(0, hi.x - lo.x + 3), height = max(0, hi.y - lo.y + 3), depth = max(0, hi.z - lo.z + 3)
        var labels = [Material](repeating: .background, count: width * height * depth)
        labels.withUnsafeMutableBufferPointer { buffer in
            let output = SharedBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: depth) { c in
                for j in 0..<height {
                    for i in 0..<width {
                        let index = SIMD3(Double(lo.x + i - 1), Double(lo.y + j - 1), Double(lo.z + c - 1))
                        output[(c * height + j) * width + i] = model.material(at: geometry.patientPosition(ofIndex: index))
                    }
                }
            }
        }
        let finalLabels = labels
        voxels.withUnsafeMutableBufferPointer { buffer in
            let output = SharedBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: nz) { k in
                let plane = nx * ny
                for index in 0..<plane { output[k * plane + index] = background[index] }
                guard k >= lo.z, k <= hi.z, lo.x <= hi.x, lo.y <= hi.y else { return }
                let c = k - lo.z + 1
                func label(_ i: Int, _ j: Int, _ c: Int) -> Material { finalLabels[(c * height + j) * width + i] }
                for j in 1..<(height - 1) {
                    for i in 1..<(width - 1) {
                        let centre = label(i, j, c)
                        let uniform = label(i - 1, j, c) == centre && label(i + 1, j, c) == centre
                            && label(i, j - 1, c) == centre && label(i, j + 1, c) == centre
                            && label(i, j, c - 1) == centre && label(i, j, c + 1) == centre
                        let gi = lo.x + i - 1, gj = lo.y + j - 1
                        if uniform {
                            if centre != .background { output[k * plane + gj * nx + gi] = Float(hu.value(centre)) }
                            continue
                        }
                        let backgroundHU = Double(background[gj * nx + gi])
                        var sum = 0.0
                        for cc in 0..<sub.z {
                            for bb in 0..<sub.y {
                                for aa in 0..<sub.x {
                                    let offset = (SIMD3(Double(aa), Double(bb), Double(cc)) + 0.5) / SIMD3<Double>(sub) - 0.5
                                    let point = geometry.patientPosition(ofIndex: SIMD3(Double(gi), Double(gj), Double(k)) + offset)
                                    let material = model.material(at: point)
                                    sum += material == .background ? backgroundHU : hu.value(material)
                                }
                            }
                        }
                        output[k * plane + gj * nx + gi] = Float(sum / Double(sub.x * sub.y * sub.z))
                    }
                }
            }
        }
        return Volume(geometry: geometry, voxels: voxels)
    }

    /// The finished scan: partial volume, blur, streaks and noise, rounded to whole HU.
    public func render() -> HUVolume {
        var image = occupancyImage()
        let p = model.parameters
        GaussianBlur(sigma: SIMD3(repeating: p.psfSigma) / image.geometry.spacing).apply(to: &image)
        addStreaksAndNoise(&image)
        // Like scanners, clip at −1024 HU (stored value 0 with the usual intercept).
        let voxels = image.voxels.map { Int16(max(-1024, min(32767, $0.rounded()))) }
        return HUVolume(geometry: image.geometry, voxels: voxels)
    }

    /// Background HU in the axial plane (same for every slice), supersampled 4×4 at the skin and fat edges.
    private func backgroundPlane(_ geometry: VolumeGeometry) -> [Float] {
        let (nx, ny) = (geometry.size.x, geometry.size.y)
        var plane = [Float](repeating: 0, count: nx * ny)
        for j in 0..<ny {
            for i in 0..<nx {
                var sum = 0.0
                for b in 0..<4 {
                    for a in 0..<4 {
                        let index = SIMD3(Double(i) + (Double(a) + 0.5) / 4 - 0.5, Double(j) + (Double(b) + 0.5) / 4 - 0.5, 0)
                        let point = geometry.patientPosition(ofIndex: index)
                        sum += model.backgroundHU(x: point.x, y: point.y)
                    }
                }
                plane[j * nx + i] = Float(sum / 16)
            }
        }
        return plane
    }

    /// Streaks radiate in-plane from the cement centre on slices through the cement; noise is white and
    /// Gaussian, drawn per slice from the seed so that threads do not change the result.
    private func addStreaksAndNoise(_ image: inout Volume<Float>) {
        let p = model.parameters
        let geometry = image.geometry
        let (nx, ny, nz) = (geometry.size.x, geometry.size.y, geometry.size.z)
        var streakRNG = SeededGenerator(seed: p.seed, stream: "streaks")
        let lobes = Double(6 + Int(streakRNG.next() % 5))
        let phase = streakRNG.uniform(0, 2 * .pi)
        let centre = p.cement.isEmpty ? p.treated.centre
            : p.cement.map(\.centre).reduce(SIMD3<Double>(), +) / Double(p.cement.count)
        let zRange = p.cement.map(\.bounds).reduce((Double.infinity, -Double.infinity)) { (min($0.0, $1.0.z), max($0.1, $1.1.z)) }
        image.voxels.withUnsafeMutableBufferPointer { buffer in
            let output = SharedBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: nz) { k in
                var rng = SeededGenerator(seed: p.seed &+ UInt64(k) &* 0x9e37_79b9, stream: "noise")
                let z = geometry.patientPosition(ofIndex: SIMD3(0, 0, Double(k))).z
                let streaky = p.streakAmplitude > 0 && z >= zRange.0 && z <= zRange.1
                var spare: Double?
                for j in 0..<ny {
                    for i in 0..<nx {
                        var value = Double(output[(k * ny + j) * nx + i])
                        if streaky {
                            let point = geometry.patientPosition(ofIndex: SIMD3(Double(i), Double(j), Double(k)))
                            let dx = point.x - centre.x, dy = point.y - centre.y
                            let r = (dx * dx + dy * dy).squareRoot()
                            if r > 3 {
                                value += p.streakAmplitude * cos(lobes * atan2(dy, dx) + phase) * exp(-r / 40)
                            }
                        }
                        let deviate: Double
                        if let pending = spare {
                            deviate = pending
                            spare = nil
                        } else {
                            let pair = rng.gaussianPair()
                            deviate = pair.0
                            spare = pair.1
                        }
                        output[(k * ny + j) * nx + i] = Float(value + p.noiseSigma * deviate)
                    }
                }
            }
        }
    }
}
