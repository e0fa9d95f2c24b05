import Foundation

/// An error type that can report a file that could not be written, so that `AtomicFile` can fail in the
/// caller's own error type.
public protocol FileWriteFailure: Error {
    /// The failure to write `path`, with the reason in words a user can act on.
    static func writeFailure(path: String, _ message: String) -> Self
}

/// A file or folder that could not be written: the path and the reason ("disk full" when it is).
public struct AtomicFileError: FileWriteFailure, CustomStringConvertible, Equatable, Sendable {
    public var path: String
    public var message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public static func writeFailure(path: String, _ message: String) -> AtomicFileError {
        AtomicFileError(path: path, message)
    }

    public var description: String { "\(path): \(message)" }

    /// The words for a system error number: ENOSPC and EDQUOT say "disk full", the rest `strerror`'s text.
    public static func reason(errno code: Int32) -> String {
        if code == ENOSPC || code == EDQUOT { return "disk full" }
        return String(cString: strerror(code))
    }
}
