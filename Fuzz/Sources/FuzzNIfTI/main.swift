import CFuzzDriver
import Foundation
import Imaging

/// One input as a NIfTI-1 label map (plain or gzip; zlib reads both).
enum Input {
    static let path = FileManager.default.temporaryDirectory.appendingPathComponent("cement-fuzz-nifti-\(getpid()).nii.gz").path
}

func fuzzNIfTI(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    guard FileManager.default.createFile(atPath: Input.path, contents: Data(bytes: start, count: count)) else { return 0 }
    _ = try? NIfTIReader.readLabels(Input.path)
    return 0
}

var arguments = CommandLine.argc
var vector: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&arguments, &vector) { fuzzNIfTI($0, $1) })
