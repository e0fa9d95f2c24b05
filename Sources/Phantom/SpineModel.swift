import Imaging
import Foundation

/// The phantom's anatomy as a function from a patient position to a tissue class. Both the ground truth and
/// the rendered image are computed from this one function, at different resolutions.
public struct SpineModel: Sendable {
    public let parameters: PhantomParameters
    private let bodies: [VertebralBodyShape]
    private let bodyBounds: [(SIMD3<Double>, SIMD3<Double>)]
    private let cementBounds: (SIMD3<Double>, SIMD3<Double>)
    /// Box outside which only background tissue exists.
    public let spineBounds: (SIMD3<Double>, SIMD3<Double>)

    public init(_ parameters: PhantomParameters) {
        self.parameters = parameters
        bodies = [parameters.treated, parameters.upper, parameters.lower]
        bodyBounds = bodies.map(\.bounds)
        cementBounds = parameters.cement.map(\.bounds).reduce(
            (SIMD3(repeating: Double.infinity), SIMD3(repeating: -Double.infinity))) {
                (pointwiseMin($0.0, $1.0), pointwiseMax($0.1, $1.1))
            }
        let t = parameters.treated, pe = parameters.posterior
        let lateral = max(t.halfWidth + 16,
                          pe.canalHalfWidth + 2 * pe.pedicleHalfWidth + pe.transverseLength + pe.transverseRadius + 2)
        let low = SIMD3(t.centre.x - lateral, t.centre.y - t.halfDepth - 15, parameters.lower.bounds.0.z - 12)
        let high = SIMD3(t.centre.x + lateral, t.centre.y + t.halfDepth + 2 * pe.canalHalfDepth + pe.laminaThickness
                             + pe.spinousLength + 10,
                         parameters.upper.bounds.1.z + 12)
        spineBounds = (low, high)
    }

    @inline(__always) private static func inside(_ p: SIMD3<Double>, _ box: (SIMD3<Double>, SIMD3<Double>)) -> Bool {
        p.x >= box.0.x && p.y >= box.0.y && p.z >= box.0.z && p.x <= box.1.x && p.y <= box.1.y && p.z <= box.1.z
    }

    /// The tissue class at a patient position (mm).
    public func material(at p: SIMD3<Double>) -> Material {
        materialAt(p)
    }

    /// For a point of the treated body where cement may go (inside the shell and endplates), the smallest
    /// cement scale at which some cement mass reaches it; nil elsewhere.
    func cementCriticalScale(at p: SIMD3<Double>) -> Double? {
        guard Self.inside(p, bodyBounds[0]) else { return nil }
        let location = bodies[0].locate(p)
        guard location.isInside, min(location.topGap, location.bottomGap) >= parameters.endplateThickness,
              location.radialGap >= parameters.corticalThickness else { return nil }
        return parameters.cement.map { $0.criticalScale(p) }.min() ?? .infinity
    }

    private func materialAt(_ p: SIMD3<Double>) -> Material {
        guard Self.inside(p, spineBounds) else { return .background }
        for (index, body) in bodies.enumerated() where Self.inside(p, bodyBounds[index]) {
            let location = body.locate(p)
            guard location.isInside else { continue }
            if min(location.topGap, location.bottomGap) < parameters.endplateThickness { return .endplate }
            if location.radialGap < parameters.corticalThickness { return .cortex }
            if index == 0, Self.inside(p, cementBounds), parameters.cement.contains(where: { $0.contains(p) }) {
                return .cement
            }
            return .cancellous
        }
        if let leak = parameters.leak, leak.contains(p) { return .leakedCement }
        if isDisc(p) { return .disc }
        for body in bodies where isPosteriorElement(p, of: body) { return .posteriorElement }
        if isCanal(p) { return .canal }
        return .background
    }

    /// Between two bodies, within the cross-section of the treated body (the reference outline).
    private func isDisc(_ p: SIMD3<Double>) -> Bool {
        guard p.z > parameters.lower.centre.z, p.z < parameters.upper.centre.z else { return false }
        let t = parameters.treated
        let dx = p.x - t.centre.x, dy = p.y - t.centre.y
        guard abs(dx) < t.halfWidth, abs(dy) < t.halfDepth else { return false }
        let rho = (dx * dx + dy * dy).squareRoot()
        guard rho > 0 else { return true }
        return rho < t.radius(cosine: dx / rho, sine: dy / rho) * 0.98
    }

    private func canalCentre(of body: VertebralBodyShape) -> SIMD3<Double> {
        let pe = parameters.posterior
        return SIMD3(body.centre.x, body.centre.y + body.halfDepth * (1 - parameters.treated.posteriorConcavity)
                         + pe.canalHalfDepth + 1, body.centre.z)
    }

    private func isCanal(_ p: SIMD3<Double>) -> Bool {
        let t = parameters.treated, pe = parameters.posterior
        let c = canalCentre(of: t)
        let dx = (p.x - c.x) / pe.canalHalfWidth, dy = (p.y - c.y) / pe.canalHalfDepth
        return dx * dx + dy * dy < 1
    }

