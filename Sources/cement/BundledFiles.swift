import Foundation

/// The files CementReport ships with (the synthetic study's data, its report templates, the `cement init`
/// project), found from the executable rather than the working folder: `PREFIX/share/cementreport` next to an
/// installed `PREFIX/bin/cement` (`make install`), or the source tree a build folder lies in. `CEMENT_SHARE`
/// names the folder explicitly.
enum BundledFiles {
    /// The environment variable that overrides the search.
    static let environmentKey = "CEMENT_SHARE"
    /// A file every share folder holds, to recognise one.
    static let marker = "data/published.json"

    /// The share folder, or nil when none is found.
    static let folder: String? = locate()

    /// The path of a bundled file, e.g. `data/codebook.csv`; an error saying where it was looked for when there
    /// is no share folder.
    static func path(_ relative: String) throws -> String {
        guard let folder else {
            throw CommandFailure(message: "cannot find CementReport's bundled files (\(relative)): looked in "
                + candidates().map(\.path).joined(separator: ", ")
                + "; install with `make install`, set \(environmentKey), or give the file's path")
        }
        return (folder as NSString).appendingPathComponent(relative)
    }

    /// The option's value, or the bundled file when the option was not given.
    static func path(_ option: String?, default relative: String) throws -> String {
        try option ?? path(relative)
    }

    private static func locate() -> String? {
        candidates().first { FileManager.default.fileExists(atPath: $0.appendingPathComponent(marker).path) }?.path
    }

    /// Where a share folder may be, in order: `CEMENT_SHARE`, `../share/cementreport` beside the executable, and
    /// the executable's ancestors (a source tree, with the executable under `.build*/`).
    private static func candidates() -> [URL] {
        var list: [URL] = []
        if let explicit = ProcessInfo.processInfo.environment[environmentKey], !explicit.isEmpty {
            list.append(URL(fileURLWithPath: explicit))
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let binary = FileManager.default.fileExists(atPath: executable.path) && executable.path != "/proc/self/exe"
            ? executable : URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = binary.deletingLastPathComponent()
        list.append(folder.deletingLastPathComponent().appendingPathComponent("share/cementreport"))
        while folder.path != "/" && !folder.path.isEmpty {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                list.append(folder)
                break
            }
            folder = folder.deletingLastPathComponent()
        }
        return list
    }
}
