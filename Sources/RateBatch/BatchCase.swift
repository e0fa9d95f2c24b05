import Foundation
import Tabular

/// One series to measure, with the body mask a manifest names for it.
public struct BatchCase: Sendable, Equatable {
    /// The user's identifier of the case; any text, commas, quotes and line breaks included.
    public var id: String
    public var path: String
    public var bodyMask: String?
    public var label: Int?

    public init(id: String, path: String, bodyMask: String? = nil, label: Int? = nil) {
        self.id = id
        self.path = path
        self.bodyMask = bodyMask
        self.label = label
    }

    /// The cases of a batch input: a folder whose subfolders are series (the subfolder's name is the case ID), or
    /// a CSV manifest with the columns case_id and path and optionally body_mask and label (relative paths are
    /// taken from the manifest's folder). Sorted by case ID; duplicate IDs are refused.
    public static func list(_ input: String) throws(BatchError) -> [BatchCase] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
            throw BatchError("\(input): no such file or folder")
        }
        let cases = isDirectory.boolValue ? try folderCases(input) : try manifestCases(input)
        return cases.sorted { BatchResults.precedes($0.id, $1.id) }
    }

    private static func folderCases(_ folder: String) throws(BatchError) -> [BatchCase] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw BatchError("\(folder): cannot list the folder (\(error.localizedDescription))")
        }
        return names.compactMap { name in
            var isFolder: ObjCBool = false
            let path = (folder as NSString).appendingPathComponent(name)
            guard !name.hasPrefix("."), FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue
            else { return nil }
            return BatchCase(id: name, path: path)
        }
    }

    private static func manifestCases(_ manifest: String) throws(BatchError) -> [BatchCase] {
        let table = try CSVTable.batchInput(manifest)
        let header = table.header
        func column(_ name: String) -> Int? { header.firstIndex(of: name) }
        guard let idColumn = column("case_id"), let pathColumn = column("path") else {
            throw BatchError("\(manifest): row 1: the header needs the columns case_id and path (found: "
                             + header.joined(separator: ", ") + ")")
        }
        let maskColumn = column("body_mask"), labelColumn = column("label")
        let folder = (manifest as NSString).deletingLastPathComponent
        func resolved(_ path: String) -> String {
            path.hasPrefix("/") || folder.isEmpty ? path : (folder as NSString).appendingPathComponent(path)
        }
        var cases: [BatchCase] = [], rowOfID: [String: Int] = [:]
        // Rows are numbered as records of the file, the header being row 1.
        for (offset, row) in table.rows.enumerated() {
            let number = offset + 2
            func field(_ column: Int?) -> String? {
                guard let column, !row[column].isEmpty else { return nil }
                return row[column]
            }
            guard let id = field(idColumn) else { throw BatchError("\(manifest): row \(number), column case_id: empty") }
            guard let path = field(pathColumn) else { throw BatchError("\(manifest): row \(number), column path: empty") }
            if let first = rowOfID[id] {
                throw BatchError("\(manifest): row \(number), column case_id: \(quoted(id)) already appears in row \(first)")
            }
            rowOfID[id] = number
            var item = BatchCase(id: id, path: resolved(path), bodyMask: field(maskColumn).map(resolved))
            if let text = field(labelColumn) {
                guard let label = Int(text), (1...255).contains(label), item.bodyMask != nil else {
                    throw BatchError("\(manifest): row \(number), column label: '\(text)' is not a label 1–255 "
                                     + "of a body_mask given in the same row")
                }
                item.label = label
            }
            cases.append(item)
        }
        return cases
    }
}

/// A case ID as it appears in messages: in quotes, with line breaks and control characters escaped.
public func quoted(_ caseID: String) -> String {
    caseID.debugDescription
}

extension CSVTable {
    /// The table at `path` (Tabular's one CSV reader), failing as a batch input.
    static func batchInput(_ path: String) throws(BatchError) -> CSVTable {
        do { return try CSVTable(path: path) } catch { throw BatchError(error.description) }
    }

    /// The table in `data`, failing as a batch input naming `path`.
    static func batchInput(data: Data, path: String) throws(BatchError) -> CSVTable {
        do { return try CSVTable(data: data, path: path) } catch { throw BatchError(error.description) }
    }
}
