import Foundation

/// Domain randomisation: the factors of real CT (shared/notes/ct-realism.md) drawn per seed for a `world` phantom.
/// Each group of factors has its own random stream, so the classic streams' draws stay as they were.
extension PhantomParameters {
    /// Redraws anatomy, surroundings and scanner over the ranges real CT shows, on top of the classic draws.
    mutating func randomiseForWorld(overrides: Overrides) {
        var anatomy = SeededGenerator(seed: seed, stream: "world-anatomy")
        var around = SeededGenerator(seed: seed, stream: "world-surroundings")
        var scanner = SeededGenerator(seed: seed, stream: "world-scanner")

        // Fracture shape of the treated body; endplates concave by 0.5–2 mm, the superior one deeper.
        let draw = anatomy.uniform(0, 1)
        var fracture: FractureKind = draw < 0.2 ? .none : draw < 0.6 ? .wedge : draw < 0.8 ? .biconcave : .crush
        var t = treated
        t.endplateConcavity = anatomy.uniform(0.5, 2)
        t.inferiorConcavity = t.endplateConcavity * anatomy.uniform(0.5, 0.9)
        var wedge = anatomy.uniform(0.9, 1)
        switch fracture {
        case .none: break
        case .wedge: wedge = anatomy.uniform(0.4, 0.9)
        case .biconcave:
            t.endplateConcavity = anatomy.uniform(2.5, 5)
            t.inferiorConcavity = anatomy.uniform(2, 4)
            wedge = anatomy.uniform(0.85, 1)
        case .crush:
            t.posteriorHeight *= anatomy.uniform(0.6, 0.85)
            wedge = anatomy.uniform(0.75, 1)
        }
        if let ratio = overrides.wedgeRatio {
            wedge = ratio
            if fracture == .none, ratio < 0.9 { fracture = .wedge }
        }
        t.anteriorHeight = t.posteriorHeight * wedge

        // Pose: the treated body in its own frame; neighbours turned a little further along a curved spine axis.
        let pose = BodyPose(pitchDegrees: anatomy.uniform(-20, 20), rollDegrees: anatomy.uniform(-15, 15),
                            yawDegrees: anatomy.uniform(-20, 20))
        t.pose = pose
        func step() -> BodyPose {
            BodyPose(pitchDegrees: anatomy.uniform(-6, 6), rollDegrees: anatomy.uniform(-4, 4), yawDegrees: anatomy.uniform(-4, 4))
        }
        var u = upper, l = lower
        u.pose = pose.adding(step())
        l.pose = pose.adding(step())
        for index in 0..<2 {
            let concavity = anatomy.uniform(0.5, 2), share = anatomy.uniform(0.5, 0.9)
            if index == 0 { (u.endplateConcavity, u.inferiorConcavity) = (concavity, concavity * share) }
            else { (l.endplateConcavity, l.inferiorConcavity) = (concavity, concavity * share) }
        }
        func meanHalfHeight(_ body: VertebralBodyShape) -> Double { (body.posteriorHeight + body.anteriorHeight) / 4 }
        func place(_ body: inout VertebralBodyShape, direction: Double, disc: Double) {
            let sideways = SIMD3(0, body.centre.y - treated.centre.y, 0)
            let middle = t.axis + body.axis
            let along = middle / (middle * middle).sum().squareRoot()
            body.centre = t.centre + direction * (t.axis * meanHalfHeight(t) + along * disc + body.axis * meanHalfHeight(body))
                + sideways
        }
        place(&u, direction: 1, disc: anatomy.uniform(5, 11))
        place(&l, direction: -1, disc: anatomy.uniform(5, 11))
        treated = t
        upper = u
        lower = l

        // Bone: a thin, faint cortical shell; denser endplates; subchondral sclerosis; a sclerotic band; texture.
        corticalThickness = anatomy.uniform(0.3, 1)
        hu.cortex = hu.cancellous + anatomy.uniform(250, 900)
        endplateThickness = anatomy.uniform(0.5, 1.5)
        hu.endplate = hu.cortex + anatomy.uniform(0, 200)
        let subchondral = anatomy.uniform(0, 1) < 0.6
        let subchondralHU = subchondral ? anatomy.uniform(50, 200) : 0, subchondralDepth = anatomy.uniform(1.5, 4)
        let band: ScleroticBand? = anatomy.uniform(0, 1) < 0.55
            ? ScleroticBand(depth: anatomy.uniform(1.5, 5), thickness: anatomy.uniform(2, 5), extraHU: anatomy.uniform(200, 500),
                            superior: anatomy.uniform(0, 1) < 0.7,
                            slope: SIMD2(anatomy.uniform(-0.08, 0.08), anatomy.uniform(-0.08, 0.08)))
            : nil
        let textureSD = anatomy.uniform(15, 40), textureLength = anatomy.uniform(0.6, 1.2)
        let cleft: Ellipsoid? = anatomy.uniform(0, 1) < 0.1
            ? Ellipsoid(centre: t.centre + SIMD3(anatomy.uniform(-0.3, 0.3) * t.halfWidth, -0.5 * t.halfDepth,
                                                 anatomy.uniform(-0.15, 0.15) * t.posteriorHeight),
                        semiAxes: SIMD3(anatomy.uniform(3, 7), anatomy.uniform(2, 4), anatomy.uniform(1.5, 3)),
                        hu: anatomy.uniform(-950, -850))
            : nil

        // Discs: vacuum gas and calcification; osteophytes on the rims.
        var inclusions: [Ellipsoid] = []
        for (neighbour, direction) in [(u, 1.0), (l, -1.0)] {
            let near = t.centre + direction * t.axis * meanHalfHeight(t)
            let far = neighbour.centre - direction * neighbour.axis * meanHalfHeight(neighbour)
            let middle = (near + far) / 2
            if anatomy.uniform(0, 1) < 0.15 {
                inclusions.append(Ellipsoid(centre: middle + SIMD3(anatomy.uniform(-6, 6), anatomy.uniform(-4, 4), 0),
                                            semiAxes: SIMD3(anatomy.uniform(4, 10), anatomy.uniform(3, 6), anatomy.uniform(0.8, 1.5)),
                                            hu: anatomy.uniform(-950, -850)))
            }
            if anatomy.uniform(0, 1) < 0.1 {
                inclusions.append(Ellipsoid(centre: middle + SIMD3(anatomy.uniform(-8, 8), anatomy.uniform(-6, 2), 0),
                                            semiAxes: SIMD3(anatomy.uniform(2, 5), anatomy.uniform(2, 4), anatomy.uniform(1, 2)),
                                            hu: anatomy.uniform(300, 600)))
            }
        }
        var osteophytes: [Osteophyte] = []
        if anatomy.uniform(0, 1) < 0.25 {
            for _ in 0..<(1 + Int(anatomy.next() % 3)) {
                osteophytes.append(Osteophyte(body: Int(anatomy.next() % 3), superior: anatomy.uniform(0, 1) < 0.5,
                                              angle: anatomy.uniform(-1.1 * .pi, 0.1 * .pi), halfAngle: anatomy.uniform(0.3, 0.8),
                                              reach: anatomy.uniform(2, 5), height: anatomy.uniform(2, 5)))
            }
        }
        let osteophyteHU = anatomy.uniform(300, 600)

        // Surroundings: skin, fat, muscle, the table, psoas, aorta (calcified or not), ribs, bowel gas.
        hu.fat = around.uniform(-150, -50)
        hu.softTissue = around.uniform(30, 60)
        let index = Self.spine.firstIndex(of: level) ?? 0
        let lumbarRank = Double(max(0, index - 11))  // 0 at T12 and above, 1 at L1 … 5 at L5
        let back = t.centre.y + 35 + outlineHalfDepth
        var psoas: [SIMD2<Double>] = []
        let psoasHalf = SIMD2(6 + 3.2 * lumbarRank + around.uniform(-2, 2), 6 + 2 * lumbarRank + around.uniform(-2, 2))
        if lumbarRank > 0 {
            for side in [-1.0, 1.0] {
                psoas.append(SIMD2(t.centre.x + side * (t.halfWidth + psoasHalf.x + around.uniform(0, 4)),
                                   t.centre.y + around.uniform(-4, 6)))
            }
        }
        func vessel(x: Double, radius: Double) -> Vessel {
            let calcified = around.uniform(0, 1) < 0.45
            return Vessel(centre: SIMD2(x, t.centre.y - t.halfDepth - radius - around.uniform(3, 8)), radius: radius,
                          hu: around.uniform(30, 50), calcificationHU: calcified ? around.uniform(300, 1500) : nil,
                          calcificationThickness: around.uniform(1, 2.5), calcificationStart: around.uniform(0, 2 * .pi),
                          calcificationExtent: around.uniform(0.7, 3.5))
        }
        let vessels = lumbarRank >= 4
            ? [vessel(x: t.centre.x + around.uniform(12, 25), radius: around.uniform(5, 8)),
               vessel(x: t.centre.x - around.uniform(12, 25), radius: around.uniform(5, 8))]
            : [vessel(x: t.centre.x + around.uniform(8, 22), radius: around.uniform(8, 14))]
        let surroundings = Surroundings(
            skinThickness: around.uniform(1.5, 3), skinHU: around.uniform(20, 70), tableTop: back + around.uniform(0, 3),
            tableThickness: around.uniform(15, 45), tableShellHU: around.uniform(250, 450), tableCoreHU: around.uniform(-950, -800),
            psoasCentres: psoas, psoasHalfAxes: psoasHalf, muscleHU: around.uniform(35, 60), vessels: vessels)
        var ribs: [Rib] = []
        for (offset, body) in [(0, t), (1, u), (-1, l)] where Self.level(level, offset: offset).hasPrefix("T") {
            for side in [-1.0, 1.0] {
                let centre = SIMD2(body.centre.x, body.centre.y - around.uniform(15, 30))
                let head = SIMD2(body.centre.x + side * (body.halfWidth + 4), body.centre.y + 0.55 * body.halfDepth)
                let d = head - centre
                ribs.append(Rib(centre: centre, radius: (d * d).sum().squareRoot(),
                                headZ: body.centre.z + around.uniform(0, 0.3) * body.posteriorHeight,
                                dropPerRadian: around.uniform(3, 8), side: side, headAngle: atan2(d.y, side * d.x),
                                endAngle: -around.uniform(0.6, 1.1), tubeRadius: around.uniform(3.5, 5.5),
                                hu: around.uniform(250, 550)))
            }
        }
        var gas: [Ellipsoid] = []
        if lumbarRank > 0, around.uniform(0, 1) < 0.5 {
            for _ in 0..<(1 + Int(around.next() % 4)) {
                gas.append(Ellipsoid(centre: t.centre + SIMD3(around.uniform(-60, 60), -t.halfDepth - around.uniform(22, 40),
                                                              around.uniform(-25, 25)),
                                     semiAxes: SIMD3(around.uniform(4, 12), around.uniform(3, 8), around.uniform(4, 12)),
                                     hu: around.uniform(-1000, -900)))
            }
        }

        // Scanner: slice thickness 0.5–5 mm in four bands, overlapping reconstructions, 256 or 512 matrices,
        // 0.3–0.98 mm pixels, soft or bone kernels, correlated noise, circular field of view, 12-bit clipping.
        let thickness: Double
        if let given = overrides.sliceThickness ?? overrides.sliceSpacing {
            thickness = given
        } else {
            let bands = [(0.5, 1.0), (1.0, 2.0), (2.0, 3.0), (3.0, 5.0)]
            let band = bands[Int(scanner.next() % 4)]
            thickness = scanner.uniform(band.0, band.1)
        }
        let overlapping = scanner.uniform(0, 1) < 0.45
        let spacing = overrides.sliceSpacing ?? (overlapping ? max(0.4, thickness * scanner.uniform(0.5, 0.8)) : thickness)
        sliceSpacing = spacing
        matrix = overrides.matrix ?? (scanner.uniform(0, 1) < 0.6 ? 256 : 512)
        let finest = max(0.3, 120 / Double(matrix))
        pixelSpacing = overrides.pixelSpacing
            ?? (matrix == 512 ? scanner.uniform(0.3, 0.7) : scanner.uniform(min(finest, 0.9), 0.98))
        psfSigma = overrides.psfSigma ?? scanner.uniform(0.4, 0.8)
        let kernel: ReconstructionKernel = scanner.uniform(0, 1) < 0.4 ? .bone : .soft
        let baseNoise = scanner.uniform(0, 1) < 0.7 ? scanner.uniform(10, 40) : scanner.uniform(40, 80)
        let boneNoise = scanner.uniform(1.2, 1.5)
        noiseSigma = overrides.noiseSigma ?? (kernel == .bone ? min(80, baseNoise * boneNoise) : baseNoise)
        let noiseCorrelation = kernel == .bone ? scanner.uniform(0.25, 0.5) : scanner.uniform(0.5, 1)
        let sharpeningGain = kernel == .bone ? scanner.uniform(0.5, 1.3) : 0
        let sharpeningSigma = scanner.uniform(0.8, 1.3)
        let streaky = scanner.uniform(0, 1) < 0.6, streak = scanner.uniform(30, 150)
        streakAmplitude = (overrides.streaks ?? streaky) ? streak : 0
        let circular = scanner.uniform(0, 1) < 0.7, radiusShare = scanner.uniform(0.9, 1)
        let saturates = scanner.uniform(0, 1) < 0.3
        // Scan range: the three bodies with a margin, or ending inside one neighbour.
        let cut = overrides.sliceCount == nil && scanner.uniform(0, 1) < 0.3
        let cutUpper = scanner.uniform(0, 1) < 0.5, cutShare = scanner.uniform(-0.3, 0.2)
        var top = upper.bounds.1.z + scanner.uniform(2, 8), bottom = lower.bounds.0.z - scanner.uniform(2, 8)
        if cut {
            if cutUpper { top = upper.centre.z + cutShare * upper.posteriorHeight }
            else { bottom = lower.centre.z - cutShare * lower.posteriorHeight }
        }
        if let count = overrides.sliceCount {
            sliceCount = count
        } else {
            sliceCount = min(400, max(24, Int(((top - bottom) / spacing).rounded(.up)) + 1))
            fieldOffset.z = (top + bottom) / 2 - treated.centre.z
        }
        let fieldRadius = circular ? Double(matrix - 1) * pixelSpacing / 2 * radiusShare : nil

        realism = RealismFactors(
            fracture: fracture, scleroticBand: band, subchondralHU: subchondralHU, subchondralDepth: subchondralDepth,
            textureSD: textureSD, textureLength: textureLength, cleftGas: cleft, discInclusions: inclusions,
            osteophytes: osteophytes, osteophyteHU: osteophyteHU, ribs: ribs, bowelGas: gas, surroundings: surroundings,
            cementFringe: 0, lowOpacifierCement: false, sliceThickness: max(thickness, spacing), kernel: kernel,
            sharpeningGain: sharpeningGain, sharpeningSigma: sharpeningSigma, noiseCorrelation: noiseCorrelation,
            sliceNoiseCorrelation: thickness > spacing ? min(0.45, 1 - spacing / thickness) : 0,
            fieldOfViewRadius: fieldRadius, saturates: saturates, neighbourCut: cut)
    }

