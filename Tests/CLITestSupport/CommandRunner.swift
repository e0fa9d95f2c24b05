import Foundation

/// What a command printed and how it ended.
public struct CommandRun: Sendable {
    public var status: Int32
    public var stdoutData: Data
    public var stderrData: Data

    public var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
    public var stderr: String { String(decoding: stderrData, as: UTF8.self) }
    /// Standard output followed by standard error.
    public var both: String { stdout + stderr }
}

/// Runs the built `cement` (or another program) as a child process, for the tests that check commands as a user
/// meets them: exit status, stdout and stderr.
public enum CommandRunner {
    /// The folder of this build's products (`cement`, `cement-bench`), where the running test bundle lies.
    public static var products: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// The `cement` executable of this build, next to the running test bundle.
    public static var cement: URL { products.appendingPathComponent("cement") }

    /// Runs this build's `cement` with `arguments`, as `run(_:_:in:environment:)` does.
    public static func run(_ arguments: [String], in folder: String? = nil, environment: [String: String]? = nil) throws
        -> CommandRun
    {
        try run(cement, arguments, in: folder, environment: environment)
    }

    /// Runs `executable` with `arguments` in `folder` (default: the working folder) with `environment` (default:
    /// this process's) and waits for it. Standard error is drained on another thread while standard output is read,
    /// so a child filling one pipe never blocks on it.
    public static func run(_ executable: URL, _ arguments: [String], in folder: String? = nil,
                           environment: [String: String]? = nil) throws -> CommandRun
    {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let errors = DrainedPipe()
        let done = DispatchSemaphore(value: 0)
        let errorHandle = err.fileHandleForReading
        Thread.detachNewThread {
            errors.data = errorHandle.readDataToEndOfFile()
            done.signal()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        process.waitUntilExit()
        // Every `cement … --json` a test runs is held to the one key convention of the CLI's JSON: a break is
        // thrown, which fails the calling test. (Thrown rather than XCTFail: a target that imports XCTest does not
        // build outside `--build-tests`, and `swift build` builds every target, this one included.)
        if executable.lastPathComponent == "cement", arguments.contains("--json") {
            let wrong = JSONKeyConvention.violations(inOutput: stdout)
            if !wrong.isEmpty {
                let command = arguments.prefix { !$0.hasPrefix("-") && !$0.contains("/") && !$0.contains(".") }.prefix(2)
                throw JSONKeyConventionBreak(command: "cement " + command.joined(separator: " "), keys: wrong)
            }
        }
        return CommandRun(status: process.terminationStatus, stdoutData: stdout, stderrData: errors.data)
    }
}

/// The bytes of a pipe read on another thread; read only after that thread has signalled.
private final class DrainedPipe: @unchecked Sendable {
    var data = Data()
}
