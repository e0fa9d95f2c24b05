import ArgumentParser
import CementCore
import Foundation
import Imaging
import Statistics
import Study
import Tabular

/// The `cement` command: CementReport's command-line interface.
@main
struct Cement: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cement",
        abstract: "Regenerate a vertebroplasty cement-distribution study report from raw data.",
        discussion: """
            CementReport reads post-operative CT (DICOM), measures the bone-cement distribution rate \
            (cement volume inside the treated vertebral body / body volume) and reproduces the study's \
            statistics, figures and report. For your own study, `cement init my-study` writes a project (template, \
            codebook, example clinical table) and the steps from CT folders to the report.

            Exit codes: 0 success, 1 a check failed, 2 usage or input error.
            Machine-readable output (--json) goes to stdout; messages go to stderr.
            """,
        version: CementVersion.string,
        subcommands: [InspectCommand.self, ConvertCommand.self, PhantomCommand.self, PhantomSuiteCommand.self,
                      StatsCommand.self, FigureCommand.self,
                      CheckPaperCommand.self, VerifyCommand.self, CohortCommand.self, RateCommand.self, RateBatchCommand.self, RateMergeCommand.self, SlurmScriptCommand.self, StudyCTCommand.self,
                      RenderCommand.self, InitCommand.self, JoinCommand.self, AuditCommand.self, PACSCommand.self]
    )

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as ImagingError {
            Terminal.error(error.description)
            Foundation.exit(ExitCode.inputError)
        } catch let error as StudyError {
            Terminal.error(error.description)
            Foundation.exit(ExitCode.inputError)
        } catch let error as TableError {
            Terminal.error(error.description)
            Foundation.exit(ExitCode.inputError)
        } catch let error as AtomicFileError {
            Terminal.error(error.description)
            Foundation.exit(ExitCode.inputError)
        } catch let error as StatisticsError {
            Terminal.error(error.description)
            Foundation.exit(ExitCode.inputError)
        } catch let error as CommandFailure {
            Terminal.error(error.message)
            Foundation.exit(error.code)
        } catch {
            let code = exitCode(for: error)
            // ArgumentParser reports usage errors as EX_USAGE (64); this CLI promises 2 for them.
            if code == .success {
                exit(withError: error)
            }
            var message = fullMessage(for: error)
            if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
            if !message.isEmpty { Terminal.error(message) }
            Foundation.exit(code == .validationFailure ? ExitCode.inputError : code.rawValue)
        }
    }
}

/// The version printed by `--version` and recorded in provenance: the release number and the source commit
/// (`SourceVersion`, generated at build time by the SourceStamps plugin).
enum CementVersion {
    static let release = "0.1.0"
    static let commit = SourceVersion.commit
    static let string = "\(release) (commit \(commit))"
}

/// Exit codes of every subcommand.
extension ExitCode {
    static let checkFailed: Int32 = 1
    static let inputError: Int32 = 2
}

/// An error that has already been worded for the user, with its exit code.
struct CommandFailure: Error {
    var message: String
    var code: Int32 = ExitCode.inputError
}
