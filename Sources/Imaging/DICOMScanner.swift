import Foundation

/// The image series found under some paths, grouped by SeriesInstanceUID.
public struct DICOMScan: Sendable {
    /// Images of one series, in the order they were found.
    public struct Series: Sendable {
        public var uid: String
        public var images: [DICOMImageHeader]
        /// Files of this series (pixel data and SeriesInstanceUID present) whose header could not be used, such as
        /// a slice with a NaN ImagePositionPatient: loading the series fails on the first of them, rather than
        /// measuring the stack without it.
        public var broken: [ImagingError] = []

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
    /// Files under a scanned folder that were not readable DICOM images, with the reason: non-DICOM files,
    /// FIFOs, devices and sockets (never opened), files whose names are not UTF-8, broken images.
    public var skipped: [(path: String, reason: String)]

    /// The series with `uid`, or when `uid` is nil the first-ranked by `SeriesSelection.ranked` (headers only:
    /// no coverage check; `SeriesLoader.select` adds it).
    public func select(uid: String?, location: String) throws(ImagingError) -> Series {
        if let uid {
            guard let match = series.first(where: { $0.uid == uid }) else {
                let known = series.map(\.uid).joined(separator: ", ")
                throw ImagingError(file: location, "no series \(uid) (found: \(known.isEmpty ? "none" : known))")
            }
            return match
        }
        let (eligible, excluded) = SeriesSelection.ranked(self)
        guard let ct = eligible.first?.0 else { throw SeriesSelection.nothingToMeasure(excluded, location: location) }
        return ct
    }
}

/// Finds DICOM images in files and folders and reads their headers.
public enum DICOMScanner {
    /// Scans `paths`: folders recursively (unreadable or non-image files are skipped and listed),
    /// files named directly (a bad one is an error).
    public static func scan(_ paths: [String]) throws(ImagingError) -> DICOMScan {
        var headers: [DICOMImageHeader] = []
        var broken: [String: [ImagingError]] = [:]
        var skipped: [(String, String)] = []
        for path in paths {
            var info = stat()
            guard stat(path, &info) == 0 else { throw ImagingError(file: path, "no such file or folder") }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                let (files, others) = try filesBelow(path)
                skipped += others
                for file in files {
                    guard hasPart10Preamble(file) else {
                        skipped.append((file, "not a DICOM Part 10 file"))
                        continue
                    }
                    do {
                        headers.append(try DICOMImageHeader.read(path: file))
                    } catch {
                        skipped.append((file, error.message))
                        if let series = seriesOfImage(file) { broken[series, default: []].append(error) }
                    }
                }
            } else {
                guard (info.st_mode & S_IFMT) == S_IFREG else {
                    throw ImagingError(file: path, "not a regular file or folder (\(fileKind(info.st_mode)))")
                }
                headers.append(try DICOMImageHeader.read(path: path))
            }
        }
        var groups: [String: [DICOMImageHeader]] = [:]
        for header in headers { groups[header.seriesUID, default: []].append(header) }
        for uid in broken.keys where groups[uid] == nil { groups[uid] = [] }
        let series = groups.map { DICOMScan.Series(uid: $0.key, images: $0.value, broken: broken[$0.key] ?? []) }
            .sorted { ($0.sliceCount, $1.uid) > ($1.sliceCount, $0.uid) }
        return DICOMScan(series: series, skipped: skipped.sorted { $0.0 < $1.0 })
    }

    /// The SeriesInstanceUID of a file that holds pixel data, nil when it is not an image.
    private static func seriesOfImage(_ path: String) -> String? {
        guard let object = try? DICOMObject(path: path), object.has(.pixelData) else { return nil }
        return object.string(.seriesInstanceUID)
    }

    /// Regular files below a folder, sorted by path so scans are deterministic, and the entries that were not
    /// looked into: FIFOs, devices and sockets (opening a FIFO blocks), names that are not UTF-8. Symbolic links to
    /// folders are not followed (no loops).
    static func filesBelow(_ folder: String) throws(ImagingError) -> (files: [String], skipped: [(String, String)]) {
        var files: [String] = [], skipped: [(String, String)] = []
        var pending = [folder]
        var first = true
        while let current = pending.popLast() {
            guard let directory = opendir(current) else {
                if first { throw ImagingError(file: folder, "cannot read the folder") }
                skipped.append((current, "cannot read the folder"))
                continue
            }
            first = false
            defer { closedir(directory) }
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    Array(raw.prefix { $0 != 0 })
                }
                if name == [0x2E] || name == [0x2E, 0x2E] { continue }
                guard let text = String(validating: name, as: UTF8.self) else {
                    let shown = String(decoding: name, as: UTF8.self)
                    skipped.append(((current as NSString).appendingPathComponent(shown), "file name is not valid UTF-8"))
                    continue
                }
                let full = (current as NSString).appendingPathComponent(text)
                var info = stat()
                guard lstat(full, &info) == 0 else { continue }
                var mode = info.st_mode & S_IFMT
                if mode == S_IFLNK {
                    guard stat(full, &info) == 0 else {
                        skipped.append((full, "broken symbolic link"))
                        continue
                    }
                    mode = info.st_mode & S_IFMT
                    if mode == S_IFDIR { continue }
                }
                switch mode {
                case S_IFDIR: pending.append(full)
                case S_IFREG: files.append(full)
                default: skipped.append((full, "not a regular file (\(fileKind(mode)))"))
                }
            }
        }
        return (files.sorted(), skipped)
    }

    /// True when the file is a regular file with the 128-byte preamble followed by "DICM". Opened without
    /// blocking, so a FIFO put in place of a checked file cannot hang the scan.
    static func hasPart10Preamble(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size >= 132 else { return false }
        var head = [UInt8](repeating: 0, count: 132)
        guard read(descriptor, &head, 132) == 132 else { return false }
        return head[128] == 0x44 && head[129] == 0x49 && head[130] == 0x43 && head[131] == 0x4D
    }

    private static func fileKind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFDIR: "a folder"
        default: "not a regular file"
        }
    }
}
