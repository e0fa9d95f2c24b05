import CLITestSupport
import Foundation
import Imaging
import XCTest

/// Runs the built `cement` executable as a user would and checks output, JSON contract and exit codes.
final class CLITests: XCTestCase {
    private typealias Result = CommandRun

    private func cement(_ arguments: [String]) throws -> Result {
        return try CommandRunner.run(arguments)
    }

    private func temporaryFolder(_ name: String = #function) -> String {
        let path = NSTemporaryDirectory() + "cementreport-cli/\(name.filter(\.isLetter))-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A 16×12×6 series whose HU are 10·i − 5·j + k − 100, so min, max and mean are known in closed form.
    private func writeSeries(to folder: String, patientName: String = "SYNTHETIC^CLI") throws -> HUVolume {
        let geometry = VolumeGeometry(size: [16, 12, 6], spacing: [0.5, 0.6, 2], origin: [0, 0, 0])
        var volume = HUVolume(geometry: geometry, repeating: 0)
        for k in 0..<6 { for j in 0..<12 { for i in 0..<16 { volume[i, j, k] = Int16(10 * i - 5 * j + k - 100) } } }
        var identity = CTSeriesWriter.Identity(patientName: patientName, patientID: "CLI", uidSeed: "cli")
        identity.seriesDescription = "cli test"
        try CTSeriesWriter(identity: identity).write(volume, to: folder)
        return volume
    }

    func testInspectJSONHasTheContractKeysAndExactHUStatistics() throws {
        let folder = temporaryFolder()
        _ = try writeSeries(to: folder, patientName: "DOE^JANE")
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/stray.txt"))
        let result = try cement(["inspect", folder, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("skipped 1 file"), result.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        let series = (json["series"] as! [[String: Any]])[0]
        for key in ["series_uid", "modality", "rows", "columns", "slices", "spacing_mm", "transfer_syntax",
                    "hu_min", "hu_max", "hu_mean"] {
            XCTAssertNotNil(series[key], "missing key \(key)")
        }
        XCTAssertEqual(series["rows"] as? Int, 12)
        XCTAssertEqual(series["columns"] as? Int, 16)
        XCTAssertEqual(series["slices"] as? Int, 6)
        XCTAssertEqual(series["spacing_mm"] as? [Double], [0.5, 0.6, 2])
        XCTAssertEqual(series["transfer_syntax"] as? String, "1.2.840.10008.1.2.1")
        // min at i=0, j=11, k=0: −155; max at i=15, j=0, k=5: 55; mean 10·7.5 − 5·5.5 + 2.5 − 100 = −50.
        XCTAssertEqual(series["hu_min"] as? Int, -155)
        XCTAssertEqual(series["hu_max"] as? Int, 55)
        XCTAssertEqual(series["hu_mean"] as! Double, -50, accuracy: 1e-9)
        XCTAssertFalse(result.stdout.contains("DOE") || result.stderr.contains("DOE"), "patient name leaked")

        let human = try cement(["inspect", folder])
        XCTAssertEqual(human.status, 0)
        XCTAssertTrue(human.stdout.contains("16 × 12 × 6"), human.stdout)
        XCTAssertFalse(human.stdout.contains("DOE"))
    }

    func testConvertWritesANIfTIFileWithTheSeriesVoxels() throws {
        let folder = temporaryFolder()
        let volume = try writeSeries(to: folder)
        let output = folder + "/out/ct.nii"
        let result = try cement(["convert", folder, output])
        XCTAssertEqual(result.status, 0, result.stderr)
        let data = try Data(contentsOf: URL(fileURLWithPath: output))
        XCTAssertEqual(data.count, 352 + 2 * volume.voxels.count)
        let last = Int16(bitPattern: UInt16(data[data.count - 2]) | UInt16(data[data.count - 1]) << 8)
        XCTAssertEqual(last, volume.voxels.last)
    }

    func testBadInputAndUsageErrorsExitWithTwo() throws {
        let folder = temporaryFolder()
        let bad = folder + "/bad.dcm"
        try Data(repeating: 7, count: 300).write(to: URL(fileURLWithPath: bad))
        let badFile = try cement(["inspect", bad])
        XCTAssertEqual(badFile.status, 2)
        XCTAssertTrue(badFile.stderr.contains("bad.dcm"), badFile.stderr)

        let missing = try cement(["inspect", folder + "/nope"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("no such file"), missing.stderr)

        let empty = try cement(["inspect", temporaryFolder("empty")])
        XCTAssertEqual(empty.status, 2)
        XCTAssertTrue(empty.stderr.contains("no DICOM image series"), empty.stderr)

        let usage = try cement(["inspect"])
        XCTAssertEqual(usage.status, 2)
        let wrongSuffix = try cement(["convert", folder, folder + "/x.nrrd"])
        XCTAssertEqual(wrongSuffix.status, 2)
        XCTAssertTrue(wrongSuffix.stderr.contains(".nii"), wrongSuffix.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/x.nrrd"))

        let help = try cement(["convert", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("RAS"))
    }

    func testPhantomWritesASeriesThatInspectReadsWithTheRequestedGeometry() throws {
        let folder = temporaryFolder() + "/case"
        let result = try cement(["phantom", folder, "--dr", "17.5", "--seed", "9", "--matrix", "256", "--spacing", "0.7",
                                 "--thickness", "2", "--slices", "30", "--leakage", "none", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let truth = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(truth["distribution_rate_percent"] as! Double, 17.5, accuracy: 0.2)
        XCTAssertEqual(truth["leakage_ml"] as? Double, 0)
        for key in ["vertebral_body_ml", "cement_in_body_ml", "level", "parameters"] { XCTAssertNotNil(truth[key], key) }

        let inspect = try cement(["inspect", folder, "--json"])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        XCTAssertTrue(inspect.stderr.contains("skipped 1 file"), "truth.json is not DICOM: \(inspect.stderr)")
        let series = (try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as! [String: Any])["series"]
            as! [[String: Any]]
        XCTAssertEqual(series.count, 1)
        XCTAssertEqual(series[0]["slices"] as? Int, 30)
        let spacing = series[0]["spacing_mm"] as! [Double]
        XCTAssertEqual(spacing[0], 0.7, accuracy: 1e-9)
        XCTAssertEqual(spacing[2], 2, accuracy: 1e-6)
        XCTAssertGreaterThan(series[0]["hu_max"] as! Int, 1000, "cement is in the field of view")
        XCTAssertEqual(series[0]["hu_min"] as? Int, -1024)

        let bad = try cement(["phantom", folder, "--matrix", "300"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("256 or 512"), bad.stderr)
    }

    /// The R reference groups of the Statistics tests (anova(lm(y ~ g)) gives F = 6.2813213601781595,
    /// P = 0.0057551857655362641 in R 4.2.2), written as a CSV with a missing value and a stray level.
    private func statsCSV() throws -> String {
        let g1 = [74.1, 68.3, 80.2, 71.5, 77.9, 69.4, 75.0, 82.3, 70.8, 73.6]
        let g2 = [72.4, 65.1, 78.8, 70.2, 74.5, 68.9, 71.3, 76.6, 69.0]
        let g3 = [75.5, 79.1, 81.4, 73.3, 77.2, 80.6, 74.8, 78.9, 76.1, 82.0, 79.5]
        var lines = ["case_id,dr_group,value,note"]
        for (label, group) in [("high", g1), ("medium", g2), ("low", g3)] {
            for value in group { lines.append("P\(lines.count),\(label),\(value),") }
        }
        lines.append("P99,low,,missing value")
        let path = temporaryFolder() + "/stats.csv"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testStatsJSONContractAndMissingValues() throws {
        let csv = try statsCSV()
        let anova = try cement(["stats", "anova", csv, "--value", "value", "--group", "dr_group", "--json"])
        XCTAssertEqual(anova.status, 0, anova.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(anova.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(json["statistic"] as! Double, 6.2813213601781595, accuracy: 1e-12)
        XCTAssertEqual(json["p"] as! Double, 0.0057551857655362641, accuracy: 1e-14)
        XCTAssertEqual(json["df"] as? [Double], [2, 27])
        XCTAssertEqual(json["n"] as? Int, 30)
        XCTAssertEqual(json["dropped"] as? Int, 1)

        let lsd = try cement(["stats", "lsd", csv, "--value", "value", "--group", "dr_group", "--json"])
        let pairs = (try JSONSerialization.jsonObject(with: Data(lsd.stdout.utf8)) as! [String: Any])["pairs"]
            as! [[String: Any]]
        XCTAssertEqual(pairs.count, 3)
        for key in ["a", "b", "diff", "se", "p"] { XCTAssertNotNil(pairs[0][key], key) }
        // pairwise.t.test(y, g, p.adjust.method = "none", pool.sd = TRUE): high vs medium
        XCTAssertEqual(pairs[0]["p"] as! Double, 0.187692200035336487, accuracy: 1e-12)
    }

    func testStatsLeaveOutMissingValuesPerTestAndSayHowMany() throws {
        // R 4 (Rscript): d <- data.frame(g = c(rep(c("a", "b", "c"), each = 4), NA),
        //   v = c(5.1, 4.8, NA, 5.6, 6.2, 6.9, 6.4, NA, 7.1, 7.8, 7.4, 8.0, 9.9), x = 1:13)
        // summary(aov(v ~ g, d[complete.cases(d[, c("g", "v")]), ])): F = 32.4101629169899, P = 0.000289052906852795, n 10;
        // cor.test(d$x, d$v): r = 0.935671193037514, P = 2.31605805093482e-05, 11 complete pairs.
        let path = temporaryFolder() + "/missing.csv"
        let g = ["a", "a", "a", "a", "b", "b", "b", "b", "c", "c", "c", "c", "NA"]
        let v = ["5.1", "4.8", "", "5.6", "6.2", "6.9", "6.4", "NA", "7.1", "7.8", "7.4", "8.0", "9.9"]
        let rows = (0..<13).map { "\(g[$0]),\(v[$0]),\($0 + 1)" }
        try (["g,v,x"] + rows).joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        let anova = try cement(["stats", "anova", path, "--value", "v", "--group", "g", "--json"])
        XCTAssertEqual(anova.status, 0, anova.stderr)
        let a = try JSONSerialization.jsonObject(with: Data(anova.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(a["statistic"] as! Double, 32.4101629169899, accuracy: 1e-10)
        XCTAssertEqual(a["p"] as! Double, 0.000289052906852795, accuracy: 1e-15)
        XCTAssertEqual([a["n"] as? Int, a["dropped"] as? Int], [10, 3], "two values and one group missing")
        let pearson = try cement(["stats", "pearson", path, "--x", "x", "--y", "v", "--json"])
        let r = try JSONSerialization.jsonObject(with: Data(pearson.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(r["statistic"] as! Double, 0.935671193037514, accuracy: 1e-12)
        XCTAssertEqual(r["p"] as! Double, 2.31605805093482e-05, accuracy: 1e-15)
        XCTAssertEqual([r["n"] as? Int, r["dropped"] as? Int], [11, 2], "the group is not the test's column")
        let text = try cement(["stats", "anova", path, "--value", "v", "--group", "g"])
        XCTAssertTrue(text.stdout.contains("n = 10") && text.stdout.contains("3 row(s) with missing values left out"), text.stdout)
    }

    func testStatsErrorsNameTheColumnAndRow() throws {
        let csv = try statsCSV()
        let typo = try cement(["stats", "anova", csv, "--value", "valeu", "--group", "dr_group"])
        XCTAssertEqual(typo.status, 2)
        XCTAssertTrue(typo.stderr.contains("no column 'valeu'") && typo.stderr.contains("did you mean 'value'"), typo.stderr)
        let text = try cement(["stats", "pearson", csv, "--x", "value", "--y", "dr_group"])
        XCTAssertEqual(text.status, 2)
        XCTAssertTrue(text.stderr.contains("row 1, column 'dr_group'"), text.stderr)
        // Levene's centre is a choice the argument parser checks, naming the values it takes.
        let centre = try cement(["stats", "levene", csv, "--value", "value", "--group", "dr_group", "--centre", "middle"])
        XCTAssertEqual(centre.status, 2)
        XCTAssertTrue(centre.stderr.contains("'middle'") && centre.stderr.contains("mean") && centre.stderr.contains("median"),
                      centre.stderr)
        XCTAssertEqual(try cement(["stats", "levene", csv, "--value", "value", "--group", "dr_group", "--centre", "median"]).status, 0)
        // Each test is a subcommand with its own options: Levene's centre is no option of the ANOVA.
        let misplaced = try cement(["stats", "anova", csv, "--value", "value", "--group", "dr_group", "--centre", "median"])
        XCTAssertEqual(misplaced.status, 2)
        XCTAssertTrue(misplaced.stderr.contains("'--centre'"), misplaced.stderr)
        let missingOption = try cement(["stats", "chisq", csv, "--row", "dr_group"])
        XCTAssertEqual(missingOption.status, 2)
        XCTAssertTrue(missingOption.stderr.contains("--col"), missingOption.stderr)
    }

    func testFigureOverlayFromPhantomTruthAndFromMasks() throws {
        let folder = temporaryFolder() + "/case"
        XCTAssertEqual(try cement(["phantom", folder, "--dr", "20", "--seed", "4", "--matrix", "256", "--spacing", "0.8",
                                   "--thickness", "2", "--slices", "24"]).status, 0)
        let svg = folder + "/../sagittal.svg"
        let truth = try cement(["figure", "overlay", folder, "--truth", "--plane", "sagittal", "--out", svg])
        XCTAssertEqual(truth.status, 0, truth.stderr)
        XCTAssertTrue(try String(contentsOfFile: svg, encoding: .utf8).hasPrefix("<?xml"))

        // A mask on another grid is refused with the file named.
        let other = folder + "/../other.nii"
        try NIfTIWriter.write(LabelVolume(geometry: VolumeGeometry(size: [4, 4, 4], spacing: [1, 1, 1], origin: [0, 0, 0]),
                                          repeating: 1), to: other)
        let mismatch = try cement(["figure", "overlay", folder, "--body-mask", other, "--cement-mask", other,
                                   "--out", folder + "/../x.png"])
        XCTAssertEqual(mismatch.status, 2)
        XCTAssertTrue(mismatch.stderr.contains("other.nii") && mismatch.stderr.contains("does not coincide"), mismatch.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/../x.png"))
    }

    func testFigureChartFromSpec() throws {
        let csv = try statsCSV()
        let spec = temporaryFolder() + "/box.json"
        try #"{"kind": "boxplot", "value": "value", "group": "dr_group", "levels": ["low", "medium", "high"], "y_label": "骨水泥 (ml)"}"#
            .write(toFile: spec, atomically: true, encoding: .utf8)
        let out = temporaryFolder() + "/box.pdf"
        let result = try cement(["figure", spec, "--data", csv, "--out", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(try Data(contentsOf: URL(fileURLWithPath: out)).starts(with: Data("%PDF".utf8)))
        let bad = try cement(["figure", spec, "--data", csv, "--out", temporaryFolder() + "/box.gif"])
        XCTAssertEqual(bad.status, 2)
    }

    func testRenderWritesHTMLOrAPositionedErrorAndNothing() throws {
        let folder = temporaryFolder()
        let good = folder + "/good.md", bad = folder + "/bad.md"
        try "---\ntitle: T\nparams: {period: P1}\n---\nPeriod `{param period}`.\n".write(toFile: good, atomically: true, encoding: .utf8)
        try "---\ntitle: T\n---\nSee @fig-x.\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let ok = try cement(["render", good, "--out", folder + "/out", "--param", "period=P2"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(try String(contentsOfFile: folder + "/out/good.html", encoding: .utf8).contains("Period P2."))
        let failed = try cement(["render", bad, "--out", folder + "/out2"])
        XCTAssertEqual(failed.status, 2)
        XCTAssertTrue(failed.stderr.contains("bad.md:4:5: unknown reference @fig-x"), failed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/out2/bad.html"))

        // The PDF cannot be written (a folder holds its name): the HTML must not appear without it, and no
        // temporary may stay behind.
        try FileManager.default.createDirectory(atPath: folder + "/out3/good.pdf", withIntermediateDirectories: true)
        let blocked = try cement(["render", good, "--out", folder + "/out3"])
        XCTAssertEqual(blocked.status, 2, blocked.stderr)
        XCTAssertTrue(blocked.stderr.contains("out3/good.pdf"), blocked.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder + "/out3"), ["good.pdf"])
    }

    func testRateBatchMeasuresEveryFolderAndResumes() throws {
        let root = temporaryFolder()
        for (name, dr) in [("A1", "8"), ("B2", "24")] {
            let result = try cement(["phantom", root + "/ct/" + name, "--realism", "classic", "--dr", dr, "--seed", "5", "--matrix", "256",
                                     "--spacing", "0.7", "--thickness", "1.25", "--leakage", "none"])
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        let out = root + "/results.csv"
        let first = try cement(["rate-batch", root + "/ct", "--jobs", "2", "--out", out])
        XCTAssertEqual(first.status, 0, first.stderr)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        XCTAssertTrue(lines[1].hasPrefix("A1,") && lines[2].hasPrefix("B2,"))
        // Within the engine's measured accuracy of the requested DR (8 % → low, 24 % → high).
        let rates = lines.dropFirst().map { Double($0.split(separator: ",")[1])! }
        XCTAssertEqual(rates[0], 8, accuracy: 1.5)
        XCTAssertEqual(rates[1], 24, accuracy: 1.5)
        let second = try cement(["rate-batch", root + "/ct", "--out", out])
        XCTAssertTrue(second.stderr.contains("2 case(s) already measured"), second.stderr)
    }

    /// A study folder holding only a scout and a sagittal MPR (each with a 3000 HU cement cube, so a careless
    /// choice would find cement to measure): `rate` measures neither, exits 2 and says per series why.
    func testRateRefusesAStudyOfOnlyAScoutAndASagittalMPR() throws {
        let folder = temporaryFolder()
        func write(_ name: String, size: SIMD3<Int>, row: SIMD3<Double>, column: SIMD3<Double>, slice: SIMD3<Double>,
                   imageType: [String], number: Int) throws -> String {
            let geometry = VolumeGeometry(size: size, spacing: [1, 1, 1], origin: [-12, -12, 12], rowDirection: row,
                                          columnDirection: column, sliceDirection: slice)
            var volume = HUVolume(geometry: geometry, repeating: 40)
            // A cube of cement in the middle of the scan (on the scout's one slice).
            for k in 0..<size.z where size.z == 1 || (8..<16).contains(k) {
                for j in 8..<16 { for i in 8..<16 { volume[i, j, k] = 3000 } }
            }
            var identity = CTSeriesWriter.Identity(patientName: "SECRET^SCOUT", patientID: "SECRETPID7", uidSeed: "cli/" + name)
            identity.seriesNumber = number
            var writer = CTSeriesWriter(identity: identity)
            writer.imageType = imageType
            writer.convolutionKernel = "B70f"
            try FileManager.default.createDirectory(atPath: folder + "/" + name, withIntermediateDirectories: true)
            try writer.write(volume, to: folder + "/" + name)
            return writer.identity.seriesUID
        }
        let scout = try write("scout", size: [24, 24, 1], row: [1, 0, 0], column: [0, 0, -1], slice: [0, 1, 0],
                              imageType: ["ORIGINAL", "PRIMARY", "LOCALIZER"], number: 1)
        let sagittal = try write("sagittal", size: [24, 24, 24], row: [0, 1, 0], column: [0, 0, -1], slice: [-1, 0, 0],
                                 imageType: ["DERIVED", "SECONDARY", "REFORMATTED"], number: 2)
        for arguments in [["rate", folder], ["rate", folder, "--json"]] {
            let rate = try cement(arguments)
            XCTAssertEqual(rate.status, 2, "input error: \(rate.stderr)")
            XCTAssertEqual(rate.stdout, "", "nothing measured, nothing printed")
            for expected in [folder + ": no axial CT series other than scouts to measure",
                             "CT series \(scout) (number 1) localizer: ImageType ORIGINAL\\PRIMARY\\LOCALIZER marks a scout",
                             "CT series \(sagittal) (number 2) not_axial: sagittal slices (normal 90° from head–foot"] {
                XCTAssertTrue(rate.stderr.contains(expected), "missing '\(expected)' in:\n\(rate.stderr)")
            }
            XCTAssertFalse(rate.stderr.contains("SECRET"), rate.stderr)
        }
        let forced = try cement(["rate", folder, "--series", scout])
        XCTAssertEqual(forced.status, 2)
        XCTAssertTrue(forced.stderr.contains("(0008,0008) ImageType: series \(scout) cannot be measured"), forced.stderr)

        // With an axial series beside them, that one is measured and --json says why the other two lost (no
        // vertebral body lies around this block of cement, so exit 1, with the JSON printed all the same).
        let axial = try write("axial", size: [24, 24, 24], row: [1, 0, 0], column: [0, 1, 0], slice: [0, 0, 1],
                              imageType: ["ORIGINAL", "PRIMARY", "AXIAL"], number: 3)
        let rate = try cement(["rate", folder, "--json"])
        XCTAssertNotEqual(rate.status, 2, rate.stderr)
        let output = try JSONSerialization.jsonObject(with: Data(rate.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(output["series_uid"] as? String, axial)
        let candidates = output["series_candidates"] as! [[String: Any]]
        var reasons: [String: String] = [:]
        for candidate in candidates { reasons[candidate["series_uid"] as! String] = candidate["reason"] as? String ?? "selected" }
        XCTAssertEqual(reasons, [axial: "selected", scout: "localizer", sagittal: "not_axial"])
    }

    func testRateWithATruthBodyMaskAndItsErrors() throws {
        let root = temporaryFolder()
        let made = try cement(["phantom", root + "/ct", "--realism", "classic", "--dr", "15", "--seed", "8", "--matrix", "256", "--spacing", "0.7",
                               "--thickness", "1.25", "--leakage", "none", "--truth-masks", root + "/masks", "--json"])
        XCTAssertEqual(made.status, 0, made.stderr)
        let truth = try JSONSerialization.jsonObject(with: Data(made.stdout.utf8)) as! [String: Any]
        let result = try cement(["rate", root + "/ct", "--body-mask", root + "/masks/body.nii.gz", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        // The ground-truth mask leaves only the cement's partial-volume estimate to err (README: within 0.5 pp).
        XCTAssertEqual(json["distribution_rate_percent"] as! Double, truth["distribution_rate_percent"] as! Double, accuracy: 0.5)
        XCTAssertEqual((json["levels"] as! [[String: Any]])[0]["body_mask_label"] as? Int, 1)

        let wrongLabel = try cement(["rate", root + "/ct", "--body-mask", root + "/masks/body.nii.gz", "--label", "7"])
        XCTAssertEqual(wrongLabel.status, 2)
        XCTAssertTrue(wrongLabel.stderr.contains("body.nii.gz: label 7 does not occur in the body mask"), wrongLabel.stderr)
        let other = try cement(["phantom", root + "/other", "--realism", "classic", "--seed", "8", "--matrix", "256", "--spacing", "0.8",
                                "--thickness", "1.25", "--leakage", "none"])
        XCTAssertEqual(other.status, 0, other.stderr)
        let mismatch = try cement(["rate", root + "/other", "--body-mask", root + "/masks/body.nii.gz"])
        XCTAssertEqual(mismatch.status, 2)
        XCTAssertTrue(mismatch.stderr.contains("body.nii.gz: the body mask's voxel grid does not match the series"),
                      mismatch.stderr)
        // The phantom's DR is 15 %: medium with the paper's groups, high when high starts at 12 %.
        let regrouped = try cement(["rate", root + "/ct", "--high-min", "12", "--json"])
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(regrouped.stdout.utf8)) as! [String: Any])["group"] as? String,
                       "high")
        XCTAssertEqual(try cement(["rate", root + "/ct", "--low-max", "30", "--high-min", "20"]).status, 2)
        let orphan = try cement(["rate", root + "/ct", "--label", "1"])
        XCTAssertEqual(orphan.status, 2)
        XCTAssertTrue(orphan.stderr.contains("--label needs --body-mask"), orphan.stderr)
    }

    func testCTFigureDirectiveDrawsTheEngineMasksAndRecordsTheSeries() throws {
        let root = temporaryFolder()
        XCTAssertEqual(try cement(["phantom", root + "/ct/C1", "--realism", "classic", "--dr", "18", "--seed", "6", "--matrix", "256",
                                   "--spacing", "0.7", "--thickness", "1.25", "--leakage", "none"]).status, 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: root + "/ct/C1").filter { $0.hasSuffix(".dcm") }
        let template = root + "/ct.md"
        try """
            ---
            title: T
            measurements: m
            ---
            @fig-ax and @fig-3d.

            ```{ct-figure id=fig-ax caption="Axial" series=ct/C1 plane=axial}
            ```

            ```{ct-figure id=fig-3d caption="Surface" series=ct/C1 plane=3d}
            ```

            """.write(toFile: template, atomically: true, encoding: .utf8)
        // Rendering never runs the engine: without a stored measurement the figure is an error that names the
        // template position, the series and the command that stores one.
        let unmeasured = try cement(["render", template, "--out", root + "/out"])
        XCTAssertEqual(unmeasured.status, 2)
        XCTAssertTrue(unmeasured.stderr.contains("ct.md:7:1: series ct/C1: no measurement stored in"), unmeasured.stderr)
        XCTAssertTrue(unmeasured.stderr.contains("cement rate \(root)/ct/C1 --measurements \(root)/m"), unmeasured.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/out/ct.html"))
        let stored = try cement(["rate", root + "/ct/C1", "--measurements", root + "/m"])
        XCTAssertEqual(stored.status, 0, stored.stderr)
        let ok = try cement(["render", template, "--out", root + "/out"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        let html = try String(contentsOfFile: root + "/out/ct.html", encoding: .utf8)
        XCTAssertTrue(html.contains("Figure 1") && html.contains("Figure 2"), "both CT figures are numbered")
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 2, "one inline drawing per CT figure")
        // The whole series is one provenance row, not one per slice.
        XCTAssertTrue(html.contains("ct/C1 (\(files.count) DICOM files)"), "series provenance row")
        XCTAssertFalse(html.contains(".dcm"))

        try "---\ntitle: T\nmeasurements: m\n---\n```{ct-figure id=fig-x caption=\"X\" series=ct/C1 plane=oblique}\n```\n"
            .write(toFile: template, atomically: true, encoding: .utf8)
        let badPlane = try cement(["render", template, "--out", root + "/out2"])
        XCTAssertEqual(badPlane.status, 2)
        XCTAssertTrue(badPlane.stderr.contains("ct.md:5:") && badPlane.stderr.contains("plane must be"), badPlane.stderr)
        try "---\ntitle: T\nmeasurements: m\n---\n```{ct-figure id=fig-x caption=\"X\" series=ct/C1 field=wide}\n```\n"
            .write(toFile: template, atomically: true, encoding: .utf8)
        let badField = try cement(["render", template, "--out", root + "/out2"])
        XCTAssertEqual(badField.status, 2)
        XCTAssertTrue(badField.stderr.contains("ct.md:5:") && badField.stderr.contains("'wide'"), badField.stderr)
        try "---\ntitle: T\nmeasurements: m\n---\n```{ct-figure id=fig-x caption=\"X\" series=ct/none}\n```\n"
            .write(toFile: template, atomically: true, encoding: .utf8)
        let missing = try cement(["render", template, "--out", root + "/out3"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("ct/none"), missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/out3/ct.html"))

        // A slice changed after the measurement: the stored one is stale, and the error says so.
        let slice = root + "/ct/C1/" + files.sorted()[0]
        var bytes = try XCTUnwrap(FileManager.default.contents(atPath: slice))
        bytes[bytes.count - 1] ^= 1
        try bytes.write(to: URL(fileURLWithPath: slice))
        try "---\ntitle: T\nmeasurements: m\n---\n```{ct-figure id=fig-x caption=\"X\" series=ct/C1}\n```\n"
            .write(toFile: template, atomically: true, encoding: .utf8)
        let stale = try cement(["render", template, "--out", root + "/out4"])
        XCTAssertEqual(stale.status, 2)
        XCTAssertTrue(stale.stderr.contains("ct.md:5:1: series ct/C1: the stored measurement is stale: the series' files changed since"),
                      stale.stderr)
    }

    private var repository: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    func testVerifyListsEveryPublishedNumberAndFailsOnAMismatch() throws {
        // The bundled cohort reproduces every published number the paper's own numbers allow (VerificationTests);
        // a copy with one patient's age changed by 30 years misses Table 1's high-group mean.
        let published = ["--codebook", repository + "/data/codebook.csv", "--published", repository + "/data/published.json"]
        let text = try cement(["verify", "--data", repository + "/data/cohort.csv"] + published)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.hasPrefix("370 published numbers: 360 match, 0 mismatch, 10 unattainable"), text.stdout)
        XCTAssertTrue(text.stdout.contains("- unattainable: table2 odi_1y p: printed 0.260"), text.stdout)
        XCTAssertEqual(try cement(["verify", "--strict", "--data", repository + "/data/cohort.csv"] + published).status, 1)
        var lines = try String(contentsOfFile: repository + "/data/cohort.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let (ageColumn, groupColumn) = (header.firstIndex(of: "age_years")!, header.firstIndex(of: "dr_group")!)
        let row = lines.indices.dropFirst().first { lines[$0].split(separator: ",", omittingEmptySubsequences: false)[groupColumn] == "high" }!
        var cells = lines[row].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        cells[ageColumn] = String(Int(cells[ageColumn])! > 70 ? Int(cells[ageColumn])! - 18 : Int(cells[ageColumn])! + 18)
        lines[row] = cells.joined(separator: ",")
        let tampered = temporaryFolder() + "/cohort.csv"
        try (lines.joined(separator: "\n") + "\n").write(toFile: tampered, atomically: true, encoding: .utf8)
        let json = try cement(["verify", "--json", "--data", tampered] + published)
        XCTAssertEqual(json.status, 1, json.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        let items = object["items"] as! [[String: Any]]
        XCTAssertTrue(items.contains { $0["where"] as? String == "table1" && $0["variable"] as? String == "age_years"
                          && $0["group"] as? String == "high" && $0["quantity"] as? String == "mean" && $0["status"] as? String == "mismatch" })
        for key in ["where", "variable", "quantity", "published", "reproduced", "tolerance", "status"] {
            XCTAssertNotNil(items[0][key], key)
        }
        let missing = try cement(["verify", "--data", "/nonexistent/cohort.csv", "--codebook", repository + "/data/codebook.csv",
                                  "--published", repository + "/data/published.json"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("/nonexistent/cohort.csv"), missing.stderr)
    }

    func testStudyCTRegeneratesACachedSeriesWhenThePatientsRowChanges() throws {
        let root = temporaryFolder()
        let cohort = root + "/cohort.csv", cache = root + "/ct", out = root + "/out.csv", plan = root + "/plan.csv"
        let measurements = root + "/m"
        func entries() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: measurements).sorted() }
        func truth() throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cache + "/Q001/truth.json"))) as! [String: Any]
        }
        func run(dr: String) throws -> Double {
            try "case_id,dr_recorded_percent,level,leakage\nQ001,\(dr),L2,0\n".write(toFile: cohort, atomically: true, encoding: .utf8)
            let result = try cement(["study-ct", "--cohort", cohort, "--plan", plan, "--cache", cache, "--out", out, "--jobs", "1",
                                     "--measurements", measurements])
            XCTAssertEqual(result.status, 0, result.stderr)
            return try truth()["distribution_rate_percent"] as! Double
        }
        XCTAssertEqual(try run(dr: "12.0"), 12, accuracy: 0.05)
        let modified = try FileManager.default.attributesOfItem(atPath: cache + "/Q001/truth.json")[.modificationDate] as! Date
        let stored = try entries()
        XCTAssertEqual(stored.count, 1, "one measurement stored")
        let record = measurements + "/" + stored[0] + "/measurement.json"
        let measuredAt = try FileManager.default.attributesOfItem(atPath: record)[.modificationDate] as! Date
        XCTAssertEqual(try run(dr: "12.0"), 12, accuracy: 0.05)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: cache + "/Q001/truth.json")[.modificationDate] as! Date,
                       modified, "an unchanged row reuses the cached series")
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: record)[.modificationDate] as! Date, measuredAt,
                       "an unchanged series reuses its stored measurement")
        XCTAssertEqual(try run(dr: "24.0"), 24, accuracy: 0.05, "a changed DR gets a new phantom")
        XCTAssertEqual(try entries().count, 2, "the new series is measured and stored under its own key")

        // The plan, once written, decides the phantom: a smaller matrix there gives a new series.
        XCTAssertEqual(try cement(["study-ct", "--cohort", cohort, "--plan", plan, "--write-plan"]).status, 0)
        XCTAssertEqual(try String(contentsOfFile: plan, encoding: .utf8),
                       "case_id,seed,dr_percent,level,leakage,matrix,pixel_mm,slice_mm\nQ001,1001,24.0,L2,none,256,0.70,1.250\n")
        try "case_id,seed,dr_percent,level,leakage,matrix,pixel_mm,slice_mm\nQ001,1001,24.0,L2,none,128,0.90,1.500\n"
            .write(toFile: plan, atomically: true, encoding: .utf8)
        XCTAssertEqual(try run(dr: "24.0"), 24, accuracy: 0.05)
        XCTAssertEqual((try truth()["parameters"] as! [String: Any])["matrix"] as? Int, 128)
        // Every parameter of the line counts, the slice spacing too.
        try "case_id,seed,dr_percent,level,leakage,matrix,pixel_mm,slice_mm\nQ001,1001,24.0,L2,none,128,0.90,2.000\n"
            .write(toFile: plan, atomically: true, encoding: .utf8)
        XCTAssertEqual(try run(dr: "24.0"), 24, accuracy: 0.05)
        XCTAssertEqual((try truth()["parameters"] as! [String: Any])["slice_spacing"] as? Double, 2.0)
        // A plan that disagrees with the cohort is an error naming the case; a bad cell names its row and column.
        try "case_id,dr_recorded_percent,level,leakage\nQ001,30.0,L2,0\n".write(toFile: cohort, atomically: true, encoding: .utf8)
        let stale = try cement(["study-ct", "--cohort", cohort, "--plan", plan, "--cache", cache, "--out", out])
        XCTAssertEqual(stale.status, 2)
        XCTAssertTrue(stale.stderr.contains("case Q001 has DR 24.0 %, the cohort 30.0 %"), stale.stderr)
        try "case_id,seed,dr_percent,level,leakage,matrix,pixel_mm,slice_mm\nQ001,1001,30.0,L2,sideways,128,0.90,1.500\n"
            .write(toFile: plan, atomically: true, encoding: .utf8)
        let bad = try cement(["study-ct", "--cohort", cohort, "--plan", plan, "--cache", cache, "--out", out])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("row 1, column 'leakage'"), bad.stderr)
    }
}