    /// Cement of a world phantom: opacity (some low-opacifier), the interdigitated fringe, leakage at realistic
    /// rates, and sometimes a second cemented level.
    mutating func drawWorldCement(overrides: Overrides) {
        var rng = SeededGenerator(seed: seed, stream: "world-cement")
        let low = rng.uniform(0, 1) < 0.2
        hu.cement = low ? rng.uniform(1200, 1600) : rng.uniform(1600, 3000)
        realism?.lowOpacifierCement = low
        realism?.cementFringe = rng.uniform(1, 3)
        if overrides.leakage == nil {
            let draw = rng.uniform(0, 1), kind = rng.uniform(0, 1)
            leakage = draw < 0.45
                ? (kind < 0.35 ? .disc : kind < 0.65 ? .vein : kind < 0.8 ? .anterior : .needleTract) : LeakageKind.none
            leak = Self.leakBlob(for: self, using: &rng)
        }
        let second = rng.uniform(0, 1) < 0.2, above = rng.uniform(0, 1) < 0.5, between = rng.uniform(0, 1) < 0.35
        let outerPose = BodyPose(pitchDegrees: rng.uniform(-6, 6), rollDegrees: rng.uniform(-4, 4), yawDegrees: rng.uniform(-4, 4))
        let outerDisc = rng.uniform(5, 11), outerHeight = rng.uniform(18, 28)
        if overrides.secondLevel ?? second {
            // Adjacent, or in a third of the cases with one untreated body between; never the sacrum or beyond the
            // named spine (then the other side).
            let reach = between ? 2 : 1
            let name = Self.level(level, offset: above ? reach : -reach)
            let usable = !name.hasPrefix("S") && name != "?"
            let up = above == usable
            let position: NeighbourPosition = between ? (up ? .twoAbove : .twoBelow) : (up ? .above : .below)
            if between {
                var body = up ? upper : lower
                let inner = body
                body.pose = (inner.pose ?? BodyPose()).adding(outerPose)
                body.posteriorHeight = outerHeight
                body.anteriorHeight = outerHeight * rng.uniform(0.95, 1.02)
                let direction: Double = up ? 1 : -1
                let middle = inner.axis + body.axis
                let along = middle / (middle * middle).sum().squareRoot()
                func half(_ b: VertebralBodyShape) -> Double { (b.posteriorHeight + b.anteriorHeight) / 4 }
                body.centre = inner.centre + direction * (inner.axis * half(inner) + along * outerDisc + body.axis * half(body))
                outer = body
                if overrides.sliceCount == nil {
                    // The scan range takes in the fourth body.
                    let g = PhantomRenderer(model: SpineModel(self)).geometry
                    let ends = [g.patientPosition(ofIndex: [0, 0, 0]).z,
                                g.patientPosition(ofIndex: [0, 0, Double(sliceCount - 1)]).z]
                    var top = ends.max()!, bottom = ends.min()!
                    if up { top = max(top, body.bounds.1.z + 4) } else { bottom = min(bottom, body.bounds.0.z - 4) }
                    sliceCount = min(400, Int(((top - bottom) / sliceSpacing).rounded(.up)) + 1)
                    fieldOffset.z = (top + bottom) / 2 - treated.centre.z
                }
            }
            secondLevel = SecondCementedLevel(position: position,
                                              cement: Self.cementBlobs(for: self, body: neighbour(position), using: &rng),
                                              targetDistributionRate: rng.uniform(5, 30))
        }
    }

    /// The vertebra at `position` (the outer one for two away, the treated one's neighbour when there is none).
    public func neighbour(_ position: NeighbourPosition) -> VertebralBodyShape {
        switch position {
        case .above: upper
        case .below: lower
        case .twoAbove: outer ?? upper
        case .twoBelow: outer ?? lower
        }
    }
}
