import Foundation
import Imaging

/// One input as a DICOM file: the header is read, and when it is an image its series is loaded (pixel data
/// decoded through DCMTK, HU converted). Errors are expected; crashes, hangs and sanitizer reports are findings.
let path = FileManager.default.temporaryDirectory.appendingPathComponent("cement-fuzz-dicom-\(getpid()).dcm").path

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDICOM(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes: start, count: count)) else { return 0 }
    guard let scan = try? DICOMScanner.scan([path]), let series = scan.series.first else { return 0 }
    _ = try? SeriesLoader(resampleIrregularSpacing: true).load(series)
    return 0
}
