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
        let staging = try StagingFolder(in: folder)
        do throws(AtomicFileError) {
            for file in files {
                try AtomicFile.writeContents(file.data, toPath: staging.temporaryPath(file.name))
            }
        } catch {
            staging.discard()
            throw error
        }
        return try staging.commit(files.map(\.name))
    }
}
