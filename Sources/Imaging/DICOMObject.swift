import CDCMTK

/// One open DICOM file, read through DCMTK. Pixel data stay on disk until `pixelWords` is called.
///
/// Not `Sendable`: it owns a DCMTK object, so keep each instance inside one task.
final class DICOMObject {
    let path: String
    private let handle: OpaquePointer

    init(path: String) throws(ImagingError) {
        var message = [CChar](repeating: 0, count: 512)
        guard let handle = cdcm_open(path, &message, message.count) else {
            throw ImagingError(file: path, "not a readable DICOM file (\(cString(message)))")
        }
        self.path = path
        self.handle = handle
    }

    deinit { cdcm_close(handle) }

    /// The attribute's value at a DCMTK path, nil when absent or empty.
    func string(at path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        var length = cdcm_get_string(handle, path, &buffer, buffer.count)
        if length == -2 {
            buffer = [CChar](repeating: 0, count: 1 << 20)
            length = cdcm_get_string(handle, path, &buffer, buffer.count)
        }
        guard length >= 0 else { return nil }
        let value = cString(buffer).trimmingSpaces()
        return value.isEmpty ? nil : value
    }

    func string(_ attribute: DICOMAttribute) -> String? { string(at: attribute.tag) }

    /// All numeric components of a decimal or integer string, or nil when absent.
    func numbers(at path: String, attribute: DICOMAttribute) throws(ImagingError) -> [Double]? {
        guard let text = string(at: path) else { return nil }
        var values: [Double] = []
        for part in text.split(separator: "\\", omittingEmptySubsequences: false) {
            guard let value = Double(String(part).trimmingSpaces()), value.isFinite else {
                throw ImagingError(file: self.path, tag: attribute.description, "not a number: '\(text)'")
            }
            values.append(value)
        }
        return values
    }

    func numbers(_ attribute: DICOMAttribute) throws(ImagingError) -> [Double]? {
        try numbers(at: attribute.tag, attribute: attribute)
    }

    /// Integer value of an attribute, nil when absent.
    func integer(_ attribute: DICOMAttribute) throws(ImagingError) -> Int? {
        guard let values = try numbers(attribute) else { return nil }
        guard let first = values.first, first == first.rounded(), abs(first) < 1e9 else {
            throw ImagingError(file: path, tag: attribute.description, "not an integer")
        }
        return Int(first)
    }

    /// UID of the transfer syntax the file was read in.
    var transferSyntaxUID: String {
        var buffer = [CChar](repeating: 0, count: 128)
        _ = cdcm_transfer_syntax(handle, &buffer, buffer.count)
        return cString(buffer)
    }

    /// Bytes of uncompressed pixel data in the file, nil when they are compressed (encapsulated) or absent.
    var nativePixelDataBytes: Int? {
        let length = cdcm_pixel_data_length(handle)
        return length < 0 ? nil : Int(length)
    }

    /// Whether the attribute is present, without loading its value.
    func has(_ attribute: DICOMAttribute) -> Bool { cdcm_has(handle, attribute.tag) != 0 }

    /// Number of items in a sequence, nil when absent.
    func sequenceCount(_ attribute: DICOMAttribute) -> Int? {
        let count = cdcm_sequence_count(handle, attribute.tag)
        return count < 0 ? nil : count
    }

    /// Decodes all frames of the pixel data into `words` (native-endian 16-bit values).
    func pixelWords(into words: UnsafeMutableBufferPointer<UInt16>) throws(ImagingError) {
        var message = [CChar](repeating: 0, count: 512)
        if cdcm_pixel_words(handle, words.baseAddress, words.count, &message, message.count) != 0 {
            throw ImagingError(file: path, tag: DICOMAttribute.pixelData.description, cString(message))
        }
    }
}

/// The text of a NUL-terminated C buffer.
func cString(_ buffer: [CChar]) -> String {
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}

extension String {
    /// The string without leading and trailing spaces or NULs (DICOM pads values with them).
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\0" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\0" { scalars.removeLast() }
        return String(scalars)
    }
}
