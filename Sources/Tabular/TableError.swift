/// A table file that cannot be read as one, with the file and, where it applies, the row and column.
public struct TableError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var message: String

    public init(file: String, _ message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
