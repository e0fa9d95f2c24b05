import Crypto
import Foundation

/// Collects the files a report reads, for the provenance section.
final class InputRecord: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: String] = [:]

    func add(path: String, contents: Data) {
        let digest = SHA256.hash(data: contents).map { String(format: "%02x", $0) }.joined()
        lock.lock()
        entries[path] = digest
        lock.unlock()
    }

    /// Records a DICOM series as one entry: the digest covers each file's name and contents, in name order,
    /// so a changed, added or removed slice changes it without listing hundreds of files.
    func addSeries(folder: String, files: [String]) {
        var hasher = SHA256()
        for file in files.sorted() {
            hasher.update(data: Data((file as NSString).lastPathComponent.utf8))
            hasher.update(data: Data(SHA256.hash(data: FileManager.default.contents(atPath: file) ?? Data())))
        }
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        lock.lock()
        entries["\(folder) (\(files.count) DICOM files)"] = digest
        lock.unlock()
    }

    /// Inputs sorted by path (so the order does not depend on reading order).
    var inputs: [(path: String, sha256: String)] {
        lock.lock()
        defer { lock.unlock() }
        return entries.keys.sorted().map { ($0, entries[$0]!) }
    }
}
