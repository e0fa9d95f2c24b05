/// An input problem that names the file (and, where it applies, the DICOM tag) it comes from.
public struct ImagingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file or folder the problem was found in.
    public var file: String
    /// The DICOM attribute involved, such as `(0020,0032) ImagePositionPatient`, if any.
    public var tag: String?
    /// What is wrong, in words a user can act on.
    public var message: String

    public init(file: String, tag: String? = nil, _ message: String) {
        self.file = file
        self.tag = tag
        self.message = message
    }

    public var description: String {
        if let tag { return "\(file): \(tag): \(message)" }
        return "\(file): \(message)"
    }
}

extension ImagingError: FileWriteFailure {
    public static func writeFailure(path: String, _ message: String) -> ImagingError {
        ImagingError(file: path, message)
    }
}
