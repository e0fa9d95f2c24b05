import Foundation
import Tabular

/// The synthetic CT of each patient, as parameters (`data/ct-phantoms.csv`): which phantom `cement study-ct`
/// generates for a case — its seed, the patient's recorded DR, level and leakage, and the acquisition.
public struct PhantomPlan: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var caseID: String
        public var seed: UInt64
        public var distributionRatePercent: Double
        public var level: String
        /// none, disc, vein or anterior.
        public var leakage: String
        public var matrix: Int
        public var pixelSpacingMM: Double
        public var sliceSpacingMM: Double
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    public static let columns = ["case_id", "seed", "dr_percent", "level", "leakage", "matrix", "pixel_mm", "slice_mm"]

    /// The plan for a cohort table: seed 1000 + the row number, the patient's recorded DR and level, leakage
    /// (when the patient had any) of a kind chosen by the seed, a 256 matrix with 0.7 mm pixels and 1.25 mm slices.
    public static func derived(from cohort: CSVTable) throws(StudyError) -> PhantomPlan {
        let id = try cohort.studyColumn("case_id"), dr = try cohort.studyColumn("dr_recorded_percent")
        let level = try cohort.studyColumn("level"), leakage = try cohort.studyColumn("leakage")
        var entries: [Entry] = []
        for row in cohort.rows.indices {
            let seed = UInt64(1000 + row + 1)
            guard let rate = try cohort.studyNumber(row: row, column: dr) else {
                throw StudyError(file: cohort.path, "row \(row + 1), column 'dr_recorded_percent': missing")
            }
            let leaked = cohort.text(row: row, column: leakage) == "1"
            entries.append(Entry(caseID: cohort.text(row: row, column: id) ?? "P\(row + 1)", seed: seed,
                                 distributionRatePercent: rate, level: cohort.text(row: row, column: level) ?? "L1",
                                 leakage: leaked ? ["disc", "vein", "anterior"][Int(seed % 3)] : "none",
                                 matrix: 256, pixelSpacingMM: 0.7, sliceSpacingMM: 1.25))
        }
        return PhantomPlan(entries: entries)
    }

    /// Reads a plan; every cell is checked, and errors name the row and the column.
    public static func load(_ path: String) throws(StudyError) -> PhantomPlan {
        let table = try CSVTable.read(path)
        let index = try columns.map { name throws(StudyError) in try table.studyColumn(name) }
        var entries: [Entry] = []
        for row in table.rows.indices {
            func text(_ c: Int) throws(StudyError) -> String {
                guard let value = table.text(row: row, column: index[c]) else {
                    throw StudyError(file: path, "row \(row + 1), column '\(columns[c])': missing")
                }
                return value
            }
            func number(_ c: Int) throws(StudyError) -> Double {
                guard let value = try table.studyNumber(row: row, column: index[c]) else {
                    throw StudyError(file: path, "row \(row + 1), column '\(columns[c])': missing")
                }
                return value
            }
            let leakage = try text(4)
            guard ["none", "disc", "vein", "anterior"].contains(leakage) else {
                throw StudyError(file: path, "row \(row + 1), column 'leakage': '\(leakage)' is not none, disc, vein or anterior")
            }
            guard let seed = UInt64(try text(1)) else {
                throw StudyError(file: path, "row \(row + 1), column 'seed': not a whole number")
            }
            let matrix = try number(5)
            guard [128, 256, 512].contains(Int(matrix)), matrix == matrix.rounded() else {
                throw StudyError(file: path, "row \(row + 1), column 'matrix': must be 128, 256 or 512")
            }
            entries.append(Entry(caseID: try text(0), seed: seed, distributionRatePercent: try number(2), level: try text(3),
                                 leakage: leakage, matrix: Int(matrix), pixelSpacingMM: try number(6),
                                 sliceSpacingMM: try number(7)))
        }
        return PhantomPlan(entries: entries)
    }

    /// The plan as CSV text (header, one line per case).
    public var csv: String {
        ([Self.columns.joined(separator: ",")] + entries.map { entry in
            ["\(entry.caseID)", "\(entry.seed)", "\(entry.distributionRatePercent)", entry.level,
             entry.leakage, "\(entry.matrix)", String(format: "%.2f", entry.pixelSpacingMM),
             String(format: "%.3f", entry.sliceSpacingMM)].joined(separator: ",")
        }).joined(separator: "\n") + "\n"
    }
}
