import Imaging
import Foundation

/// The phantom's anatomy as a function from a patient position to a tissue class and its CT number. Both the ground
/// truth and the rendered image are computed from this one function, at different resolutions. Each vertebra is
/// modelled upright in its own frame; a scanner position is mapped into that frame through the inverse of its pose.
public struct SpineModel: Sendable {
    public let parameters: PhantomParameters
    private let bodies: [VertebralBodyShape]
    private let rotations: [Rotation]
    private let bodyBounds: [(SIMD3<Double>, SIMD3<Double>)]
    /// The cemented levels: the body (index into `bodies`), its cement masses in the body's frame, and the box of
    /// the body's frame holding them with their fringe.
    private let cementLevels: [(body: Int, blobs: [CementBlob], bounds: (SIMD3<Double>, SIMD3<Double>))]
    /// Width (mm) of the cement's interdigitated fringe (0: sharp masses).
    private let fringe: Double
    /// Neighbouring bodies (lower, upper) with a disc between them.
    private let discPairs: [(Int, Int)]
    private let texture: TrabecularTexture?
    /// The world factors' scalars and lists, held apart so that sampling never copies the whole record.
    private let world: WorldTissue?
    private let osteophytes: [Osteophyte]
    private let discInclusions: [Ellipsoid]
    private let ribs: [Rib]
    private let bowelGas: [Ellipsoid]

    private struct WorldTissue: Sendable {
        var subchondralHU: Double, subchondralDepth: Double, textureSD: Double, osteophyteHU: Double
        var band: ScleroticBand?
        var cleft: Ellipsoid?
    }
    /// Box outside which only background tissue exists.
    public let spineBounds: (SIMD3<Double>, SIMD3<Double>)

    /// A sample of the model: the tissue, its CT number, and the standard deviation of the trabecular texture to add.
    public struct Sample: Sendable {
        public var material: Material
        /// CT number; NaN for background tissue, which depends only on the in-plane position (`backgroundHU`).
        public var hu: Double
        public var textureSD: Double
    }

    public init(_ parameters: PhantomParameters) {
        self.parameters = parameters
        bodies = [parameters.treated, parameters.upper, parameters.lower] + (parameters.outer.map { [$0] } ?? [])
        rotations = bodies.map { Rotation($0.pose) }
        bodyBounds = bodies.map(\.bounds)
        let fringe = parameters.realism?.cementFringe ?? 0
        self.fringe = fringe
        var levels = [(body: 0, blobs: parameters.cement)]
        if let second = parameters.secondLevel {
            let index = switch second.position {
            case .above: 1
            case .below: 2
            case .twoAbove, .twoBelow: parameters.outer == nil ? (second.position == .twoAbove ? 1 : 2) : 3
            }
            levels.append((body: index, blobs: second.cement))
        }
        if let outer = parameters.outer {
            discPairs = [(0, 1), (2, 0), outer.centre.z > parameters.treated.centre.z ? (1, 3) : (3, 2)]
        } else {
            discPairs = [(0, 1), (2, 0)]
        }
        cementLevels = levels.map { level in
            let box = level.blobs.map(\.bounds).reduce(
                (SIMD3(repeating: Double.infinity), SIMD3(repeating: -Double.infinity))) {
                    (pointwiseMin($0.0, $1.0), pointwiseMax($0.1, $1.1))
                }
            return (level.body, level.blobs, (box.0 - fringe, box.1 + fringe))
        }
        texture = parameters.realism.map { TrabecularTexture(seed: parameters.seed, length: $0.textureLength) }
        world = parameters.realism.map {
            WorldTissue(subchondralHU: $0.subchondralHU, subchondralDepth: $0.subchondralDepth, textureSD: $0.textureSD,
                        osteophyteHU: $0.osteophyteHU, band: $0.scleroticBand, cleft: $0.cleftGas)
        }
        osteophytes = parameters.realism?.osteophytes ?? []
        discInclusions = parameters.realism?.discInclusions ?? []
        ribs = parameters.realism?.ribs ?? []
        bowelGas = parameters.realism?.bowelGas ?? []
        let t = parameters.treated, pe = parameters.posterior
        let lateral = max(t.halfWidth + 16,
                          pe.canalHalfWidth + 2 * pe.pedicleHalfWidth + pe.transverseLength + pe.transverseRadius + 2)
        var low = SIMD3(t.centre.x - lateral, t.centre.y - t.halfDepth - 15, parameters.lower.bounds.0.z - 12)
        var high = SIMD3(t.centre.x + lateral, t.centre.y + t.halfDepth + 2 * pe.canalHalfDepth + pe.laminaThickness
                             + pe.spinousLength + 10,
                         parameters.upper.bounds.1.z + 12)
        if let realism = parameters.realism {
            // Turned bodies reach further; ribs and bowel gas lie around the spine.
            for box in bodyBounds {
                low = pointwiseMin(low, box.0 - 12)
                high = pointwiseMax(high, box.1 + 12)
            }
            for rib in realism.ribs {
                let reach = rib.radius + rib.tubeRadius + 1
                low = pointwiseMin(low, SIMD3(rib.centre.x - reach, rib.centre.y - reach, rib.headZ - 12))
                high = pointwiseMax(high, SIMD3(rib.centre.x + reach, rib.centre.y + reach, rib.headZ + 12))
            }
            for gas in realism.bowelGas {
                low = pointwiseMin(low, gas.bounds.0 - 1)
                high = pointwiseMax(high, gas.bounds.1 + 1)
            }
        }
        spineBounds = (low, high)
    }

