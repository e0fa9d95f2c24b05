import Foundation
import Imaging

/// One input as a NIfTI-1 label map (plain or gzip; zlib reads both).
let path = FileManager.default.temporaryDirectory.appendingPathComponent("cement-fuzz-nifti-\(getpid()).nii.gz").path

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNIfTI(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes: start, count: count)) else { return 0 }
    _ = try? NIfTIReader.readLabels(path)
    return 0
}
