import Foundation
import PackagePlugin

/// Writes a Swift file that stamps the target with its sources before every build, by a script that rewrites it
/// only when its text changes: for `RateEngine`, `EngineSourceDigest.swift` (the SHA-256 of the engine's sources,
/// `scripts/engine-digest.sh`), so the engine's version, which keys cached measurements, changes with any edit to
/// the code that measures; for any other target, `SourceVersion.swift` (the commit the sources were checked out
/// at, `scripts/source-version.sh`), so `cement --version` and the report's provenance name it without anyone
/// editing a tracked file.
@main
struct SourceStampsPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let package = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appending(path: "Generated")
        let (script, file, name) = target.name == "RateEngine"
            ? ("engine-digest.sh", "EngineSourceDigest.swift", "Hashing the rate engine's sources")
            : ("source-version.sh", "SourceVersion.swift", "Recording the source commit")
        return [.prebuildCommand(displayName: name, executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: [package.appending(path: "scripts/\(script)").path, package.path,
                                             output.appending(path: file).path],
                                 outputFilesDirectory: output)]
    }
}