    /// Pedicles, lamina, spinous and transverse processes of one vertebra.
    private func isPosteriorElement(_ p: SIMD3<Double>, of body: VertebralBodyShape) -> Bool {
        let pe = parameters.posterior
        let h = body.posteriorHeight
        let c = canalCentre(of: body)
        let dz = p.z - (body.centre.z + 0.12 * h)
        guard abs(dz) < 0.5 * h + 8, p.y > body.centre.y else { return false }
        let dx = p.x - c.x
        // Pedicles: elliptic bars along y from inside the body's posterior wall to the back of the canal.
        let pedicleX = pe.canalHalfWidth + pe.pedicleHalfWidth
        if p.y > body.centre.y + 0.4 * body.halfDepth, p.y < c.y + pe.canalHalfDepth * 0.6 {
            for side in [-1.0, 1.0] {
                let u = (dx - side * pedicleX) / pe.pedicleHalfWidth, v = dz / pe.pedicleHalfHeight
                if u * u + v * v < 1 { return true }
            }
        }
        // Lamina: a curved plate around the back of the canal.
        let ex = dx / (pe.canalHalfWidth + 0.6 * pe.laminaThickness)
        let ey = (p.y - c.y) / (pe.canalHalfDepth + pe.laminaThickness)
        let outer = ex * ex + ey * ey
        let ix = dx / pe.canalHalfWidth, iy = (p.y - c.y) / pe.canalHalfDepth
        if p.y > c.y, outer < 1, ix * ix + iy * iy >= 1, abs(dz) < 0.38 * h { return true }
        // Spinous process: a plate running posteriorly and downwards from the lamina.
        let back = p.y - (c.y + pe.canalHalfDepth)
        if back > 0, back < pe.laminaThickness + pe.spinousLength, abs(dx) < pe.spinousHalfWidth {
            let drop = -0.35 * back
            if abs(dz - drop) < 0.22 * h { return true }
        }
        // Transverse processes: rods running laterally from the pedicle–lamina junction.
        let ty = p.y - c.y, tz = dz - 0.05 * h
        if ty * ty + tz * tz < pe.transverseRadius * pe.transverseRadius, abs(dx) > pedicleX,
           abs(dx) < pedicleX + pe.pedicleHalfWidth + pe.transverseLength {
            return true
        }
        return false
    }

    /// Background tissue in the axial plane: air outside the patient outline, fat under the skin, soft tissue.
    public func backgroundHU(x: Double, y: Double) -> Double {
        let p = parameters
        let cx = p.treated.centre.x, cy = p.treated.centre.y + 35
        let u = (x - cx) / p.outlineHalfWidth, v = (y - cy) / p.outlineHalfDepth
        let r = (u * u + v * v).squareRoot()
        if r >= 1 { return p.hu.air }
        let inner = 1 - p.fatThickness / min(p.outlineHalfWidth, p.outlineHalfDepth)
        return r > inner ? p.hu.fat : p.hu.softTissue
    }
}

extension SpineModel {
    /// Ground-truth masks on a scan's voxel grid, sampled at voxel centres: the treated vertebral body
    /// (1 inside), and cement (1 inside the body, 2 leaked outside it).
    public func masks(on geometry: VolumeGeometry) -> (body: LabelVolume, cement: LabelVolume) {
        var body = LabelVolume(geometry: geometry, repeating: 0)
        var cement = LabelVolume(geometry: geometry, repeating: 0)
        // Only the index box around the treated body and its leaks can hold either mask.
        let (low, high) = parameters.leak.map { leak in
            (pointwiseMin(parameters.treated.bounds.0, leak.bounds.0), pointwiseMax(parameters.treated.bounds.1, leak.bounds.1))
        } ?? parameters.treated.bounds
        var first = SIMD3<Int>(repeating: Int.max), last = SIMD3<Int>(repeating: Int.min)
        for corner in 0..<8 {
            let p = SIMD3(corner & 1 == 0 ? low.x : high.x, corner & 2 == 0 ? low.y : high.y, corner & 4 == 0 ? low.z : high.z)
            let index = geometry.index(ofPatientPosition: p)
            first = pointwiseMin(first, SIMD3<Int>(index.rounded(.down)))
            last = pointwiseMax(last, SIMD3<Int>(index.rounded(.up)))
        }
        first = pointwiseMax(first, SIMD3(repeating: 0))
        last = pointwiseMin(last, geometry.size &- 1)
        guard first.x <= last.x, first.y <= last.y, first.z <= last.z else { return (body, cement) }
        for k in first.z...last.z {
            for j in first.y...last.y {
                for i in first.x...last.x {
                    let p = geometry.patientPosition(ofIndex: SIMD3(Double(i), Double(j), Double(k)))
                    if parameters.treated.contains(p) { body[i, j, k] = 1 }
                    switch material(at: p) {
                    case .cement: cement[i, j, k] = 1
                    case .leakedCement: cement[i, j, k] = 2
                    default: break
                    }
                }
            }
        }
        return (body, cement)
    }
}
