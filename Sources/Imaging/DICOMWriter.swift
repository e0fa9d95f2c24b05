import CDCMTK

/// Writes DICOM Part 10 files through DCMTK.
public enum DICOMWriter {
    /// Transfer syntaxes written directly; compressed syntaxes are produced by transcoding with DCMTK's tools.
    public enum Syntax: Sendable {
        case implicitLittleEndian, explicitLittleEndian, explicitBigEndian, deflatedLittleEndian

        var native: cdcm_syntax {
            switch self {
            case .implicitLittleEndian: CDCM_IMPLICIT_LITTLE
            case .explicitLittleEndian: CDCM_EXPLICIT_LITTLE
            case .explicitBigEndian: CDCM_EXPLICIT_BIG
            case .deflatedLittleEndian: CDCM_DEFLATED_LITTLE
            }
        }
    }

    /// Writes one file atomically: attributes as (DCMTK path, DICOM string value) pairs and 16-bit pixel words.
    /// Sequence items named in paths (e.g. `(5200,9230)[2].(0020,9113)[0].(0020,0032)`) are created.
    public static func write(path: String, attributes: [(String, String)], pixelWords: [UInt16],
                             syntax: Syntax = .explicitLittleEndian) throws(ImagingError) {
        try AtomicFile.write(to: path) { temporary throws(ImagingError) in
            var message = [CChar](repeating: 0, count: 512)
            let status = withCStrings(attributes) { list in
                pixelWords.withUnsafeBufferPointer { words in
                    cdcm_write(temporary, list.baseAddress, list.count, words.baseAddress, words.count, syntax.native,
                               &message, message.count)
                }
            }
            if status != 0 { throw ImagingError(file: path, cString(message)) }
        }
    }

    private static func withCStrings<R>(_ pairs: [(String, String)],
                                        _ body: (UnsafeBufferPointer<cdcm_attribute>) -> R) -> R {
        var storage: [UnsafeMutablePointer<CChar>] = []
        defer { storage.forEach { free($0) } }
        var list: [cdcm_attribute] = []
        for (path, value) in pairs {
            let p = strdup(path)!, v = strdup(value)!
            storage += [p, v]
            list.append(cdcm_attribute(path: p, value: v))
        }
        return list.withUnsafeBufferPointer(body)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
