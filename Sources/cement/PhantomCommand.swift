import ArgumentParser
import Foundation
import Imaging
import Phantom

extension LeakageKind: ExpressibleByArgument {}
extension CementPattern: ExpressibleByArgument {}
extension PhantomRealism: ExpressibleByArgument {}

/// Options shared by `phantom` and `phantom-suite`.
struct PhantomOptions: ParsableArguments {
    @Option(help: "Matrix size: 128 (small test series), 256 or 512 (default: 256 or 512, drawn from the seed).")
    var matrix: Int?
    @Option(help: ArgumentHelp("How the phantom is drawn: world (every factor of real CT drawn from the seed: pose, "
                               + "fractures, sclerotic bands, texture, surroundings, kernels, correlated noise, overlapping "
                               + "slices …) or classic (the generator before domain randomisation: upright bodies, flat "
                               + "bone, white noise)."))
    var realism: PhantomRealism = .world
    @Option(help: "Pixel spacing in mm, 0.3–0.98 (default: drawn).")
    var spacing: Double?
    @Option(help: "Slice thickness in mm, 0.5–5 (default: drawn); also the spacing unless --slice-spacing is given.")
    var thickness: Double?
    @Option(help: "Spacing between slices in mm, at most the thickness (overlapping reconstruction; world only).")
    var sliceSpacing: Double?
    @Option(help: "Number of slices (default: enough for the three vertebrae).")
    var slices: Int?
    @Option(help: "Noise standard deviation in HU, 10–80 (default: drawn).")
    var noise: Double?
    @Option(help: "Point-spread function standard deviation in mm, 0.4–0.8 (default: drawn).")
    var psf: Double?
    @Option(help: "Cement leakage outside the body: none, disc, vein, anterior or needleTract (default: drawn).")
    var leakage: LeakageKind?
    @Option(help: "Cement pattern: bipedicular, unipedicular or threeMasses (default: drawn).")
    var pattern: CementPattern?
    @Option(help: "Vertebral level label, T10–L5 (default: drawn).")
    var level: String?
    @Option(help: "Anterior/posterior height ratio, 0.4–1 (default: drawn).")
    var wedge: Double?
    @Option(help: ArgumentHelp("A second cemented level, adjacent to the treated one or one body away: true or false "
                               + "(world only; default: drawn)."))
    var secondLevel: Bool?

    func validate() throws {
        if let matrix, ![128, 256, 512].contains(matrix) { throw ValidationError("--matrix must be 128, 256 or 512") }
        if let spacing, !(0.2...1.5).contains(spacing) { throw ValidationError("--spacing must be 0.2–1.5 mm") }
        if let thickness, !(0.5...5).contains(thickness) { throw ValidationError("--thickness must be 0.5–5 mm") }
        if let sliceSpacing {
            guard (0.3...5).contains(sliceSpacing) else { throw ValidationError("--slice-spacing must be 0.3–5 mm") }
            guard realism == .world else { throw ValidationError("--slice-spacing needs --realism world") }
            if let thickness, sliceSpacing > thickness {
                throw ValidationError("--slice-spacing must not exceed --thickness")
            }
        }
        if secondLevel != nil, realism != .world { throw ValidationError("--second-level needs --realism world") }
        if let slices, !(8...1000).contains(slices) { throw ValidationError("--slices must be 8–1000") }
        if let noise, !(0...200).contains(noise) { throw ValidationError("--noise must be 0–200 HU") }
        if let psf, !(0...3).contains(psf) { throw ValidationError("--psf must be 0–3 mm") }
        if let wedge, !(0.4...1).contains(wedge) { throw ValidationError("--wedge must be 0.4–1") }
        if let level, !PhantomParameters.levels.contains(level) {
            throw ValidationError("--level must be one of \(PhantomParameters.levels.joined(separator: ", "))")
        }
    }

    func overrides(distributionRate: Double?) -> PhantomParameters.Overrides {
        var overrides = PhantomParameters.Overrides()
        overrides.distributionRate = distributionRate
        overrides.matrix = matrix
        overrides.pixelSpacing = spacing
        overrides.realism = realism
        overrides.sliceSpacing = sliceSpacing ?? thickness
        overrides.sliceThickness = thickness
        overrides.secondLevel = secondLevel
        overrides.sliceCount = slices
        overrides.noiseSigma = noise
        overrides.psfSigma = psf
        overrides.leakage = leakage
        overrides.pattern = pattern
        overrides.level = level
        overrides.wedgeRatio = wedge
        return overrides
    }
}

