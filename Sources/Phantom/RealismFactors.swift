import Foundation

/// How a phantom is drawn.
public enum PhantomRealism: String, Codable, Sendable, CaseIterable {
    /// The generator as it was before domain randomisation: upright bodies, flat cancellous bone, white noise, slices
    /// as thick as their spacing. Kept so that series and tests made with it stay reproducible.
    case classic
    /// Every factor of real CT (shared/notes/ct-realism.md) drawn at random per seed: domain randomisation.
    case world
}

/// Shape of the treated vertebra's compression fracture.
public enum FractureKind: String, Codable, Sendable, CaseIterable {
    case none
    /// Anterior height below the posterior one.
    case wedge
    /// Both endplates depressed in the middle.
    case biconcave
    /// The whole body lowered.
    case crush
}

/// Reconstruction kernel of the scanner.
public enum ReconstructionKernel: String, Codable, Sendable, CaseIterable {
    /// Smooth: blur only.
    case soft
    /// Sharp: edge overshoot and ringing next to dense structures, more and finer-grained noise.
    case bone
}

/// An ellipsoid of one CT number, axis-aligned in the frame it is given in (gas, calcification).
public struct Ellipsoid: Codable, Sendable, Equatable {
    public var centre: SIMD3<Double>
    public var semiAxes: SIMD3<Double>
    public var hu: Double

    public func contains(_ p: SIMD3<Double>) -> Bool {
        let q = (p - centre) / semiAxes
        return (q * q).sum() < 1
    }

    /// Exact volume (mm³): 4/3 · π · a · b · c.
    public var volume: Double { 4 / 3 * Double.pi * semiAxes.x * semiAxes.y * semiAxes.z }

    var bounds: (SIMD3<Double>, SIMD3<Double>) { (centre - semiAxes, centre + semiAxes) }
}

/// A sclerotic impaction band inside the treated body: a slab of denser bone roughly parallel to an endplate.
public struct ScleroticBand: Codable, Sendable, Equatable {
    /// Distance (mm) from the endplate's inner face to the band's near face.
    public var depth: Double
    public var thickness: Double
    /// HU above the cancellous bone around it.
    public var extraHU: Double
    /// Under the superior endplate; otherwise above the inferior one.
    public var superior: Bool
    /// Tilt against the endplate, as the band's slope along x and along y (mm per mm).
    public var slope: SIMD2<Double>

    // Written with snake_case keys (convertToSnakeCase); the raw values make the acronyms round-trip.
    enum CodingKeys: String, CodingKey {
        case depth, thickness, extraHU = "extraHu", superior, slope
    }
}

/// A bony spur on the rim of an endplate, outside the body.
public struct Osteophyte: Codable, Sendable, Equatable {
    /// Which body: 0 the treated one, 1 the one above, 2 the one below.
    public var body: Int
    public var superior: Bool
    /// Direction of the spur's middle in the axial plane (radians from +x towards +y) and its half-width (radians).
    public var angle: Double
    public var halfAngle: Double
    /// Reach beyond the rim and height along the axis (mm).
    public var reach: Double
    public var height: Double
}

/// A rib: a tube along an arc in the axial plane about a point anterior to the body, dropping as it runs forward.
public struct Rib: Codable, Sendable, Equatable {
    public var centre: SIMD2<Double>
    public var radius: Double
    /// Height of the rib at its head (the costovertebral joint) and its drop per radian of arc (mm).
    public var headZ: Double
    public var dropPerRadian: Double
    /// +1 on the patient's left (+x), −1 on the right.
    public var side: Double
    /// Arc from the head (`headAngle`) forwards to `endAngle`, angles from the lateral direction towards +y.
    public var headAngle: Double
    public var endAngle: Double
    public var tubeRadius: Double
    public var hu: Double
}

/// The aorta, or the iliac arteries below its bifurcation: vertical cylinders, with a calcified arc of the wall.
public struct Vessel: Codable, Sendable, Equatable {
    public var centre: SIMD2<Double>
    public var radius: Double
    public var hu: Double
    /// Calcified wall: HU, thickness (mm), and the arc it covers (start and extent, radians).
    public var calcificationHU: Double?
    public var calcificationThickness: Double
    public var calcificationStart: Double
    public var calcificationExtent: Double

