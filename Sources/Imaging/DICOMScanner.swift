import Foundation

/// The image series found under some paths, grouped by SeriesInstanceUID.
public struct DICOMScan: Sendable {
    /// Images of one series, in the order they were found.
    public struct Series: Sendable {
        public var uid: String
        public var images: [DICOMImageHeader]

        public var modality: String { images.first?.modality ?? "" }
        /// Slices in the series (frames, for a multi-frame file).
        public var sliceCount: Int { images.reduce(0) { $0 + $1.frames.count } }
        /// Whether the series holds CT images that the loader can turn into HU.
        public var isCT: Bool {
            modality == "CT"
                || images.allSatisfy {
                    $0.sopClassUID == DICOMUID.ctImageStorage || $0.sopClassUID == DICOMUID.enhancedCTImageStorage
                }
        }
    }

    /// Series, ordered by decreasing slice count, then UID.
    public var series: [Series]
    /// Files under a scanned folder that were not readable DICOM images, with the reason.
    public var skipped: [(path: String, reason: String)]

    /// The series with `uid`, or the CT series with the most slices when `uid` is nil.
    public func select(uid: String?, location: String) throws(ImagingError) -> Series {
        if let uid {
            guard let match = series.first(where: { $0.uid == uid }) else {
                let known = series.map(\.uid).joined(separator: ", ")
                throw ImagingError(file: location, "no series \(uid) (found: \(known.isEmpty ? "none" : known))")
            }
            return match
        }
        guard let ct = series.first(where: \.isCT) else {
            let found = series.map { "\($0.modality.isEmpty ? "?" : $0.modality) series \($0.uid)" }
            throw ImagingError(file: location,
                               "no CT series found" + (found.isEmpty ? "" : " (found: \(found.joined(separator: ", ")))"))
        }
        return ct
    }
}

/// Finds DICOM images in files and folders and reads their headers.
public enum DICOMScanner {
    /// Scans `paths`: folders recursively (unreadable or non-image files are skipped and listed),
    /// files named directly (a bad one is an error).
    public static func scan(_ paths: [String]) throws(ImagingError) -> DICOMScan {
        var headers: [DICOMImageHeader] = []
        var skipped: [(String, String)] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ImagingError(file: path, "no such file or folder")
            }
            if isDirectory.boolValue {
                for file in try filesBelow(path) {
                    guard hasPart10Preamble(file) else {
                        skipped.append((file, "not a DICOM Part 10 file"))
                        continue
                    }
                    do {
                        headers.append(try DICOMImageHeader.read(path: file))
                    } catch {
                        skipped.append((file, error.message))
                    }
                }
            } else {
                headers.append(try DICOMImageHeader.read(path: path))
            }
        }
        var groups: [String: [DICOMImageHeader]] = [:]
        for header in headers { groups[header.seriesUID, default: []].append(header) }
        let series = groups.map { DICOMScan.Series(uid: $0.key, images: $0.value) }
            .sorted { ($0.sliceCount, $1.uid) > ($1.sliceCount, $0.uid) }
        return DICOMScan(series: series, skipped: skipped.sorted { $0.0 < $1.0 })
    }

    /// Regular files below a folder, sorted by path so scans are deterministic.
    private static func filesBelow(_ folder: String) throws(ImagingError) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else {
            throw ImagingError(file: folder, "cannot read the folder")
        }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let full = (folder as NSString).appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(full)
            }
        }
        return files.sorted()
    }

    /// True when the file has the 128-byte preamble followed by "DICM".
    static func hasPart10Preamble(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 132), head.count == 132 else { return false }
        return head[128] == 0x44 && head[129] == 0x49 && head[130] == 0x43 && head[131] == 0x4D
    }
}
