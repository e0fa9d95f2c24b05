import Foundation
import XCTest

@testable import Statistics
import Tabular

/// NIST Statistical Reference Datasets for one-way ANOVA (files from NIST StRD, public domain, as shipped with
/// SciPy's test data). Certified values are parsed from each file.
final class NISTTests: XCTestCase {
    private struct Dataset {
        var groups: [[Double]]
        var ssBetween: Double
        var ssWithin: Double
        var f: Double
    }

    private func load(_ name: String) throws -> Dataset {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "dat", subdirectory: "NIST"))
        let lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: .newlines)
        var ssBetween = 0.0, ssWithin = 0.0, f = 0.0
        var treatments: [String?] = [], responses: [String?] = []
        var inData = false
        for line in lines {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            // Certified lines start "Between <factor>" / "Within <factor>"; the data follow the line that names
            // the factor and the response, e.g. "Data:  Treatment   Response".
            if line.hasPrefix("Between ") {
                ssBetween = Double(fields[3])!
                f = Double(fields[5])!
            } else if line.hasPrefix("Within ") {
                ssWithin = Double(fields[3])!
            } else if line.hasPrefix("Data:") && fields.count == 3 && Double(fields[1]) == nil {
                inData = true
            } else if inData, fields.count == 2 {
                treatments.append(fields[0])
                responses.append(fields[1])
            }
        }
        // Values keep their decimal digits until centred, as every command reads a data table (DataTable).
        let table = try DataTable(source: name, columns: [("treatment", treatments), ("response", responses)],
                                  kinds: ["response": .numeric, "treatment": .categorical])
        let groups = try table.centred("response", in: try table.grouped(by: "treatment").rows)
        return Dataset(groups: groups, ssBetween: ssBetween, ssWithin: ssWithin, f: f)
    }

    /// Significant digits in agreement: −log10 of the relative error (LRE, as NIST scores software).
    private func digits(_ value: Double, _ certified: Double) -> Double {
        value == certified ? 15 : -log10(abs(value - certified) / abs(certified))
    }

    func testCertifiedValues() throws {
        // The issue asks for 9 digits (6 on SmLs07–09); with decimal centring all reach about 14.5, so 12 is required.
        let required = ["SiRstv", "SmLs01", "SmLs02", "SmLs03", "AtmWtAg", "SmLs04", "SmLs05", "SmLs06", "SmLs07",
                        "SmLs08", "SmLs09"].map { ($0, 12.0) }
        for (name, minimum) in required {
            let data = try load(name)
            let anova = try OneWayANOVA(groups: data.groups)
            XCTAssertGreaterThanOrEqual(digits(anova.ssBetween, data.ssBetween), minimum, "\(name) SS between")
            XCTAssertGreaterThanOrEqual(digits(anova.ssWithin, data.ssWithin), minimum, "\(name) SS within")
            XCTAssertGreaterThanOrEqual(digits(anova.f, data.f), minimum, "\(name) F")
        }
    }
}