    @inline(__always) private static func inside(_ p: SIMD3<Double>, _ box: (SIMD3<Double>, SIMD3<Double>)) -> Bool {
        p.x >= box.0.x && p.y >= box.0.y && p.z >= box.0.z && p.x <= box.1.x && p.y <= box.1.y && p.z <= box.1.z
    }

    /// A scanner position in the frame of body `index`.
    @inline(__always) private func local(_ p: SIMD3<Double>, _ index: Int) -> SIMD3<Double> {
        rotations[index].isIdentity ? p : rotations[index].applyInverse(p - bodies[index].centre) + bodies[index].centre
    }

    /// The tissue class at a patient position (mm).
    public func material(at p: SIMD3<Double>) -> Material { sample(at: p).material }

    /// For a point of a cemented body's frame where cement may go (inside the shell and endplates), the smallest cement
    /// scale at which some cement mass of that level reaches it; nil elsewhere.
    func cementCriticalScale(atLocal q: SIMD3<Double>, level: Int = 0) -> Double? {
        let body = bodies[cementLevels[level].body]
        let location = body.locate(local: q)
        guard location.isInside, min(location.topGap, location.bottomGap) >= parameters.endplateThickness,
              location.radialGap >= parameters.corticalThickness else { return nil }
        return cementLevels[level].blobs.map { $0.criticalScale(q) }.min() ?? .infinity
    }

    /// The body of cemented level `level` (0 the treated one, 1 a second level).
    func cementedBody(_ level: Int) -> VertebralBodyShape { bodies[cementLevels[level].body] }

    /// Whether a point of a cemented body's frame holds solid cement of that level (what `sample` calls `.cement`).
    func isSolidCement(atLocal q: SIMD3<Double>, level: Int) -> Bool {
        let entry = cementLevels[level]
        guard Self.inside(q, entry.bounds) else { return false }
        guard entry.blobs.contains(where: { $0.contains(q) }) else { return false }
        let body = bodies[entry.body]
        let location = body.locate(local: q)
        return location.isInside && min(location.topGap, location.bottomGap) >= parameters.endplateThickness
            && (location.radialGap >= parameters.corticalThickness || (world != nil && atPedicleRoot(q, of: body)))
    }

    /// Centroid of a level's solid cement (patient mm), by the midpoint rule on a 1 mm grid (for matching levels).
    func cementCentroid(level: Int) -> SIMD3<Double> {
        let entry = cementLevels[level]
        let body = bodies[entry.body]
        let step = 1.0
        let n = SIMD3<Int>(((entry.bounds.1 - entry.bounds.0) / step).rounded(.up))
        var sum = SIMD3<Double>(), count = 0.0
        guard n.x > 0, n.y > 0, n.z > 0 else { return body.centre }
        for k in 0..<n.z {
            for j in 0..<n.y {
                for i in 0..<n.x {
                    let q = entry.bounds.0 + (SIMD3(Double(i), Double(j), Double(k)) + 0.5) * step
                    if isSolidCement(atLocal: q, level: level) {
                        sum += q
                        count += 1
                    }
                }
            }
        }
        return body.toScanner(count > 0 ? sum / count : body.centre)
    }

