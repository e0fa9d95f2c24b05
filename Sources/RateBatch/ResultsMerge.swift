/// Merges shard result files into the results of the whole batch, byte-identical when written to those of a
/// single run over the same manifest, or refuses: shards of different batches, engines or parameters, a shard
/// given twice or missing, a shard still incomplete, a case in two files.
public enum ResultsMerge {
    /// `files` pairs each file's path (for messages) with its contents.
    public static func merge(_ files: [(path: String, results: BatchResults)]) throws(BatchError) -> BatchResults {
        guard let (firstPath, first) = files.first else { throw BatchError("no shard files to merge") }
        guard let count = first.shard?.count else {
            throw BatchError("\(firstPath): not a shard's results (written without --shard or a Slurm array index)")
        }
        var pathOfShard: [Int: String] = [:], pathOfCase: [String: String] = [:]
        var merged = BatchResults(engineVersion: first.engineVersion, parameters: first.parameters)
        for (path, results) in files {
            guard let shard = results.shard, let assigned = results.assigned else {
                throw BatchError("\(path): not a shard's results (written without --shard or a Slurm array index)")
            }
            guard results.engineVersion == first.engineVersion else {
                throw BatchError("mixed engine versions: \(path) was measured with engine \(results.engineVersion), "
                                 + "\(firstPath) with \(first.engineVersion); measure every shard with one engine")
            }
            guard results.parameters.texts == first.parameters.texts else {
                throw BatchError("mixed engine parameters: \(path) has " + describe(results.parameters) + ", \(firstPath) "
                                 + describe(first.parameters))
            }
            guard shard.count == count, results.manifestDigest == first.manifestDigest,
                  results.manifestCases == first.manifestCases else {
                throw BatchError("\(path) is shard \(shard) of a batch of \(results.manifestCases ?? 0) cases, \(firstPath) "
                                 + "shard \(first.shard!) of \(first.manifestCases ?? 0) cases (manifest \(first.manifestDigest ?? "?")"
                                 + " vs \(results.manifestDigest ?? "?")): not the same batch")
            }
            if let other = pathOfShard[shard.index] {
                throw BatchError("duplicate shard: \(other) and \(path) are both shard \(shard)")
            }
            pathOfShard[shard.index] = path
            let measured = Set(results.cases.map(\.caseID)), held = Set(assigned)
            let missing = assigned.filter { !measured.contains($0) }
            guard missing.isEmpty else {
                throw BatchError("\(path): shard \(shard) is incomplete: \(missing.count) of its \(assigned.count) case(s) not "
                                 + "measured yet (first \(quoted(missing[0]))); rerun that task — it resumes")
            }
            for item in results.cases {
                guard shard.holds(item.caseID), held.contains(item.caseID) else {
                    throw BatchError("\(path): case \(quoted(item.caseID)) does not belong to shard \(shard)")
                }
                if let other = pathOfCase[item.caseID] {
                    throw BatchError("duplicate case \(quoted(item.caseID)): in \(other) and in \(path)")
                }
                pathOfCase[item.caseID] = path
                merged.record(item)
            }
        }
        let absent = (0..<count).filter { pathOfShard[$0] == nil }
        guard absent.isEmpty else {
            throw BatchError("missing shard(s) " + absent.map { "\($0)/\(count)" }.joined(separator: ", ")
                             + " (\(files.count) of \(count) shard files given)")
        }
        guard merged.cases.count == first.manifestCases else {
            throw BatchError("the shards hold \(merged.cases.count) cases, their manifest \(first.manifestCases ?? 0)")
        }
        return merged
    }

    private static func describe(_ parameters: [String: FlatValue]) -> String {
        parameters.keys.sorted().map { "\($0)=\(parameters[$0]!.text)" }.joined(separator: " ")
    }
}
