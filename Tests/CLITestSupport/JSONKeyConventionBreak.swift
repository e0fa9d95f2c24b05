/// A `cement … --json` whose output has keys that are not snake_case (`JSONKeyConvention`), thrown by
/// `CommandRunner.run` so that the test running the command fails, naming the command and the keys.
public struct JSONKeyConventionBreak: Error, CustomStringConvertible {
    /// The command, as `cement stats anova`.
    public var command: String
    /// The keys that break the convention, each with its path (`groups[0].meanSD`).
    public var keys: [String]

    public var description: String { "\(command) --json: keys not snake_case: " + keys.joined(separator: ", ") }
}