    /// Share of cement at a point of a cemented body's interior (its frame): 1 inside a mass, falling linearly to 0
    /// across the interdigitated fringe.
    private func cementShare(_ q: SIMD3<Double>, level: Int) -> Double {
        let entry = cementLevels[level]
        guard Self.inside(q, entry.bounds) else { return 0 }
        let fringe = self.fringe
        if fringe <= 0 { return entry.blobs.contains(where: { $0.contains(q) }) ? 1 : 0 }
        var share = 0.0
        for blob in entry.blobs {
            if blob.contains(q) { return 1 }
            // The fringe in the blob's scale units: the width over the mean semi-axis.
            let width = fringe / blob.meanSemiAxis
            let s = blob.criticalScale(q)
            share = max(share, min(1, max(0, (blob.scale + width - s) / width)))
        }
        return share
    }

    /// The tissue and CT number at a patient position (mm).
    public func sample(at p: SIMD3<Double>) -> Sample {
        let hu = parameters.hu
        func plain(_ material: Material) -> Sample { Sample(material: material, hu: hu.value(material), textureSD: 0) }
        guard Self.inside(p, spineBounds) else { return Sample(material: .background, hu: .nan, textureSD: 0) }
        let world = self.world
        for (index, body) in bodies.enumerated() where Self.inside(p, bodyBounds[index]) {
            let q = local(p, index)
            let location = body.locate(local: q)
            guard location.isInside else { continue }
            if min(location.topGap, location.bottomGap) < parameters.endplateThickness { return plain(.endplate) }
            if location.radialGap < parameters.corticalThickness, !(world != nil && atPedicleRoot(q, of: body)) {
                return plain(.cortex)
            }
            let levelIndex = cementLevels.firstIndex { $0.body == index }
            guard let world else {
                if index == 0, let levelIndex, cementShare(q, level: levelIndex) >= 1 { return plain(.cement) }
                return plain(.cancellous)
            }
            var cancellous = hu.cancellous
            var material = Material.cancellous
            let endplateGap = min(location.topGap, location.bottomGap) - parameters.endplateThickness
            if world.subchondralHU > 0 { cancellous += world.subchondralHU * exp(-endplateGap / world.subchondralDepth) }
            if index == 0 {
                if let cleft = world.cleft, cleft.contains(q) {
                    material = .gas
                    cancellous = cleft.hu
                } else if let band = world.band {
                    let gap = (band.superior ? location.topGap : location.bottomGap) - parameters.endplateThickness
                    let tilt = band.slope.x * (q.x - body.centre.x) + band.slope.y * (q.y - body.centre.y)
                    let d = gap - band.depth + tilt
                    if d >= 0, d < band.thickness {
                        material = .scleroticBand
                        cancellous += band.extraHU
                    }
                }
            }
            let textureSD = material == .gas ? 0 : world.textureSD * (1 + 0.6 * exp(-endplateGap / 3))
            if let levelIndex {
                let share = cementShare(q, level: levelIndex)
                if share >= 1 { return plain(.cement) }
                if share > 0 {
                    return Sample(material: .cementFringe, hu: cancellous + share * (hu.cement - cancellous),
                                  textureSD: (1 - share) * textureSD)
                }
            }
            return Sample(material: material, hu: cancellous, textureSD: textureSD)
        }
        if let leak = parameters.leak, leak.contains(local(p, 0)) { return plain(.leakedCement) }
        if let world {
            for spur in osteophytes where isOsteophyte(p, spur) {
                return Sample(material: .osteophyte, hu: world.osteophyteHU, textureSD: 0)
            }
        }
        if isDisc(p) {
            for inclusion in discInclusions where inclusion.contains(p) {
                return Sample(material: inclusion.hu < 0 ? .gas : .calcification, hu: inclusion.hu, textureSD: 0)
            }
            return plain(.disc)
        }
        for index in bodies.indices where isPosteriorElement(local(p, index), of: bodies[index]) {
            return plain(.posteriorElement)
        }
        if isCanal(local(p, 0)) { return plain(.canal) }
        for rib in ribs where isRib(p, rib) { return Sample(material: .rib, hu: rib.hu, textureSD: 0) }
        for gas in bowelGas where gas.contains(p) { return Sample(material: .gas, hu: gas.hu, textureSD: 0) }
        return Sample(material: .background, hu: .nan, textureSD: 0)
    }

