import ArgumentParser
import CementCore
import Foundation
import Imaging
import Phantom

/// `cement audit demo`: a synthetic department to try the audit on.
struct AuditDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Write a synthetic demo department: four quarters of phantom CTs, a manifest and a follow-up CSV.",
        discussion: """
            Synthetic, no real patient: each case is a small phantom CT (128 × 128, classic realism) with its DR \
            drawn from the study's three groups, a procedure date in one of the four quarters of --year, an \
            operator code and a treated level. followup.csv holds the phantoms' (synthetic) PatientID and \
            StudyInstanceUID, leakage as the phantom's truth has it, fractures drawn with the study's rates per DR \
            group (5 %, 12.5 %, 25 %), VAS/ODI, and no one-year VAS/ODI for the last quarter (not yet due). The same \
            arguments give the same files; series already written are kept.

            Example:
              cement audit demo .cache/audit-demo --per-quarter 5 --year 2026
            """
    )

    @Argument(help: "Output folder.", completion: .directory) var folder: String
    @Option(help: "Cases per quarter.") var perQuarter = 5
    @Option(help: "The year of the four quarters.") var year = 2026
    @Option(help: "Seed of the first case.") var seed: UInt64 = 26000

    func validate() throws {
        guard (1...100).contains(perQuarter) else { throw ValidationError("--per-quarter must be 1–100") }
        guard (2000...2100).contains(year) else { throw ValidationError("--year must be 2000–2100") }
    }

    func run() throws {
        let generator = PhantomGenerator()
        var manifest = ["case_id,path,operator,levels,procedure_date"]
        var followUp = ["patient_id,study_uid,leakage,secondary_fracture,secondary_fracture_date,adjacent_fracture,"
                        + "vas_pre,vas_1y,odi_pre,odi_1y"]
        let total = 4 * perQuarter
        for index in 0..<total {
            let quarter = index / perQuarter, slot = index % perQuarter
            let label = String(format: "case-%03d", index + 1)
            var random = SeededGenerator(seed: seed + UInt64(index), stream: "audit-demo")
            // The study's groups in equal shares, the DR drawn inside each group.
            let group = ["low", "medium", "high"][Int(random.next() % 3)]
            let dr = group == "low" ? random.uniform(5, 9.5) : group == "medium" ? random.uniform(11, 19) : random.uniform(21, 28)
            var overrides = PhantomParameters.Overrides()
            overrides.matrix = 128
            overrides.realism = .classic
            overrides.distributionRate = dr
            overrides.caseID = String(format: "DEMO-PATIENT-%04d", index + 1)
            let phantom = generator.makeCase(seed: seed + UInt64(index), overrides: overrides)
            let series = "series/" + label
            let seriesFolder = (folder as NSString).appendingPathComponent(series)
            if !FileManager.default.fileExists(atPath: seriesFolder + "/" + PhantomGenerator.truthFileName) {
                try generator.write(phantom, to: seriesFolder)
            }
            let firstFile = try FileManager.default.contentsOfDirectory(atPath: seriesFolder).filter { $0.hasSuffix(".dcm") }.sorted()
            guard let first = firstFile.first else { throw CommandFailure(message: "\(seriesFolder): no DICOM file written") }
            let identity = try DICOMStudyIdentity.read(path: seriesFolder + "/" + first)
            // Procedure days spread over the quarter.
            let month = 3 * quarter + 1 + slot % 3
            let day = 1 + (7 * slot + Int(random.next() % 7)) % 28
            let date = String(format: "%04d-%02d-%02d", year, month, day)
            manifest.append([label, series, "OP\(1 + Int(random.next() % 3))", phantom.parameters.level, date]
                .joined(separator: ","))
            let secondaryRate = group == "low" ? 0.25 : group == "medium" ? 0.125 : 0.05
            let secondary = random.uniform(0, 1) < secondaryRate, adjacent = random.uniform(0, 1) < 0.09
            let leakage = phantom.truth.leakageML > 0
            let vasPre = 6 + Int(random.next() % 4), odiPre = 2 * (28 + Int(random.next() % 10))
            let due = quarter < 3
            let fractureDate = secondary ? String(format: "%04d-%02d-%02d", year, min(12, month + 2), day) : ""
            followUp.append([identity.patientID, identity.studyInstanceUID, leakage ? "1" : "0",
                             secondary ? "1" : "0", fractureDate, adjacent ? "1" : "0",
                             String(vasPre), due ? String(1 + Int(random.next() % 3)) : "", String(odiPre),
                             due ? String(2 * (8 + Int(random.next() % 6))) : ""].joined(separator: ","))
            Terminal.progress("demo", done: index + 1, of: total)
        }
        try AtomicFile.write(Data((manifest.joined(separator: "\n") + "\n").utf8), to: folder + "/manifest.csv")
        try AtomicFile.write(Data((followUp.joined(separator: "\n") + "\n").utf8), to: folder + "/followup.csv")
        Terminal.note("\(folder): \(total) synthetic cases (\(perQuarter) per quarter of \(year)), manifest.csv, followup.csv")
    }
}
