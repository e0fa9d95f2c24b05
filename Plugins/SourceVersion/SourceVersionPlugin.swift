import Foundation
import PackagePlugin

/// Writes `SourceVersion.swift` (the commit the sources were checked out at) before every build of the target, via
/// `scripts/source-version.sh`, so `cement --version` and the report's provenance name the commit without anyone
/// editing a tracked file. The script rewrites the file only when the commit changes.
@main
struct SourceVersionPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let package = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appending(path: "Generated")
        return [.prebuildCommand(displayName: "Recording the source commit",
                                 executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: [package.appending(path: "scripts/source-version.sh").path, package.path,
                                             output.appending(path: "SourceVersion.swift").path],
                                 outputFilesDirectory: output)]
    }
}
