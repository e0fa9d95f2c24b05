import Foundation

extension DICOMScanner {
    /// The DICOM files among `paths` without reading them as images (so segmentations and structured reports
    /// count too): files named directly as they are, and below folders (recursively, sorted) the files with a
    /// Part 10 preamble; the other entries below folders are returned as skipped with the reason.
    public static func part10Files(_ paths: [String]) throws(ImagingError) -> (files: [String], skipped: [(path: String, reason: String)]) {
        var files: [String] = []
        var skipped: [(path: String, reason: String)] = []
        for path in paths {
            var info = stat()
            guard stat(path, &info) == 0 else { throw ImagingError(file: path, "no such file or folder") }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                let (below, others) = try filesBelow(path)
                skipped += others.map { (path: $0.0, reason: $0.1) }
                for file in below {
                    if hasPart10Preamble(file) {
                        files.append(file)
                    } else {
                        skipped.append((file, "not a DICOM Part 10 file"))
                    }
                }
            } else {
                guard (info.st_mode & S_IFMT) == S_IFREG else { throw ImagingError(file: path, "not a regular file or folder") }
                files.append(path)
            }
        }
        return (files, skipped)
    }
}
