import Foundation

/// The results of a batch, or of one shard of it: the engine version and parameters the cases were measured
/// with and one `CaseResult` per case, sorted by case ID.
///
/// A whole batch (a single run, or shards merged) carries no shard fields, so that both are byte-identical when
/// written. A shard's file also records which cases the shard holds (`assigned`) and the manifest it came from
/// (`manifestCases`, `manifestDigest`), so that a merge can tell a complete shard from an interrupted one.
public struct BatchResults: Sendable, Codable, Equatable {
    /// `RateEngine.version` of every measurement in the file.
    public var engineVersion: String
    /// `RateEngine.Parameters` as `FlatFields`.
    public var parameters: [String: FlatValue]
    public var shard: Shard?
    public var manifestCases: Int?
    public var manifestDigest: String?
    /// The case IDs this shard holds, sorted; measured or not yet.
    public var assigned: [String]?
    public private(set) var cases: [CaseResult]

    public init(engineVersion: String, parameters: [String: FlatValue], cases: [CaseResult] = []) {
        self.engineVersion = engineVersion
        self.parameters = parameters
        self.cases = []
        for item in cases { record(item) }
    }

    enum CodingKeys: String, CodingKey {
        case engineVersion = "engine_version", parameters, shard, manifestCases = "manifest_cases"
        case manifestDigest = "manifest_digest", assigned, cases
    }

    /// Marks these results as shard `shard` of a manifest whose case IDs are `manifestIDs`.
    public mutating func assign(_ shard: Shard, manifestIDs: [String]) {
        self.shard = shard
        manifestCases = manifestIDs.count
        manifestDigest = Self.digest(manifestIDs)
        assigned = manifestIDs.filter(shard.holds).sorted(by: Self.precedes)
    }

    /// Adds or replaces a case's result, keeping the cases sorted by ID.
    public mutating func record(_ result: CaseResult) {
        let position = cases.partitioningIndex { !Self.precedes($0.caseID, result.caseID) }
        if position < cases.count, cases[position].caseID == result.caseID {
            cases[position] = result
        } else {
            cases.insert(result, at: position)
        }
    }

    /// Keeps only the cases whose IDs are in `ids`.
    public mutating func keep(_ ids: Set<String>) {
        cases.removeAll { !ids.contains($0.caseID) }
    }

    public func result(of caseID: String) -> CaseResult? {
        let position = cases.partitioningIndex { !Self.precedes($0.caseID, caseID) }
        return position < cases.count && cases[position].caseID == caseID ? cases[position] : nil
    }

    public var failed: [CaseResult] { cases.filter { $0.status == .failed } }

    /// The whole-batch form: the same cases without the shard fields.
    public var whole: BatchResults {
        BatchResults(engineVersion: engineVersion, parameters: parameters, cases: cases)
    }

    /// Case order everywhere: by the UTF-8 bytes of the ID, the same in every locale and process.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// A fingerprint of a manifest's case IDs (FNV-1a, 64 bit, over the sorted IDs each ended by a NUL byte).
    static func digest(_ ids: [String]) -> String {
        var bytes: [UInt8] = []
        for id in ids.sorted(by: precedes) {
            bytes += Array(id.utf8)
            bytes.append(0)
        }
        let hash = Shard.fnv1a(bytes)
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension Array {
    /// The first index at which `belongs` holds, for an array where it holds on a suffix only (binary search).
    fileprivate func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
