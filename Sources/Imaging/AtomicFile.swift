import Foundation

/// Writes files so that readers never see a half-written output: write a temporary file beside the
/// target, then rename it over the target.
public enum AtomicFile {
    /// Writes `data` to `path` atomically, creating parent folders.
    public static func write(_ data: Data, to path: String) throws(ImagingError) {
        try write(to: path) { (temporary: String) throws(ImagingError) in
            guard FileManager.default.createFile(atPath: temporary, contents: data) else {
                throw ImagingError(file: path, "cannot write the file")
            }
        }
    }

    /// Lets `body` write a temporary file, then renames it to `path`; on error the temporary file is removed.
    public static func write(to path: String, _ body: (String) throws(ImagingError) -> Void) throws(ImagingError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ImagingError(file: folder.path, "cannot create the folder (\(error.localizedDescription))")
        }
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).partial").path
        do {
            try body(temporary)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw ImagingError(file: path, "cannot move the finished file into place (\(reason))")
        }
    }
}
