import Foundation

extension Template {
    /// Throws when `path` (symlinks resolved) lies outside every readable folder.
    func checkReadable(_ path: String, named relative: String, at position: SourcePosition) throws(ReportError) {
        guard let readableFolders else { return }
        let resolved = Self.realPath(path)
        let allowed = (readableFolders + (dataFolder.map { [$0] } ?? [])).map(Self.realPath)
        guard allowed.contains(where: { resolved == $0 || resolved.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }) else {
            throw ReportError(file: self.path, line: position.line, column: position.column,
                              "'\(relative)' lies outside the template's folder (\(resolved)); "
                              + "pass --allow-path DIR to read from another folder")
        }
    }

    /// The absolute path as the system resolves it (symlinks, `.` and `..`); for a path that does not exist, its
    /// deepest existing ancestor is resolved and the rest appended, normalised.
    static func realPath(_ path: String) -> String {
        var current = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var rest: [String] = []
        while true {
            if let real = realpath(current, nil) {
                defer { free(real) }
                let base = String(cString: real)
                guard !rest.isEmpty else { return base }
                return ((base + "/" + rest.reversed().joined(separator: "/")) as NSString).standardizingPath
            }
            let parent = (current as NSString).deletingLastPathComponent
            guard parent != current, !parent.isEmpty else { return (path as NSString).standardizingPath }
            rest.append((current as NSString).lastPathComponent)
            current = parent
        }
    }
}

/// The bytes of a regular text file (UTF-8 without NUL bytes), nil when it is not one: device files, FIFOs and
/// `/proc` entries are never opened, binary files never included.
func readRegularTextFile(_ path: String) -> Data? {
    var info = stat()
    guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
    guard let data = FileManager.default.contents(atPath: path), !data.contains(0),
          String(data: data, encoding: .utf8) != nil else { return nil }
    return data
}
