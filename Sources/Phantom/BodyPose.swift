import Foundation

/// Orientation of a vertebra against the scanner axes, as three rotations about the body's centre: pitch about the
/// left–right axis (sagittal tilt: lordosis, kyphosis), roll about the antero-posterior axis (coronal tilt:
/// scoliosis) and yaw about the long axis (axial rotation). The body is modelled upright in its own frame and turned
/// by R = R_z(yaw) · R_y(roll) · R_x(pitch); a scanner position p maps into the body's frame by Rᵀ(p − centre).
public struct BodyPose: Codable, Sendable, Equatable {
    public var pitchDegrees: Double
    public var rollDegrees: Double
    public var yawDegrees: Double

    public init(pitchDegrees: Double = 0, rollDegrees: Double = 0, yawDegrees: Double = 0) {
        self.pitchDegrees = pitchDegrees
        self.rollDegrees = rollDegrees
        self.yawDegrees = yawDegrees
    }

    /// The largest of the three angles in magnitude (degrees).
    public var largestAngleDegrees: Double { max(abs(pitchDegrees), abs(rollDegrees), abs(yawDegrees)) }

    /// The pose with each angle increased by the other's.
    func adding(_ other: BodyPose) -> BodyPose {
        BodyPose(pitchDegrees: pitchDegrees + other.pitchDegrees, rollDegrees: rollDegrees + other.rollDegrees,
                 yawDegrees: yawDegrees + other.yawDegrees)
    }
}

/// A rotation matrix stored by rows, precomputed from a pose so that mapping a point costs nine multiplications.
struct Rotation: Sendable {
    let r0: SIMD3<Double>, r1: SIMD3<Double>, r2: SIMD3<Double>
    let isIdentity: Bool

    static let identity = Rotation(r0: [1, 0, 0], r1: [0, 1, 0], r2: [0, 0, 1], isIdentity: true)

    private init(r0: SIMD3<Double>, r1: SIMD3<Double>, r2: SIMD3<Double>, isIdentity: Bool) {
        (self.r0, self.r1, self.r2, self.isIdentity) = (r0, r1, r2, isIdentity)
    }

    init(_ pose: BodyPose?) {
        guard let pose, pose != BodyPose() else {
            self = .identity
            return
        }
        let (p, r, y) = (pose.pitchDegrees * .pi / 180, pose.rollDegrees * .pi / 180, pose.yawDegrees * .pi / 180)
        let rx = [SIMD3<Double>(1, 0, 0), SIMD3(0, cos(p), -sin(p)), SIMD3(0, sin(p), cos(p))]
        let ry = [SIMD3<Double>(cos(r), 0, sin(r)), SIMD3(0, 1, 0), SIMD3(-sin(r), 0, cos(r))]
        let rz = [SIMD3<Double>(cos(y), -sin(y), 0), SIMD3(sin(y), cos(y), 0), SIMD3(0, 0, 1)]
        func product(_ a: [SIMD3<Double>], _ b: [SIMD3<Double>]) -> [SIMD3<Double>] {
            a.map { row in SIMD3((0..<3).map { column in (row * SIMD3(b[0][column], b[1][column], b[2][column])).sum() }) }
        }
        let m = product(rz, product(ry, rx))
        self.init(r0: m[0], r1: m[1], r2: m[2], isIdentity: false)
    }

    /// R · v: from the body's frame to the scanner's.
    @inline(__always) func apply(_ v: SIMD3<Double>) -> SIMD3<Double> {
        isIdentity ? v : SIMD3((r0 * v).sum(), (r1 * v).sum(), (r2 * v).sum())
    }

    /// Rᵀ · v: from the scanner's frame to the body's.
    @inline(__always) func applyInverse(_ v: SIMD3<Double>) -> SIMD3<Double> {
        isIdentity ? v : r0 * v.x + r1 * v.y + r2 * v.z
    }

    /// The axis-aligned box holding a box of the body's frame (around `centre`) once turned into the scanner's frame.
    func bounds(of box: (SIMD3<Double>, SIMD3<Double>), about centre: SIMD3<Double>) -> (SIMD3<Double>, SIMD3<Double>) {
        guard !isIdentity else { return box }
        var low = SIMD3<Double>(repeating: .infinity), high = SIMD3<Double>(repeating: -.infinity)
        for corner in 0..<8 {
            let q = SIMD3(corner & 1 == 0 ? box.0.x : box.1.x, corner & 2 == 0 ? box.0.y : box.1.y,
                          corner & 4 == 0 ? box.0.z : box.1.z)
            let p = apply(q - centre) + centre
            low = pointwiseMin(low, p)
            high = pointwiseMax(high, p)
        }
        return (low, high)
    }
}