    /// The trabecular texture field (unit standard deviation) at a patient position; 0 for classic phantoms.
    func textureValue(at p: SIMD3<Double>) -> Double { texture?.value(at: p) ?? 0 }

    /// Where a pedicle meets the posterior wall: no cortex there, the cancellous bone runs through.
    private func atPedicleRoot(_ q: SIMD3<Double>, of body: VertebralBodyShape) -> Bool {
        let pe = parameters.posterior
        guard q.y > body.centre.y + 0.4 * body.halfDepth else { return false }
        let dz = (q.z - (body.centre.z + 0.12 * body.posteriorHeight)) / pe.pedicleHalfHeight
        let pedicleX = pe.canalHalfWidth + pe.pedicleHalfWidth
        for side in [-1.0, 1.0] {
            let u = (q.x - body.centre.x - side * pedicleX) / pe.pedicleHalfWidth
            if u * u + dz * dz < 1 { return true }
        }
        return false
    }

    /// Between two neighbouring bodies: above the lower one's superior endplate and below the upper one's inferior
    /// endplate, each in its own frame, within both cross-sections (so a disc between turned bodies is a wedge).
    private func isDisc(_ p: SIMD3<Double>) -> Bool {
        guard world != nil else { return isClassicDisc(p) }
        for (lowerIndex, upperIndex) in discPairs {
            let below = bodies[lowerIndex].locate(local: local(p, lowerIndex))
            guard below.topGap < 0, below.q < 0.98 else { continue }
            let above = bodies[upperIndex].locate(local: local(p, upperIndex))
            if above.bottomGap < 0, above.q < 0.98 { return true }
        }
        return false
    }

    /// Between two bodies, within the cross-section of the treated body (the reference outline).
    private func isClassicDisc(_ p: SIMD3<Double>) -> Bool {
        guard p.z > parameters.lower.centre.z, p.z < parameters.upper.centre.z else { return false }
        let t = parameters.treated
        let dx = p.x - t.centre.x, dy = p.y - t.centre.y
        guard abs(dx) < t.halfWidth, abs(dy) < t.halfDepth else { return false }
        let rho = (dx * dx + dy * dy).squareRoot()
        guard rho > 0 else { return true }
        return rho < t.radius(cosine: dx / rho, sine: dy / rho) * 0.98
    }

    /// A bony spur just outside the rim of an endplate, tapering away from it.
    private func isOsteophyte(_ p: SIMD3<Double>, _ spur: Osteophyte) -> Bool {
        let box = bodyBounds[spur.body], margin = spur.reach + spur.height
        guard Self.inside(p, (box.0 - margin, box.1 + margin)) else { return false }
        let body = bodies[spur.body]
        let q = local(p, spur.body)
        let dx = q.x - body.centre.x, dy = q.y - body.centre.y
        let rho = (dx * dx + dy * dy).squareRoot()
        guard rho > 0 else { return false }
        var angle = atan2(dy, dx) - spur.angle
        angle = atan2(sin(angle), cos(angle))
        guard abs(angle) < spur.halfAngle else { return false }
        let excess = rho - body.radius(cosine: dx / rho, sine: dy / rho)
        let half = body.height(atY: q.y) / 2
        let rim = spur.superior ? body.centre.z + half : body.centre.z - half
        let along = spur.superior ? q.z - (rim - 1.5) : (rim + 1.5) - q.z
        guard along > 0, along < spur.height else { return false }
        return excess > 0 && excess < spur.reach * (1 - along / spur.height) * cos(angle / spur.halfAngle * .pi / 2)
    }

