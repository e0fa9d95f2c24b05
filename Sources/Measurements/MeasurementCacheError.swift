/// A measurement cache that cannot be read or written, naming the file.
public struct MeasurementCacheError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var message: String

    public init(file: String, _ message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
