import Foundation

/// A vertebral body: a kidney-shaped elliptic cylinder (posterior wall concave), optionally wedge-compressed
/// (anterior height lower than posterior), with concave endplates, modelled upright in its own frame and turned
/// into the scanner's by `pose`. Coordinates are patient LPS mm: x to the left, y posterior, z superior.
public struct VertebralBodyShape: Codable, Sendable, Equatable {
    /// Centre of the cross-section and mid-height.
    public var centre: SIMD3<Double>
    /// Half width (x) and half depth (y) of the elliptic cross-section.
    public var halfWidth: Double
    public var halfDepth: Double
    /// Depth of the posterior concavity as a fraction of the radius (0 = plain ellipse).
    public var posteriorConcavity: Double
    public var posteriorHeight: Double
    public var anteriorHeight: Double
    /// How far the superior endplate (and the inferior one, unless `inferiorConcavity` is set) dips towards the
    /// middle at the centre of the cross-section (mm).
    public var endplateConcavity: Double
    /// Dip of the inferior endplate (mm) when it differs from the superior one.
    public var inferiorConcavity: Double? = nil
    /// Orientation in the scanner; nil is upright.
    public var pose: BodyPose? = nil

    /// Dip of the inferior endplate (mm).
    public var bottomConcavity: Double { inferiorConcavity ?? endplateConcavity }

    /// Radius of the cross-section boundary in direction θ (from +x towards +y).
    public func radius(_ theta: Double) -> Double { radius(cosine: cos(theta), sine: sin(theta)) }

    /// Radius of the boundary in the direction with the given cosine and sine.
    public func radius(cosine c: Double, sine s: Double) -> Double {
        let ellipse = halfWidth * halfDepth / ((halfDepth * c) * (halfDepth * c) + (halfWidth * s) * (halfWidth * s)).squareRoot()
        let bump = s > 0 ? s * s * s * s : 0
        return ellipse * (1 - posteriorConcavity * bump)
    }

    /// Local height of the body at AP position y before endplate concavity (linear wedge).
    public func height(atY y: Double) -> Double {
        let t = min(1, max(0, (y - (centre.y - halfDepth)) / (2 * halfDepth)))
        return anteriorHeight + (posteriorHeight - anteriorHeight) * t
    }

    /// Where a point sits relative to the body: fractional radius q (< 1 inside the cross-section), and the
    /// distances (mm) to the cross-section boundary (radial), the superior and the inferior endplate.
    public struct Location {
        public var q: Double
        public var radialGap: Double
        public var topGap: Double
        public var bottomGap: Double
        public var isInside: Bool { q < 1 && topGap > 0 && bottomGap > 0 }
        /// Smallest distance to the surface, positive inside.
        public var depth: Double { min(radialGap, topGap, bottomGap) }
    }

    /// Where a scanner position sits relative to the body.
    public func locate(_ p: SIMD3<Double>) -> Location { locate(local: toLocal(p)) }

    /// A scanner position in the body's own (upright) frame, about the same centre.
    public func toLocal(_ p: SIMD3<Double>) -> SIMD3<Double> {
        guard pose != nil else { return p }
        return Rotation(pose).applyInverse(p - centre) + centre
    }

    /// A position of the body's own frame in the scanner's.
    public func toScanner(_ q: SIMD3<Double>) -> SIMD3<Double> {
        guard pose != nil else { return q }
        return Rotation(pose).apply(q - centre) + centre
    }

    /// The body's long axis (superior direction) in the scanner's frame.
    public var axis: SIMD3<Double> { Rotation(pose).apply([0, 0, 1]) }

    /// Where a point of the body's own frame sits relative to the body.
    func locate(local p: SIMD3<Double>) -> Location {
        let dx = p.x - centre.x, dy = p.y - centre.y
        let rho = (dx * dx + dy * dy).squareRoot()
        let r = rho > 0 ? radius(cosine: dx / rho, sine: dy / rho) : radius(cosine: 1, sine: 0)
        let q = rho / r
        let profile = max(0, 1 - q * q)
        let half = height(atY: p.y) / 2
        let top = centre.z + half - endplateConcavity * profile, bottom = centre.z - half + bottomConcavity * profile
        return Location(q: q, radialGap: r - rho, topGap: top - p.z, bottomGap: p.z - bottom)
    }

    public func contains(_ p: SIMD3<Double>) -> Bool { locate(p).isInside }

    /// Exact volume (mm³): V = ∫ r(θ)² [ (h̄ − e)/2 + s·r(θ)·sin θ / 3 ] dθ, where h̄ is the height at the
    /// centre, s the wedge slope along y and e the mean of the two endplates' concavities (each dips e(1 − q²)).
    /// A rotation does not change it.
    /// The integrand is periodic and smooth, so the trapezoid rule converges fast; 20 000 nodes give
    /// better than 1e-9 relative accuracy.
    public var volume: Double {
        let meanHeight = height(atY: centre.y)
        let slope = (posteriorHeight - anteriorHeight) / (2 * halfDepth)
        let n = 20_000
        var sum = 0.0
        for index in 0..<n {
            let theta = 2 * Double.pi * Double(index) / Double(n)
            let r = radius(theta)
            sum += r * r * ((meanHeight - (endplateConcavity + bottomConcavity) / 2) / 2 + slope * r * sin(theta) / 3)
        }
        return sum * 2 * Double.pi / Double(n)
    }

    /// Bounding box (min, max corners) in the body's own frame.
    public var localBounds: (SIMD3<Double>, SIMD3<Double>) {
        let h = max(posteriorHeight, anteriorHeight) / 2
        return (centre - SIMD3(halfWidth, halfDepth, h), centre + SIMD3(halfWidth, halfDepth, h))
    }

    /// Bounding box (min, max corners) in patient mm.
    public var bounds: (SIMD3<Double>, SIMD3<Double>) { Rotation(pose).bounds(of: localBounds, about: centre) }
}
