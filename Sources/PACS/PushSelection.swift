import Imaging

/// The files a push sends: files named directly as they are, and the DICOM Part 10 files found below folders
/// (the others are listed as skipped with the reason).
struct PushSelection {
    var files: [String]
    var skipped: [String]

    init(paths: [String], peer: PACSPeer) throws(PACSError) {
        do {
            let listing = try DICOMScanner.part10Files(paths)
            files = listing.files
            skipped = listing.skipped.map { "\($0.path): \($0.reason)" }
        } catch {
            throw PACSError(peer: peer.name, .local(error.description))
        }
    }
}
