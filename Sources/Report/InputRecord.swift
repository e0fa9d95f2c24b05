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

    /// Inputs sorted by path (so the order does not depend on reading order).
    var inputs: [(path: String, sha256: String)] {
        lock.lock()
        defer { lock.unlock() }
        return entries.keys.sorted().map { ($0, entries[$0]!) }
    }
}