/// `cement phantom`: one synthetic post-vertebroplasty CT series with exact ground truth.
struct PhantomCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phantom",
        abstract: "Write a synthetic post-vertebroplasty CT series with its ground truth (truth.json).",
        discussion: """
            Three vertebrae (the treated one in the middle) with cortical shell, endplates and cancellous bone, \
            discs, posterior elements, patient outline, skin, fat, muscle and the table; PMMA cement as one to \
            three irregular masses, optionally leaked outside the body. By default (--realism world) every factor \
            of real CT is drawn from the seed: the vertebrae's pose, wedge/biconcave/crush fractures, sclerotic \
            bands, trabecular texture, psoas, aorta, ribs, bowel gas, interdigitated cement, a second cemented \
            level, slice thickness and spacing, soft or bone kernels, correlated noise, streaks, a circular field \
            of view and 12-bit clipping; truth.json records them under "factors". The truth is computed from the \
            geometric model, not from the image. The same arguments give byte-identical files.

            Examples:
              cement phantom case --dr 22.5 --seed 7 --matrix 256
              cement phantom thick --matrix 256 --thickness 3 --slice-spacing 2 --spacing 0.9 --noise 40 --leakage vein
              cement phantom masked --matrix 256 --truth-masks masked-truth
              cement phantom old --realism classic --seed 7 --matrix 256
            """
    )

    @Argument(help: "Output folder (created).", completion: .directory)
    var folder: String
    @Option(help: ArgumentHelp("Also write the ground-truth masks as NIfTI into this folder: body.nii.gz (1 = treated "
                               + "body) and cement.nii.gz (1 = in the body, 2 = leaked), voxel centres classified.",
                               discussion: "body.nii.gz can be passed to cement rate --body-mask."),
            completion: .directory)
    var truthMasks: String?
    @Option(help: "Distribution rate to reach, in percent (2–35; default: drawn from the seed).")
    var dr: Double?
    @Option(help: "Random seed.")
    var seed: UInt64 = 1
    @Option(help: "Case identifier written to the DICOM (PatientID, and SYNTHETIC^ID as PatientName).")
    var caseID: String?
    @OptionGroup var options: PhantomOptions
    @Flag(help: "Print the truth as JSON on stdout.")
    var json = false

    func validate() throws {
        if let dr, !(0.5...45).contains(dr) { throw ValidationError("--dr must be between 0.5 and 45 percent") }
    }

    func run() throws {
        var overrides = options.overrides(distributionRate: dr)
        overrides.caseID = caseID
        let generator = PhantomGenerator()
        let phantom = generator.makeCase(seed: seed, overrides: overrides)
        let files = try generator.write(phantom, to: folder)
        if let truthMasks {
            let geometry = try SeriesLoader().load(paths: [folder]).volume.geometry
            let (body, cement) = SpineModel(phantom.parameters).masks(on: geometry)
            try NIfTIWriter.write(body, to: truthMasks + "/body.nii.gz")
            try NIfTIWriter.write(cement, to: truthMasks + "/cement.nii.gz")
        }
        let t = phantom.truth
        if json {
            FileHandle.standardOutput.write(try PhantomGenerator.encode(t))
        } else {
            Terminal.note(String(format: "%@: %d slices, body %.3f ml, cement in body %.3f ml, leakage %.3f ml, DR %.2f %%",
                                 folder, files.count, t.vertebralBodyML, t.cementInBodyML, t.leakageML,
                                 t.distributionRatePercent))
        }
    }
}

/// `cement phantom-suite`: many varied phantoms plus an index.
struct PhantomSuiteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phantom-suite",
        abstract: "Write K varied phantoms (case-001 …) and an index.csv of their ground truth.",
        discussion: """
            Each case draws every parameter from seed S+i; options given here are fixed for all cases. \
            index.csv lists case, folder, seed, level, matrix, spacing, slice spacing, noise, leakage, the truth of \
            the treated level, the realism, the slice thickness and the number of cemented levels (every level's \
            truth and the drawn factors are in each case's truth.json).

            Example:
              cement phantom-suite suite --count 4 --seed 1000 --matrix 128
            """
    )

    @Argument(help: "Output folder (created).", completion: .directory)
    var folder: String
    @Option(help: "Number of cases.")
    var count: Int
    @Option(help: "Seed of the first case; case i uses seed + i.")
    var seed: UInt64 = 1
    @OptionGroup var options: PhantomOptions

    func validate() throws {
        guard (1...2000).contains(count) else { throw ValidationError("--count must be 1–2000") }
    }

    func run() throws {
        let generator = PhantomGenerator()
        var rows = ["case,folder,seed,level,matrix,pixel_spacing_mm,slice_spacing_mm,noise_hu,leakage,"
                    + "vertebral_body_ml,cement_in_body_ml,leakage_ml,distribution_rate_percent,realism,slice_thickness_mm,"
                    + "cemented_levels"]
        for index in 0..<count {
            let caseID = String(format: "case-%03d", index + 1)
            var overrides = options.overrides(distributionRate: nil)
            overrides.caseID = caseID
            let phantom = generator.makeCase(seed: seed + UInt64(index), overrides: overrides)
            try generator.write(phantom, to: folder + "/" + caseID)
            let p = phantom.parameters, t = phantom.truth
            rows.append([caseID, caseID, String(p.seed), p.level, String(p.matrix), String(format: "%.4f", p.pixelSpacing),
                         String(format: "%.4f", p.sliceSpacing), String(format: "%.2f", p.noiseSigma), p.leakage.rawValue,
                         String(format: "%.6f", t.vertebralBodyML), String(format: "%.6f", t.cementInBodyML),
                         String(format: "%.6f", t.leakageML), String(format: "%.4f", t.distributionRatePercent),
                         t.factors?.realism.rawValue ?? "classic", String(format: "%.4f", t.factors?.sliceThickness ?? p.sliceSpacing),
                         String(t.levels?.count ?? 1)]
                .joined(separator: ","))
            Terminal.progress("phantom", done: index + 1, of: count)
        }
        try AtomicFile.write(Data((rows.joined(separator: "\n") + "\n").utf8), to: folder + "/index.csv")
    }
}
