import Foundation

/// A temporary folder (`.NAME.PID.cement-partial`) inside an output folder: files are written into it one by one
/// and renamed into the output folder together by `commit`, so a command that fails part-way leaves nothing new
/// behind. One left by a killed process is removed when the next staging folder is made there.
public struct StagingFolder: Sendable {
    /// The folder the files end up in.
    public let folder: String
    /// The temporary folder files are written into.
    public let path: String

    /// Creates `folder` (and its parents) and a fresh temporary folder inside it.
    public init(in folder: String, name: String = "output") throws(AtomicFileError) {
        self.folder = folder
        try AtomicFile.createFolder(folder)
        AtomicFile.removeStaleTemporaries(in: folder)
        path = (folder as NSString).appendingPathComponent(AtomicFile.temporaryName(for: name))
        try? FileManager.default.removeItem(atPath: path)
        try AtomicFile.createFolder(path)
    }

    /// The temporary path of a file (a plain name) that `commit` moves to `folder/name`.
    public func temporaryPath(_ name: String) -> String {
        (path as NSString).appendingPathComponent(name)
    }

    /// Renames the named files into `folder` and removes the temporary folder; returns their final paths. The names
    /// are checked first: none may be an existing folder. On error the temporary folder is removed, and only a rename
    /// failing part-way (a target turned into a folder between the check and the renames) keeps the files moved.
    @discardableResult
    public func commit(_ names: [String]) throws(AtomicFileError) -> [String] {
        defer { discard() }
        let targets = names.map { (folder as NSString).appendingPathComponent($0) }
        var isFolder: ObjCBool = false
        for target in targets where FileManager.default.fileExists(atPath: target, isDirectory: &isFolder) && isFolder.boolValue {
            throw AtomicFileError(path: target, "is a folder; cannot write the file there")
        }
        for (name, target) in zip(names, targets) {
            guard rename(temporaryPath(name), target) == 0 else {
                throw AtomicFileError(path: target, "cannot move the finished file into place (\(AtomicFileError.reason(errno: errno)))")
            }
        }
        return targets
    }

    /// Removes the temporary folder and whatever is still in it.
    public func discard() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
