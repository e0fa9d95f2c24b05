import CFuzzDriver
import Foundation
import Study
import Tabular

/// One input as a CSV file read three ways: as a plain table with every cell parsed as a decimal, as a codebook,
/// and as a cohort checked against the bundled codebook (the paths `stats`, `render` and `verify` take).
enum Input {
    static let path = FileManager.default.temporaryDirectory.appendingPathComponent("cement-fuzz-csv-\(getpid()).csv").path
    static let codebook: Codebook? = {
        let here = URL(fileURLWithPath: #filePath)
        let bundled = here.deletingLastPathComponent().appendingPathComponent("../../../data/codebook.csv").standardized.path
        return try? Codebook.load(bundled)
    }()
}

func fuzzCSV(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let data = Data(bytes: start, count: count)
    if let table = try? CSVTable(data: data, path: "input.csv") {
        for row in table.rows.indices {
            for column in table.header.indices { _ = try? table.number(row: row, column: column) }
        }
    }
    guard FileManager.default.createFile(atPath: Input.path, contents: data) else { return 0 }
    _ = try? Codebook.load(Input.path)
    if let codebook = Input.codebook { _ = try? Cohort.load(Input.path, codebook: codebook) }
    return 0
}

var arguments = CommandLine.argc
var vector: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&arguments, &vector) { fuzzCSV($0, $1) })
