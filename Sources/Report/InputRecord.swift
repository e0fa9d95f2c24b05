import Crypto
import Foundation

/// Collects the files a report reads, for the provenance section.
public final class InputRecord: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: String] = [:]

    public init() {}

    /// Records a file read by the report.
    public func add(path: String, contents: Data) {
        let digest = SHA256.hash(data: contents).map { String(format: "%02x", $0) }.joined()
        lock.lock()
        entries[path] = digest
        lock.unlock()
    }

    /// Records a folder of files (a DICOM series) as one entry, under its digest over every file (so that a
    /// changed, added or removed slice changes it without listing hundreds of files).
    public func addSeries(folder: String, fileCount: Int, digest: String) {
        lock.lock()
        entries["\(folder) (\(fileCount) DICOM files)"] = digest
        lock.unlock()
    }

    /// Inputs sorted by path (so the order does not depend on reading order).
    public var inputs: [(path: String, sha256: String)] {
        lock.lock()
        defer { lock.unlock() }
        return entries.keys.sorted().map { ($0, entries[$0]!) }
    }
}
