import CementCore
import Foundation
import Phantom

/// The validation table: accuracy and QC statistics of the matched levels, for all of them, per slice-thickness band
/// and per realism factor.
struct ValidationTable {
    var rows: [ValidationRow]

    /// Bins by slice thickness (mm).
    static let thicknessBands: [(String, ClosedRange<Double>)] = [
        ("slices ≤ 1 mm", 0...1), ("slices 1–2 mm", 1.000001...2), ("slices 2–3 mm", 2.000001...3), ("slices > 3 mm", 3.000001...100),
    ]

    /// Bins by realism factor: a name and a test on the case's factors.
    static let factorBins: [(String, @Sendable (PhantomFactors) -> Bool)] = [
        ("pose > 10°", { $0.largestPoseAngle > 10 }),
        ("pose ≤ 10°", { $0.largestPoseAngle <= 10 }),
        ("sclerotic band", { $0.scleroticBand }),
        ("wedge < 0.6", { $0.wedgeRatio < 0.6 }),
        ("biconcave", { $0.fracture == .biconcave }),
        ("crush", { $0.fracture == .crush }),
        ("noise > 40 HU", { $0.noise > 40 }),
        ("bone kernel", { $0.kernel == .bone }),
        ("overlapping slices", { $0.overlappingSlices }),
        ("two cemented levels", { $0.twoCementedLevels }),
        ("  one body between", { $0.untreatedBodyBetween }),
        ("leak: disc", { $0.leakage == .disc }),
        ("leak: vein", { $0.leakage == .vein }),
        ("leak: anterior", { $0.leakage == .anterior }),
        ("leak: needle tract", { $0.leakage == .needleTract }),
        ("no leak", { $0.leakage == LeakageKind.none }),
        ("cancellous < 80 HU", { $0.cancellous < 80 }),
        ("cortex thin < 0.5 mm", { $0.corticalThickness < 0.5 }),
        ("low-opacifier cement", { $0.lowOpacifierCement }),
        ("12-bit saturation", { $0.saturates }),
        ("neighbour cut by range", { $0.neighbourCut }),
        ("matrix 512", { $0.matrix == 512 }),
        ("pixel > 0.8 mm", { $0.pixelSpacing > 0.8 }),
        ("cleft or disc gas", { $0.cleftGas || $0.discVacuum }),
        ("ribs (thoracic)", { $0.ribs }),
    ]

    var text: String {
        var lines = [header]
        lines.append(line("all", rows))
        lines.append("")
        for (name, band) in Self.thicknessBands { lines.append(line(name, rows.filter { band.contains($0.factors.sliceThickness) })) }
        lines.append("")
        for (name, test) in Self.factorBins { lines.append(line(name, rows.filter { test($0.factors) })) }
        return lines.joined(separator: "\n")
    }

    private var header: String {
        pad("bin", 24) + ["n", "miss", "DR mean", "median", "max", "body |e|", "bias", "outline", "ends", "cement", "gross", "flagged",
                          "good flg", "interval"].map { pad($0, 9, right: true) }.joined()
            + "\n" + pad("", 24) + ["levels", "no DR", "|e| pp", "|e| pp", "|e| pp", "mean %", "%", "|e| %", "|e| %", "|e| %", "%",
                                    "of gross", "%", "cover %"].map { pad($0, 9, right: true) }.joined()
    }

    private func line(_ name: String, _ bin: [ValidationRow]) -> String {
        let measured = bin.filter { $0.drError != nil && $0.bodyError != nil }
        let dr = measured.compactMap(\.drError).map(abs).sorted()
        let body = measured.compactMap(\.bodyError)
        let cement = measured.compactMap(\.cementError).map(abs)
        let outline = measured.compactMap(\.split?.outlinePercent).map(abs), ends = measured.compactMap(\.split?.endsPercent).map(abs)
        let gross = bin.filter(\.isGross), good = bin.filter { !$0.isGross }
        let intervals = bin.compactMap(\.intervalHolds)
        func mean(_ x: [Double]) -> String { x.isEmpty ? "–" : String(format: "%.2f", x.reduce(0, +) / Double(x.count)) }
        func share(_ k: Int, _ n: Int) -> String { n == 0 ? "–" : String(format: "%.0f", 100 * Double(k) / Double(n)) }
        let cells = [
            String(bin.count), String(bin.count - measured.count), mean(dr), dr.median().map { String(format: "%.2f", $0) } ?? "–",
            dr.last.map { String(format: "%.2f", $0) } ?? "–", mean(body.map(abs)), mean(body), mean(outline), mean(ends), mean(cement),
            share(gross.count, bin.count), gross.isEmpty ? "–" : "\(gross.filter(\.isFlagged).count)/\(gross.count)",
            share(good.filter(\.isFlagged).count, good.count),
            intervals.isEmpty ? "n/a" : share(intervals.filter { $0 }.count, intervals.count),
        ]
        return pad(name, 24) + cells.map { pad($0, 9, right: true) }.joined()
    }

    private func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let count = s.count
        guard count < width else { return s + " " }
        let fill = String(repeating: " ", count: width - count)
        return right ? fill + s : s + fill
    }
}
