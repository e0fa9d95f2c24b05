import Foundation

/// Counts finished items from concurrent workers and redraws `Terminal.progress` (which shows only on a TTY).
final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    private let label: String
    private let total: Int

    init(_ label: String, total: Int) {
        (self.label, self.total) = (label, total)
        Terminal.progress(label, done: 0, of: total)
    }

    /// One more item finished.
    func advance() {
        lock.lock()
        defer { lock.unlock() }
        done += 1
        Terminal.progress(label, done: done, of: total)
    }
}
