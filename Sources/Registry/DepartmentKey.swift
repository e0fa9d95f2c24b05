import CementCore
import Crypto
import Foundation

/// The department's secret for pseudonymous case IDs: 32 random bytes in a file of its own (hex), created on first
/// use with permissions 0600 and read nowhere else. The same key gives a patient's study the same case ID in every
/// period; without the key a case ID cannot be traced back.
public struct DepartmentKey: Sendable {
    /// The key file.
    public let path: String
    /// The key's bytes (`SymmetricKey` is not `Sendable`; one is made per hash).
    private let bytes: [UInt8]

    /// Reads the key at `path`, creating it (0600) when there is none. A key readable by group or others is refused.
    public static func loadOrCreate(_ path: String) throws(RegistryError) -> DepartmentKey {
        if !FileManager.default.fileExists(atPath: path) { try create(path) }
        var status = stat()
        guard stat(path, &status) == 0 else { throw RegistryError(file: path, "cannot read the department key") }
        guard status.st_mode & 0o077 == 0 else {
            throw RegistryError(file: path, String(format: "the department key is readable by others (mode %03o); "
                                                   + "chmod 600 it", status.st_mode & 0o777))
        }
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
              let bytes = hexBytes(text), bytes.count == 32 else {
            throw RegistryError(file: path, "not a department key (64 hex digits)")
        }
        return DepartmentKey(path: path, bytes: bytes)
    }

    private static func create(_ path: String) throws(RegistryError) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let text = bytes.map { String(format: "%02x", $0) }.joined() + "\n"
        // O_EXCL: two processes creating the key at once must not end up with different keys.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST { return }
            throw RegistryError(file: path, "cannot create the department key (\(String(cString: strerror(errno))))")
        }
        defer { close(descriptor) }
        let written = text.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, text.utf8.count) }
        guard written == text.utf8.count, fsync(descriptor) == 0 else {
            unlink(path)
            throw RegistryError(file: path, "cannot write the department key")
        }
    }

    /// The case ID of a patient's study: "C" and the first 20 hex digits of HMAC-SHA256(key, PatientID, NUL,
    /// StudyInstanceUID).
    public func caseID(patientID: String, studyInstanceUID: String) -> String {
        "C" + String(hex(Data((patientID + "\u{0}" + studyInstanceUID).utf8)).prefix(20))
    }

    /// A replacement for a DICOM UID (PS3.15 Annex E action U): a `2.25.` UID derived from the keyed hash, the same
    /// for the same UID and key.
    public func replacementUID(for uid: String) -> String {
        DeterministicUID.make("uid\u{0}" + hex(Data(("uid\u{0}" + uid).utf8)))
    }

    private func hex(_ message: Data) -> String {
        HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: bytes)).map { String(format: "%02x", $0) }.joined()
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}
