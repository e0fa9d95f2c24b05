import CFuzzDriver
import Foundation
import Imaging

/// One input as a DICOM file: the header is read, and when it is an image its series is loaded (pixel data
/// decoded through DCMTK, HU converted). Errors are expected; crashes, hangs and sanitizer reports are findings.
enum Input {
    static let path = FileManager.default.temporaryDirectory.appendingPathComponent("cement-fuzz-dicom-\(getpid()).dcm").path
}

func fuzzDICOM(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    guard FileManager.default.createFile(atPath: Input.path, contents: Data(bytes: start, count: count)) else { return 0 }
    guard let scan = try? DICOMScanner.scan([Input.path]), let series = scan.series.first else { return 0 }
    _ = try? SeriesLoader(resampleIrregularSpacing: true).load(series)
    return 0
}

var arguments = CommandLine.argc
var vector: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&arguments, &vector) { fuzzDICOM($0, $1) })