    // Written with snake_case keys (convertToSnakeCase); the raw values make the acronyms round-trip.
    enum CodingKeys: String, CodingKey {
        case centre, radius, hu, calcificationHU = "calcificationHu", calcificationThickness, calcificationStart
        case calcificationExtent
    }
}

/// Tissue around the spine that does not depend on the slice (air, skin, fat, muscle, table, psoas, vessels).
public struct Surroundings: Codable, Sendable, Equatable {
    public var skinThickness: Double
    public var skinHU: Double
    /// Upper face (y, mm) and thickness of the table under the patient's back, its shell and foam core HU.
    public var tableTop: Double
    public var tableThickness: Double
    public var tableShellHU: Double
    public var tableCoreHU: Double
    /// Psoas muscles: centre, half axes (x, y) and HU.
    public var psoasCentres: [SIMD2<Double>]
    public var psoasHalfAxes: SIMD2<Double>
    public var muscleHU: Double
    public var vessels: [Vessel]

    // Written with snake_case keys (convertToSnakeCase); the raw values make the acronyms round-trip.
    enum CodingKeys: String, CodingKey {
        case skinThickness, skinHU = "skinHu", tableTop, tableThickness, tableShellHU = "tableShellHu", tableCoreHU = "tableCoreHu"
        case psoasCentres, psoasHalfAxes, muscleHU = "muscleHu", vessels
    }
}

/// The realism factors of one `world` phantom, as drawn.
public struct RealismFactors: Codable, Sendable, Equatable {
    public var fracture: FractureKind
    public var scleroticBand: ScleroticBand?
    /// Subchondral sclerosis: HU added to cancellous bone at the endplate, decaying over `subchondralDepth` mm.
    public var subchondralHU: Double
    public var subchondralDepth: Double
    /// Trabecular texture: local standard deviation (HU) after the scanner's blur, and its correlation length (mm).
    public var textureSD: Double
    public var textureLength: Double
    /// Gas in an intravertebral cleft of the treated body, in its own frame.
    public var cleftGas: Ellipsoid?
    /// Vacuum phenomenon and calcification in the discs, in scanner coordinates.
    public var discInclusions: [Ellipsoid]
    public var osteophytes: [Osteophyte]
    public var osteophyteHU: Double
    public var ribs: [Rib]
    public var bowelGas: [Ellipsoid]
    public var surroundings: Surroundings
    /// Width (mm) of the interdigitated fringe over which cement mixes with bone.
    public var cementFringe: Double
    public var lowOpacifierCement: Bool
    /// Slice sensitivity profile: a box this thick (mm), sampled every `sliceSpacing`.
    public var sliceThickness: Double
    public var kernel: ReconstructionKernel
    /// Bone kernel: unsharp-mask gain and the standard deviation (mm) of its smoothing.
    public var sharpeningGain: Double
    public var sharpeningSigma: Double
    /// In-plane correlation of the noise (standard deviation of its Gaussian filter, mm) and the correlation of the
    /// noise of neighbouring slices.
    public var noiseCorrelation: Double
    public var sliceNoiseCorrelation: Double
    /// Radius (mm) of the circular field of view about the image centre; nil: the whole square is reconstructed.
    public var fieldOfViewRadius: Double?
    /// CT numbers clip at 3071 HU (12-bit).
    public var saturates: Bool
    /// The scan range ends inside a neighbouring vertebra.
    public var neighbourCut: Bool

    // Written with snake_case keys (convertToSnakeCase); the raw values make the acronyms round-trip.
    enum CodingKeys: String, CodingKey {
        case fracture, scleroticBand, subchondralHU = "subchondralHu", subchondralDepth, textureSD = "textureSd"
        case textureLength, cleftGas, discInclusions, osteophytes, osteophyteHU = "osteophyteHu", ribs, bowelGas
        case surroundings, cementFringe, lowOpacifierCement, sliceThickness, kernel, sharpeningGain, sharpeningSigma
        case noiseCorrelation, sliceNoiseCorrelation, fieldOfViewRadius, saturates, neighbourCut
    }
}
