/// One of `count` parts of a batch: shard `index` (0-based) holds the cases whose case ID hashes to it.
///
/// The assignment depends on the case ID and the shard count only, so adding cases to a manifest never moves an
/// existing case to another shard, and every process on every machine computes the same split.
public struct Shard: Sendable, Codable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) throws(BatchError) {
        guard count >= 1 else { throw BatchError("the shard count must be at least 1, not \(count)") }
        guard (0..<count).contains(index) else {
            throw BatchError("shard index \(index) is outside 0…\(count - 1) (shards are numbered from 0, "
                             + "as in sbatch --array=0-\(count - 1))")
        }
        self.index = index
        self.count = count
    }

    /// Parses `I/N`, for example `3/8` (the fourth of eight shards).
    public init(parsing text: String) throws(BatchError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw BatchError("--shard '\(text)' is not I/N (for example 0/8)")
        }
        try self.init(index: index, count: count)
    }

    /// The shard a scheduler assigned to this process: the index from `SLURM_ARRAY_TASK_ID` or Kubernetes'
    /// `JOB_COMPLETION_INDEX`, the count from `count` when given, else from `SLURM_ARRAY_TASK_COUNT`.
    /// Nil when neither index variable is set. A rerun of single array tasks (`sbatch --array=3`) sees a task
    /// count of 1, so scripts pass the count explicitly.
    public static func fromEnvironment(_ environment: [String: String], count: Int?) throws(BatchError) -> Shard? {
        let slurm = environment["SLURM_ARRAY_TASK_ID"], kubernetes = environment["JOB_COMPLETION_INDEX"]
        guard let (name, text) = slurm.map({ ("SLURM_ARRAY_TASK_ID", $0) }) ?? kubernetes.map({ ("JOB_COMPLETION_INDEX", $0) })
        else { return nil }
        guard let index = Int(text) else { throw BatchError("\(name)='\(text)' is not a whole number") }
        var total = count
        if total == nil, slurm != nil, let text = environment["SLURM_ARRAY_TASK_COUNT"] {
            guard let value = Int(text) else { throw BatchError("SLURM_ARRAY_TASK_COUNT='\(text)' is not a whole number") }
            total = value
        }
        guard let total else { throw BatchError("\(name) is set but the shard count is not: give --shard-count N") }
        return try Shard(index: index, count: total)
    }

    /// The shard of a case ID among `count` shards: FNV-1a (64 bit) of its UTF-8 bytes, mixed by MurmurHash3's
    /// 64-bit finaliser, modulo `count`. Without the finaliser FNV-1a modulo 2^k depends only on the low k bits of
    /// each byte: IDs such as A1, B2, … C9 would all land in one of two shards.
    public static func index(of caseID: String, count: Int) -> Int {
        Int(mix(fnv1a(caseID.utf8)) % UInt64(count))
    }

    /// Whether this shard holds the case.
    public func holds(_ caseID: String) -> Bool {
        Shard.index(of: caseID, count: count) == index
    }

    public var description: String { "\(index)/\(count)" }

    /// MurmurHash3's fmix64: every input bit affects every output bit.
    static func mix(_ value: UInt64) -> UInt64 {
        var k = value
        k ^= k >> 33
        k = k &* 0xff51_afd7_ed55_8ccd
        k ^= k >> 33
        k = k &* 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }

    /// FNV-1a, 64 bit: a fixed, platform-independent hash (Swift's `Hasher` is seeded per process).
    static func fnv1a<S: Sequence>(_ bytes: S) -> UInt64 where S.Element == UInt8 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
