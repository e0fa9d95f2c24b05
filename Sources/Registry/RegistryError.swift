/// A registry that cannot be opened, read or written, or an input that cannot be registered, naming the file and
/// the place (row and column of a CSV, the DICOM tag).
public struct RegistryError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var message: String

    public init(file: String, _ message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
