import ArgumentParser
import Foundation
import Imaging

/// `cement inspect`: lists the image series under a path.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List the DICOM series in a file or folder, with geometry and HU range.",
        discussion: """
            Folders are searched recursively; files that are not DICOM images are skipped and counted. \
            A file named directly must be a readable DICOM image. Each CT series is loaded in full \
            (slices sorted along the slice normal, geometry checked) to report its HU range; a series \
            that cannot be loaded is listed with the reason.

            Examples:
              cement inspect scan/
              cement inspect scan/ --json | jq '.series[0].spacing_mm'
            """
    )

    @Argument(help: "DICOM files or folders.", completion: .file())
    var paths: [String]

    @Flag(help: "Print JSON on stdout: {\"series\": [...]}.")
    var json = false

    @Flag(help: "Interpolate series with gaps or uneven slice steps onto a uniform grid instead of failing.")
    var resample = false

    struct SeriesReport: Encodable {
        var series_uid: String
        var modality: String
        var description: String?
        var rows: Int
        var columns: Int
        var slices: Int
        var frames: Int?
        var files: Int
        var spacing_mm: [Double?]
        var transfer_syntax: String
        var transfer_syntax_name: String?
        var hu_min: Int?
        var hu_max: Int?
        var hu_mean: Double?
        var resampled: Bool?
        var error: String?
    }

    struct Report: Encodable {
        var series: [SeriesReport]
        var skipped_files: Int
    }

    func run() throws {
        let scan = try DICOMScanner.scan(paths)
        if !scan.skipped.isEmpty {
            Terminal.warning("skipped \(scan.skipped.count) file(s) that are not readable DICOM images "
                             + "(first: \(scan.skipped[0].path): \(scan.skipped[0].reason))")
        }
        guard !scan.series.isEmpty else {
            throw CommandFailure(message: "\(paths.joined(separator: ", ")): no DICOM image series found")
        }
        let loader = SeriesLoader(resampleIrregularSpacing: resample)
        var reports: [SeriesReport] = []
        for series in scan.series {
            reports.append(report(for: series, loader: loader))
        }
        if json {
            try Terminal.printJSON(Report(series: reports, skipped_files: scan.skipped.count))
        } else {
            for report in reports { print(describe(report)) }
        }
        if reports.allSatisfy({ $0.error != nil }) {
            throw CommandFailure(message: "no series could be loaded")
        }
    }

    private func report(for series: DICOMScan.Series, loader: SeriesLoader) -> SeriesReport {
        let first = series.images[0]
        let syntaxes = Array(Set(series.images.map(\.transferSyntaxUID))).sorted()
        let frame = first.frames[0]
        var report = SeriesReport(
            series_uid: series.uid, modality: series.modality, description: first.seriesDescription,
            rows: first.rows, columns: first.columns, slices: series.sliceCount,
            frames: series.images.count == 1 && first.isMultiFrame ? first.frames.count : nil,
            files: series.images.count, spacing_mm: [frame.pixelSpacing[1], frame.pixelSpacing[0], nil],
            transfer_syntax: syntaxes.joined(separator: ","),
            transfer_syntax_name: syntaxes.count == 1 ? DICOMUID.transferSyntaxNames[syntaxes[0]] : nil)
        guard series.isCT else {
            report.error = "not CT (modality \(series.modality.isEmpty ? "unknown" : series.modality))"
            return report
        }
        do {
            let loaded = try loader.load(series)
            let volume = loaded.volume
            report.slices = volume.geometry.size.z
            report.spacing_mm = [volume.geometry.spacing.x, volume.geometry.spacing.y, volume.geometry.spacing.z]
            let stats = HUStatistics(volume.voxels)
            report.hu_min = Int(stats.minimum)
            report.hu_max = Int(stats.maximum)
            report.hu_mean = (stats.mean * 100).rounded() / 100
            if loaded.wasResampled { report.resampled = true }
        } catch {
            report.error = error.description
        }
        return report
    }

    private func describe(_ report: SeriesReport) -> String {
        let spacing = report.spacing_mm.map { $0.map { String(format: "%.3f", $0) } ?? "?" }.joined(separator: " × ")
        var lines = ["Series \(report.series_uid)",
                     "  modality \(report.modality), \(report.columns) × \(report.rows) × \(report.slices)"
                         + (report.frames != nil ? " (multi-frame)" : "") + ", \(report.files) file(s)",
                     "  spacing \(spacing) mm",
                     "  transfer syntax \(report.transfer_syntax_name ?? report.transfer_syntax)"]
        if let description = report.description { lines.insert("  \(description)", at: 1) }
        if let min = report.hu_min, let max = report.hu_max, let mean = report.hu_mean {
            lines.append("  HU min \(min), max \(max), mean \(String(format: "%.2f", mean))")
        }
        if let error = report.error { lines.append("  cannot load: \(error)") }
        return lines.joined(separator: "\n")
    }
}
