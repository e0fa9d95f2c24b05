import Crypto
import Foundation

/// The SHA-256 of a series as a whole: each file's name and the SHA-256 of its contents, in name order, so that a
/// changed, added, removed or renamed slice changes it.
public enum SeriesDigest {
    /// The digest of `files` (paths), as 64 hex digits.
    public static func of(files: [String]) throws(MeasurementCacheError) -> String {
        var hasher = SHA256()
        for file in files.sorted() {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw MeasurementCacheError(file: file, "cannot read the file")
            }
            hasher.update(data: Data((file as NSString).lastPathComponent.utf8))
            hasher.update(data: Data(SHA256.hash(data: contents)))
        }
        return hex(hasher.finalize())
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
