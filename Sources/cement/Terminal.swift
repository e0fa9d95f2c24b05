import Foundation

/// Human messages go to stderr; machine output goes to stdout.
enum Terminal {
    static func error(_ message: String) { write("error: \(message)\n") }
    static func warning(_ message: String) { write("warning: \(message)\n") }
    static func note(_ message: String) { write(message + "\n") }

    /// A one-line progress bar on stderr, only when stderr is a terminal.
    static func progress(_ label: String, done: Int, of total: Int) {
        guard isatty(STDERR_FILENO) != 0, total > 0 else { return }
        let width = 30
        let filled = width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        write("\r\(label) [\(bar)] \(done)/\(total)" + (done == total ? "\n" : ""))
    }

    private static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Prints an Encodable value as pretty JSON with sorted keys (stable across runs) on stdout.
    static func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}
