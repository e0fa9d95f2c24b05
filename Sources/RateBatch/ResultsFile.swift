import Foundation
import Imaging
import Tabular

/// Reads and writes `BatchResults` as JSON (`.json`) or as CSV (`.csv`, one row per level, or one row for a case
/// without levels), choosing by the file's extension. Writes are atomic.
///
/// CSV columns: case_id, the leading level fields (distribution_rate_percent, vertebral_body_ml,
/// cement_in_body_ml, leakage_ml, group), levels (the case's level count), qc, every other level field in byte
/// order, then status, error, series_uid, engine_version and one parameters.NAME column per engine parameter.
public enum ResultsFile {
    public enum Format: Sendable {
        case csv, json

        public init(path: String) throws(BatchError) {
            switch (path as NSString).pathExtension.lowercased() {
            case "csv": self = .csv
            case "json": self = .json
            default: throw BatchError("\(path): results files end in .csv or .json")
            }
        }
    }

    static let leadingLevelColumns = ["distribution_rate_percent", "vertebral_body_ml", "cement_in_body_ml", "leakage_ml", "group"]
    static let caseColumns: Set<String> = ["case_id", "levels", "status", "error", "series_uid"]
    static let parameterPrefix = "parameters."

    public static func write(_ results: BatchResults, to path: String) throws(BatchError) {
        let data = try encode(results, as: Format(path: path))
        do {
            try AtomicFile.write(data, to: path)
        } catch {
            throw BatchError("\(path): cannot write the results (\(error))")
        }
    }

    public static func encode(_ results: BatchResults, as format: Format) throws(BatchError) -> Data {
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            do {
                return try encoder.encode(results) + Data("\n".utf8)
            } catch {
                throw BatchError("cannot encode the results as JSON (\(error))")
            }
        case .csv:
            return csv(results)
        }
    }

    /// Nil when the file does not exist.
    public static func read(_ path: String) throws(BatchError) -> BatchResults? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw BatchError("\(path): cannot read the file") }
        let results: BatchResults
        switch try Format(path: path) {
        case .json:
            do {
                results = try JSONDecoder().decode(BatchResults.self, from: data)
            } catch {
                throw BatchError("\(path): not a results file of cement rate-batch (\(error))")
            }
        case .csv:
            results = try parseCSV(data, path: path)
        }
        var seen = Set<String>()
        for item in results.cases where !seen.insert(item.caseID).inserted {
            throw BatchError("\(path): case \(quoted(item.caseID)) appears twice")
        }
        // Recorded afresh, so that cases out of order in an edited file are sorted again.
        var sorted = BatchResults(engineVersion: results.engineVersion, parameters: results.parameters, cases: results.cases)
        sorted.shard = results.shard
        sorted.manifestCases = results.manifestCases
        sorted.manifestDigest = results.manifestDigest
        sorted.assigned = results.assigned
        return sorted
    }

    private static func csv(_ results: BatchResults) -> Data {
        let leading = Set(leadingLevelColumns + ["qc"])
        let others = Set(results.cases.flatMap { $0.levels.flatMap(\.keys) }).subtracting(leading).sorted(by: BatchResults.precedes)
        let levelColumns = leadingLevelColumns + ["qc"] + others
        let parameterNames = results.parameters.keys.sorted(by: BatchResults.precedes)
        let header = ["case_id"] + leadingLevelColumns + ["levels", "qc"] + others
            + ["status", "error", "series_uid", "engine_version"] + parameterNames.map { parameterPrefix + $0 }
        let parameterFields = parameterNames.map { results.parameters[$0]!.text }
        var rows: [[String]] = []
        for item in results.cases {
            let levels: [[String: FlatValue]] = item.levels.isEmpty ? [[:]] : item.levels
            for level in levels {
                var fields = [item.caseID]
                fields += leadingLevelColumns.map { level[$0]?.text ?? "" }
                fields.append(String(item.levels.count))
                fields += levelColumns.dropFirst(leadingLevelColumns.count).map { level[$0]?.text ?? "" }
                fields += [item.status.rawValue, item.error ?? "", item.seriesUID ?? "", results.engineVersion]
                fields += parameterFields
                rows.append(fields)
            }
        }
        return CSVText.document(header: header, rows: rows)
    }

    private static func parseCSV(_ data: Data, path: String) throws(BatchError) -> BatchResults {
        // Tabular's reader checks the structure (quotes, field counts), naming the row and line.
        let table = try CSVTable.batchInput(data: data, path: path)
        let header = table.header
        var column: [String: Int] = [:]
        for (index, name) in header.enumerated() { column[name] = index }
        for name in ["case_id", "levels", "status", "engine_version"] where column[name] == nil {
            throw BatchError("\(path): row 1: no column \(name); not a results file of cement rate-batch")
        }
        let parameterColumns = header.enumerated().filter { $0.element.hasPrefix(parameterPrefix) }
        let levelColumns = header.enumerated().filter {
            !caseColumns.contains($0.element) && $0.element != "engine_version" && !$0.element.hasPrefix(parameterPrefix)
        }
        var results: BatchResults?
        var cases: [CaseResult] = []
        var number = 1
        var remaining = table.rows[...]
        while let row = remaining.first {
            number += 1
            func place(_ name: String) -> String { "\(path): row \(number), column \(name)" }
            func field(_ name: String) -> String { column[name].map { row[$0] } ?? "" }
            let parameters = Dictionary(uniqueKeysWithValues: parameterColumns.compactMap { entry -> (String, FlatValue)? in
                row[entry.offset].isEmpty ? nil : (String(entry.element.dropFirst(parameterPrefix.count)), .text(row[entry.offset]))
            })
            if let results {
                guard field("engine_version") == results.engineVersion, parameters == results.parameters else {
                    throw BatchError("\(place("engine_version")): engine \(field("engine_version")) or its parameters differ "
                                     + "from row 2's (engine \(results.engineVersion)); one file holds one engine's results")
                }
            } else {
                results = BatchResults(engineVersion: field("engine_version"), parameters: parameters)
            }
            guard let status = CaseStatus(rawValue: field("status")) else {
                throw BatchError("\(place("status")): '\(field("status"))' is neither measured nor failed")
            }
            guard let count = Int(field("levels")), count >= 0 else {
                throw BatchError("\(place("levels")): '\(field("levels"))' is not a level count")
            }
            let caseID = field("case_id")
            var levels: [[String: FlatValue]] = []
            for index in 0..<max(count, 1) {
                guard let levelRow = remaining.first, levelRow[column["case_id"]!] == caseID else {
                    throw BatchError("\(place("levels")): case \(quoted(caseID)) has \(count) level(s) but \(index) row(s)")
                }
                if index > 0 { number += 1 }
                remaining = remaining.dropFirst()
                if count > 0 {
                    levels.append(Dictionary(uniqueKeysWithValues: levelColumns.compactMap { entry -> (String, FlatValue)? in
                        levelRow[entry.offset].isEmpty ? nil : (entry.element, .text(levelRow[entry.offset]))
                    }))
                }
            }
            cases.append(CaseResult(caseID: caseID, status: status, error: field("error"), seriesUID: field("series_uid"),
                                    levels: levels))
        }
        var whole = results ?? BatchResults(engineVersion: "", parameters: [:])
        for item in cases {
            guard whole.result(of: item.caseID) == nil else { throw BatchError("\(path): case \(quoted(item.caseID)) appears twice") }
            whole.record(item)
        }
        return whole
    }
}