    private func isRib(_ p: SIMD3<Double>, _ rib: Rib) -> Bool {
        guard p.z < rib.headZ + rib.tubeRadius,
              p.z > rib.headZ - rib.dropPerRadian * (rib.headAngle - rib.endAngle) - rib.tubeRadius else { return false }
        let dx = rib.side * (p.x - rib.centre.x), dy = p.y - rib.centre.y
        let angle = atan2(dy, dx)
        guard angle <= rib.headAngle, angle >= rib.endAngle else { return false }
        let radial = (dx * dx + dy * dy).squareRoot() - rib.radius
        let dz = p.z - (rib.headZ - rib.dropPerRadian * (rib.headAngle - angle))
        return radial * radial + dz * dz < rib.tubeRadius * rib.tubeRadius
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

    /// Background tissue in the axial plane: air outside the patient outline, skin, fat under it, muscle and organs,
    /// and for world phantoms the table, the psoas muscles and the aorta or iliac arteries.
    public func backgroundHU(x: Double, y: Double) -> Double {
        let p = parameters
        let cx = p.treated.centre.x, cy = p.treated.centre.y + 35
        let u = (x - cx) / p.outlineHalfWidth, v = (y - cy) / p.outlineHalfDepth
        let r = (u * u + v * v).squareRoot()
        let scale = min(p.outlineHalfWidth, p.outlineHalfDepth)
        guard let s = p.realism?.surroundings else {
            if r >= 1 { return p.hu.air }
            let inner = 1 - p.fatThickness / scale
            return r > inner ? p.hu.fat : p.hu.softTissue
        }
        if r >= 1 {
            guard y >= s.tableTop, y < s.tableTop + s.tableThickness, abs(x - cx) < 230 else { return p.hu.air }
            let shell = min(y - s.tableTop, s.tableTop + s.tableThickness - y, 230 - abs(x - cx))
            return shell < 1.5 ? s.tableShellHU : s.tableCoreHU
        }
        if r > 1 - s.skinThickness / scale { return s.skinHU }
        if r > 1 - (s.skinThickness + p.fatThickness) / scale { return p.hu.fat }
        for vessel in s.vessels {
            let dx = x - vessel.centre.x, dy = y - vessel.centre.y
            let rho = (dx * dx + dy * dy).squareRoot()
            guard rho < vessel.radius + vessel.calcificationThickness else { continue }
            if let calcified = vessel.calcificationHU, rho >= vessel.radius {
                var angle = atan2(dy, dx) - vessel.calcificationStart
                angle -= 2 * .pi * (angle / (2 * .pi)).rounded(.down)
                if angle < vessel.calcificationExtent { return calcified }
            }
            if rho < vessel.radius { return vessel.hu }
        }
        for centre in s.psoasCentres {
            let a = (x - centre.x) / s.psoasHalfAxes.x, b = (y - centre.y) / s.psoasHalfAxes.y
            let q = a * a + b * b
            if q < 1 { return s.muscleHU }
            if q < 1.15 { return p.hu.fat }  // the fat plane around the muscle
        }
        return p.hu.softTissue
    }
}

extension SpineModel {
    /// Ground-truth masks on a scan's voxel grid, sampled at voxel centres: the cemented vertebral bodies (1 the treated
    /// one, 2 a second cemented level), and cement (1 inside a body, including the fringe where cement reaches half,
    /// 2 leaked outside it).
    public func masks(on geometry: VolumeGeometry) -> (body: LabelVolume, cement: LabelVolume) {
        var body = LabelVolume(geometry: geometry, repeating: 0)
        var cement = LabelVolume(geometry: geometry, repeating: 0)
        var targets: [(label: UInt8, shape: VertebralBodyShape)] = [(1, parameters.treated)]
        if let second = parameters.secondLevel { targets.append((2, parameters.neighbour(second.position))) }
        var (low, high) = parameters.treated.bounds
        for target in targets {
            low = pointwiseMin(low, target.shape.bounds.0)
            high = pointwiseMax(high, target.shape.bounds.1)
        }
        if let leak = parameters.leak {
            let box = Rotation(parameters.treated.pose).bounds(of: leak.bounds, about: parameters.treated.centre)
            low = pointwiseMin(low, box.0)
            high = pointwiseMax(high, box.1)
        }
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
                    for target in targets where target.shape.contains(p) { body[i, j, k] = target.label }
                    let sample = sample(at: p)
                    switch sample.material {
                    case .cement: cement[i, j, k] = 1
                    case .cementFringe where (sample.hu - parameters.hu.cancellous) * 2 > parameters.hu.cement - parameters.hu.cancellous:
                        cement[i, j, k] = 1
                    case .leakedCement: cement[i, j, k] = 2
                    default: break
                    }
                }
            }
        }
        return (body, cement)
    }
}
