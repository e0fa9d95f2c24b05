import Foundation

/// Writes files so that readers never see a half-written output: write a temporary file beside the
/// target, then rename it over the target.
///
/// Temporaries are named `.NAME.PID.cement-partial`; one left behind by a killed process (`kill -9`) is removed
/// by the next write into the same folder once that process is gone.
public enum AtomicFile {
    /// The suffix that marks a temporary file or folder of this process family.
    public static let temporarySuffix = ".cement-partial"

    /// Writes `data` to `path` atomically, creating parent folders.
    public static func write(_ data: Data, to path: String) throws(AtomicFileError) {
        try write(data, to: path, as: AtomicFileError.self)
    }

    /// Writes `data` to `path` atomically, failing in the caller's error type.
    public static func write<Failure: FileWriteFailure>(_ data: Data, to path: String,
                                                        as failure: Failure.Type) throws(Failure) {
        try write(to: path) { (temporary: String) throws(Failure) in
            do throws(AtomicFileError) { try writeContents(data, toPath: temporary) } catch {
                throw Failure.writeFailure(path: path, error.message)
            }
        }
    }

    /// Lets `body` write a temporary file, then renames it to `path`; on error the temporary file is removed.
    public static func write<Failure: FileWriteFailure>(to path: String,
                                                        _ body: (String) throws(Failure) -> Void) throws(Failure) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        do { try createFolder(folder) } catch { throw Failure.writeFailure(path: error.path, error.message) }
        removeStaleTemporaries(in: folder)
        let temporary = (folder as NSString).appendingPathComponent(temporaryName(for: url.lastPathComponent))
        do {
            try body(temporary)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let reason = AtomicFileError.reason(errno: errno)
            try? FileManager.default.removeItem(atPath: temporary)
            throw Failure.writeFailure(path: path, "cannot move the finished file into place (\(reason))")
        }
    }

    /// `.NAME.PID.cement-partial`: hidden, recognisable, and telling which process owns it.
    /// The temporary name for `name` in its folder: `.NAME.PID.cement-partial`.
    public static func temporaryName(for name: String) -> String {
        ".\(name).\(getpid())\(temporarySuffix)"
    }

    /// Creates `folder` and its parents.
    static func createFolder(_ folder: String) throws(AtomicFileError) {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            let code = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError)?.code
            let reason = code.map { AtomicFileError.reason(errno: Int32($0)) } ?? error.localizedDescription
            throw AtomicFileError(path: folder, "cannot create the folder (\(reason))")
        }
    }

    /// Writes all of `data` to `path` with POSIX calls, so that a full disk is reported as such.
    static func writeContents(_ data: Data, toPath path: String) throws(AtomicFileError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw AtomicFileError(path: path, "cannot write the file (\(AtomicFileError.reason(errno: errno)))")
        }
        var failure: Int32 = 0
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        // A full disk may only show when the kernel flushes the file, at close.
        if close(descriptor) != 0, failure == 0 { failure = errno }
        if failure != 0 {
            throw AtomicFileError(path: path, "cannot write the file (\(AtomicFileError.reason(errno: failure)))")
        }
    }

    /// Removes temporaries (files or folders ending in `.PID.cement-partial`) in `folder` whose process no longer
    /// runs: what a killed write left behind.
    public static func removeStaleTemporaries(in folder: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(".") && name.hasSuffix(temporarySuffix) {
            let stem = name.dropLast(temporarySuffix.count)
            guard let dot = stem.lastIndex(of: "."), let pid = pid_t(stem[stem.index(after: dot)...]) else { continue }
            // kill(pid, 0) fails with ESRCH only when no such process exists.
            if pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(name))
            }
        }
    }
}
