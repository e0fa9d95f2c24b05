/// A batch input or result file that cannot be used, worded for the user (file and place named).
public struct BatchError: Error, CustomStringConvertible, Equatable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
