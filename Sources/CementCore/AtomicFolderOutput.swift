import Foundation

/// Several output files that appear together or not at all: each is written into a temporary folder
/// (`.NAME.PID.cement-partial`) inside the output folder, and only when all are written are they renamed into
/// place. On error the temporary folder is removed, so a failing command leaves nothing new behind; one left by a
/// killed process is removed by the next run.
public struct AtomicFolderOutput: Sendable {
    /// The folder the files end up in.
    public let folder: String
    private var files: [(name: String, data: Data)] = []

    public init(folder: String) {
        self.folder = folder
    }

    /// Adds a file (a plain name, no folder) to be written by `commit`.
    public mutating func add(_ name: String, _ data: Data) {
        files.append((name, data))
    }

    /// Writes every file, then renames them into `folder`; returns their final paths. Nothing new is left in
    /// `folder` when this throws, except that a rename failing part-way (a target turned into a folder between
    /// the checks and the renames) keeps the files already moved.
    @discardableResult
    public func commit() throws(AtomicFileError) -> [String] {
        try AtomicFile.createFolder(folder)
        AtomicFile.removeStaleTemporaries(in: folder)
        let targets = files.map { (folder as NSString).appendingPathComponent($0.name) }
        var isFolder: ObjCBool = false
        for target in targets where FileManager.default.fileExists(atPath: target, isDirectory: &isFolder) && isFolder.boolValue {
            throw AtomicFileError(path: target, "is a folder; cannot write the file there")
        }
        let temporary = (folder as NSString).appendingPathComponent(AtomicFile.temporaryName(for: "output"))
        do throws(AtomicFileError) {
            try AtomicFile.createFolder(temporary)
            for file in files {
                try AtomicFile.writeContents(file.data, toPath: (temporary as NSString).appendingPathComponent(file.name))
            }
            for (file, target) in zip(files, targets) {
                guard rename((temporary as NSString).appendingPathComponent(file.name), target) == 0 else {
                    throw AtomicFileError(path: target, "cannot move the finished file into place (\(AtomicFileError.reason(errno: errno)))")
                }
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        try? FileManager.default.removeItem(atPath: temporary)
        return targets
    }
}
