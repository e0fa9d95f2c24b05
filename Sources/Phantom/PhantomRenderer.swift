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

    /// Thickness (mm) of the slice sensitivity profile: a box this wide around each slice position.
    public var sliceThickness: Double { model.parameters.realism?.sliceThickness ?? model.parameters.sliceSpacing }

    /// Mean HU over each voxel — in-plane over the pixel, across the slice over the slice profile's box — without blur
    /// or noise (the partial-volume image), plus the trabecular texture for world phantoms.
    public func occupancyImage() -> Volume<Float> {
        let geometry = self.geometry
        let (nx, ny, nz) = (geometry.size.x, geometry.size.y, geometry.size.z)
        let p = model.parameters
        var voxels = [Float](repeating: 0, count: geometry.count)
        let background = backgroundPlane(geometry)
        let thickness = sliceThickness
        // Sub-samples about 0.3 mm apart in-plane and 0.35 mm across the slice profile, at least two per axis (world
        // phantoms, with far more boundaries, 0.45 and 0.5 mm).
        let (inPlane, across) = p.realism == nil ? (0.3, 0.35) : (0.45, 0.5)
        let sub = SIMD3(max(2, Int((p.pixelSpacing / inPlane).rounded(.up))), max(2, Int((p.pixelSpacing / inPlane).rounded(.up))),
                        max(2, Int((thickness / across).rounded(.up))))
        // Slices on either side whose centres the profile reaches: a voxel is uniform only if they agree too.
        let reach = max(1, Int((thickness / 2 / p.sliceSpacing - 1e-9).rounded(.up)))
        let profile = thickness / p.sliceSpacing
        // Index range of the spine box; everything outside it is background.
        let a = geometry.index(ofPatientPosition: model.spineBounds.0)
        let b = geometry.index(ofPatientPosition: model.spineBounds.1)
        let lo = SIMD3<Int>(pointwiseMax(SIMD3<Double>(repeating: 0), pointwiseMin(a, b).rounded(.down)))
        let hi = SIMD3<Int>(pointwiseMin(SIMD3(Double(nx - 1), Double(ny - 1), Double(nz - 1)),
                                         pointwiseMax(a, b).rounded(.up)))
        let model = self.model
        let hu = p.hu
        let world = p.realism != nil
        let textureGain = p.realism.map { Self.textureGain($0, psf: p.psfSigma) } ?? 0
        // Tissue labels at voxel centres of the spine box plus a margin, to find where tissues meet.
        let width = max(0, hi.x - lo.x + 3), height = max(0, hi.y - lo.y + 3), depth = max(0, hi.z - lo.z + 1 + 2 * reach)
        var labels = [Material](repeating: .background, count: width * height * depth)
        labels.withUnsafeMutableBufferPointer { buffer in
            let output = SharedBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: depth) { c in
                for j in 0..<height {
                    for i in 0..<width {
                        let index = SIMD3(Double(lo.x + i - 1), Double(lo.y + j - 1), Double(lo.z + c - reach))
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
                let c = k - lo.z + reach
                func label(_ i: Int, _ j: Int, _ c: Int) -> Material { finalLabels[(c * height + j) * width + i] }
                for j in 1..<(height - 1) {
                    for i in 1..<(width - 1) {
                        let centre = label(i, j, c)
                        var uniform = label(i - 1, j, c) == centre && label(i + 1, j, c) == centre
                            && label(i, j - 1, c) == centre && label(i, j + 1, c) == centre
                        var step = 1
                        while uniform, step <= reach {
                            uniform = label(i, j, c - step) == centre && label(i, j, c + step) == centre
                            step += 1
                        }
                        let gi = lo.x + i - 1, gj = lo.y + j - 1
                        let voxel = SIMD3(Double(gi), Double(gj), Double(k))
                        if uniform {
                            guard centre != .background else { continue }
                            if world {
                                let point = geometry.patientPosition(ofIndex: voxel)
                                let sample = model.sample(at: point)
                                var value = sample.hu
                                if sample.textureSD > 0 { value += textureGain * sample.textureSD * model.textureValue(at: point) }
                                output[k * plane + gj * nx + gi] = Float(value)
                            } else {
                                output[k * plane + gj * nx + gi] = Float(hu.value(centre))
                            }
                            continue
                        }
                        let backgroundHU = Double(background[gj * nx + gi])
                        var sum = 0.0, texture = 0.0
                        for cc in 0..<sub.z {
                            let dz = ((Double(cc) + 0.5) / Double(sub.z) - 0.5) * profile
                            for bb in 0..<sub.y {
                                for aa in 0..<sub.x {
                                    let offset = SIMD3((Double(aa) + 0.5) / Double(sub.x) - 0.5, (Double(bb) + 0.5) / Double(sub.y) - 0.5, dz)
                                    let point = geometry.patientPosition(ofIndex: voxel + offset)
                                    if world {
                                        let sample = model.sample(at: point)
                                        sum += sample.material == .background ? backgroundHU : sample.hu
                                        texture += sample.textureSD
                                    } else {
                                        let material = model.material(at: point)
                                        sum += material == .background ? backgroundHU : hu.value(material)
                                    }
                                }
                            }
                        }
                        let count = Double(sub.x * sub.y * sub.z)
                        var value = sum / count
                        if texture > 0 {
                            value += textureGain * texture / count * model.textureValue(at: geometry.patientPosition(ofIndex: voxel))
                        }
                        output[k * plane + gj * nx + gi] = Float(value)
                    }
                }
            }
        }
        return Volume(geometry: geometry, voxels: voxels)
    }

    /// Amplitude of the texture field before blur so that its standard deviation after the point-spread function is
    /// the drawn one on thin slices; a thick slice profile averages it further (its box has the variance of a Gaussian
    /// with σ² = T²/12).
    static func textureGain(_ realism: RealismFactors, psf: Double) -> Double {
        let ell = realism.textureLength
        let kept = pow(TrabecularTexture.varianceShare(length: ell, blur: psf), 3)
        let profile = TrabecularTexture.varianceShare(length: ell, blur: realism.sliceThickness / 12.0.squareRoot())
        return (profile / kept).squareRoot()
    }

    /// The finished scan: partial volume, blur, the kernel's edge enhancement, streaks and noise, the field of view,
    /// rounded to whole HU.
    public func render() -> HUVolume {
        var image = occupancyImage()
        let p = model.parameters
        GaussianBlur(sigma: SIMD3(repeating: p.psfSigma) / image.geometry.spacing).apply(to: &image)
        guard let realism = p.realism else {
            addStreaksAndNoise(&image)
            // Like scanners, clip at −1024 HU (stored value 0 with the usual intercept).
            let voxels = image.voxels.map { Int16(max(-1024, min(32767, $0.rounded()))) }
            return HUVolume(geometry: image.geometry, voxels: voxels)
        }
        if realism.kernel == .bone { sharpen(&image, gain: realism.sharpeningGain, sigma: realism.sharpeningSigma) }
        addStreaks(&image)
        addCorrelatedNoise(&image, realism)
        let geometry = image.geometry
        let (nx, ny) = (geometry.size.x, geometry.size.y)
        let ceiling: Float = realism.saturates ? 3071 : 32767
        var voxels = [Int16](repeating: 0, count: image.voxels.count)
        let radius = realism.fieldOfViewRadius
        let middle = SIMD2(Double(nx - 1) / 2, Double(ny - 1) / 2)
        for (n, value) in image.voxels.enumerated() {
            if let radius {
                let i = n % nx, j = (n / nx) % ny
                let d = (SIMD2(Double(i), Double(j)) - middle) * geometry.spacing.x
                if (d * d).sum() > radius * radius {
                    voxels[n] = Self.paddingHU
                    continue
                }
            }
            voxels[n] = Int16(max(-1024, min(ceiling, value.rounded())))
        }
        return HUVolume(geometry: image.geometry, voxels: voxels)
    }

    /// CT number written outside a circular field of view (with PixelPaddingValue naming it).
    public static let paddingHU: Int16 = -3024

    /// The bone kernel: an in-plane unsharp mask, v + g · (v − G_σ ∗ v), giving overshoot and undershoot beside edges.
    private func sharpen(_ image: inout Volume<Float>, gain: Double, sigma: Double) {
        let geometry = image.geometry
        let (nx, ny, nz) = (geometry.size.x, geometry.size.y, geometry.size.z)
        let filter = PlaneFilter(sigma: sigma / geometry.spacing.x)
        image.voxels.withUnsafeMutableBufferPointer { buffer in
            let data = SharedBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: nz) { k in
                let plane = nx * ny
                var original = [Double](repeating: 0, count: plane)
                for n in 0..<plane { original[n] = Double(data[k * plane + n]) }
                var smooth = original
                filter.apply(&smooth, nx: nx, ny: ny)
                for n in 0..<plane { data[k * plane + n] = Float(original[n] + gain * (original[n] - smooth[n])) }
            }
        }
    }

    /// Correlated noise: per slice, white Gaussian noise filtered in-plane (correlation σ of the kernel) and rescaled
    /// to unit variance; neighbouring slices share part of it, nᵢ = (eᵢ + β eᵢ₊₁)/√(1 + β²), so their correlation is
    /// β/(1 + β²) as in overlapping reconstructions. Every field is drawn from the seed and its slice, so threads do
    /// not change the result.
    private func addCorrelatedNoise(_ image: inout Volume<Float>, _ realism: RealismFactors) {
        let p = model.parameters
        let geometry = image.geometry
        let (nx, ny, nz) = (geometry.size.x, geometry.size.y, geometry.size.z)
        let filter = PlaneFilter(sigma: realism.noiseCorrelation / geometry.spacing.x)
        let rho = realism.sliceNoiseCorrelation
        let beta = rho > 1e-6 ? (1 - (1 - 4 * rho * rho).squareRoot()) / (2 * rho) : 0
        let norm = 1 / (1 + beta * beta).squareRoot()
        let seed = p.seed, sigma = p.noiseSigma
        @Sendable func field(_ k: Int) -> [Double] {
            var rng = SeededGenerator(seed: seed &+ UInt64(k) &* 0x9e37_79b9, stream: "world-noise")
            return filter.correlatedNoise(nx: nx, ny: ny, using: &rng)
        }
        let chunk = 8
        image.voxels.withUnsafeMutableBufferPointer { buffer in
            let data = SharedBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: (nz + chunk - 1) / chunk) { c in
                let plane = nx * ny
                var next = field(c * chunk)
                for k in (c * chunk)..<min(nz, (c + 1) * chunk) {
                    let current = next
                    if beta > 0 || k + 1 < min(nz, (c + 1) * chunk) { next = field(k + 1) }
                    for n in 0..<plane {
                        data[k * plane + n] += Float(sigma * norm * (current[n] + beta * next[n]))
                    }
                }
            }
        }
    }

    /// Streaks radiating in-plane from the cement centre on slices through the cement.
    private func addStreaks(_ image: inout Volume<Float>) {
        let p = model.parameters
        guard p.streakAmplitude > 0, !p.cement.isEmpty else { return }
        let geometry = image.geometry
        let (nx, ny, nz) = (geometry.size.x, geometry.size.y, geometry.size.z)
        var streakRNG = SeededGenerator(seed: p.seed, stream: "streaks")
        let lobes = Double(6 + Int(streakRNG.next() % 5))
        let phase = streakRNG.uniform(0, 2 * .pi)
        let localCentre = p.cement.map(\.centre).reduce(SIMD3<Double>(), +) / Double(p.cement.count)
        let centre = p.treated.toScanner(localCentre)
        let box = Rotation(p.treated.pose).bounds(
            of: p.cement.map(\.bounds).reduce(p.cement[0].bounds) { (pointwiseMin($0.0, $1.0), pointwiseMax($0.1, $1.1)) },
            about: p.treated.centre)
        image.voxels.withUnsafeMutableBufferPointer { buffer in
            let output = SharedBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: nz) { k in
                let z = geometry.patientPosition(ofIndex: SIMD3(0, 0, Double(k))).z
                guard z >= box.0.z, z <= box.1.z else { return }
                for j in 0..<ny {
                    for i in 0..<nx {
                        let point = geometry.patientPosition(ofIndex: SIMD3(Double(i), Double(j), Double(k)))
                        let dx = point.x - centre.x, dy = point.y - centre.y
                        let r = (dx * dx + dy * dy).squareRoot()
                        if r > 3 {
                            output[(k * ny + j) * nx + i] += Float(p.streakAmplitude * cos(lobes * atan2(dy, dx) + phase) * exp(-r / 40))
                        }
                    }
                }
            }
        }
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
