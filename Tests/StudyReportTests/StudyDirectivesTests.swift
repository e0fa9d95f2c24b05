import Foundation
import Report
import StudyReport
import XCTest

/// The study's directives as the `cement` executable registers them, on the bundled cohort.
final class StudyDirectivesTests: XCTestCase {
    private let registry = DirectiveRegistry.standard.adding(StudyDirectives())

    private func write(_ text: String, name: String = "t.md") throws -> String {
        let folder = NSTemporaryDirectory() + "cementreport-studyreport-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The repository, for the bundled data.
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func testStudyDirectivesNeedTheirModule() throws {
        let template = try write("```{summary id=tbl-1 caption=\"T\" by=dr_group}\ncement_ml\n```\n")
        XCTAssertThrowsError(try ReportRenderer().document(try Template.load(template))) { error in
            XCTAssertTrue("\(error)".contains("unknown block directive {summary}"), "\(error)")
        }
    }

    func testSummaryAndCorrelationTablesReproduceThePublishedTables() throws {
        // Expected cells are the paper's printed values (Tables 1, 2 and 4, data/published.json), which the
        // synthetic cohort reproduces; 0.035 is R's chisq.test on the published secondary-fracture counts.
        let template = try write("""
            ---
            data: \(root.path)/data/cohort.csv
            codebook: \(root.path)/data/codebook.csv
            ---
            ```{summary id=tbl-1 caption="T" by=dr_group levels=high,medium,low}
            cement_ml
            secondary_fracture 1
            sex F
            ```

            ```{correlations id=tbl-4 caption="C" with=dr_recorded_percent}
            vas_1y
            height_ratio_1y
            ```
            """)
        let html = HTMLRenderer.render(try ReportRenderer(registry: registry).document(try Template.load(template)))
        XCTAssertTrue(html.contains("<th scope=\"row\">Cement volume (ml)</th><td>7.5±1.1</td><td>6.6±1.3</td><td>6.4±1.2</td><td>&lt;0.001</td>"), html)
        XCTAssertTrue(html.contains("<th scope=\"row\">Secondary fracture</th><td>2 (5.0)</td><td>5 (12.5)</td><td>10 (25.0)</td><td>0.035</td>"))
        XCTAssertTrue(html.contains("<th scope=\"row\">Sex, female</th><td>29 (72.5)</td><td>24 (60.0)</td><td>28 (70.0)</td>"))
        XCTAssertTrue(html.contains("<td>−0.333</td><td>&lt;0.001</td>") && html.contains("<td>0.345</td>"))
    }

    func testTheCodebookTypesTheReportsData() throws {
        // A codebook declares age_years a number and dr_group a category: a non-number in age_years fails at the
        // data: line, naming row and column, and a category asked for as a number is refused by its kind.
        let codebook = try write("variable,type,unit,min,max,decimals,step,label_en,label_zh\n"
                                 + "age_years,integer,years,0,120,0,1,Age,年龄\ndr_group,category:low|high,,,,,,Group,分组\n",
                                 name: "codebook.csv")
        let folder = (codebook as NSString).deletingLastPathComponent
        try "age_years,dr_group\n70,low\nabc,high\n".write(toFile: folder + "/bad.csv", atomically: true, encoding: .utf8)
        try "age_years,dr_group\n70,low\n80,high\n".write(toFile: folder + "/good.csv", atomically: true, encoding: .utf8)
        func render(_ data: String, _ body: String) throws -> String {
            let path = folder + "/t.md"
            try "---\ndata: \(data)\ncodebook: codebook.csv\n---\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
            return HTMLRenderer.render(try ReportRenderer(registry: registry).document(try Template.load(path)))
        }
        XCTAssertThrowsError(try render("bad.csv", "Age `{mean_sd age_years}`.")) { error in
            XCTAssertTrue("\(error)".contains("t.md:2:1: data: ") && "\(error)".contains("row 2, column 'age_years': 'abc' is not a number"),
                          "\(error)")
        }
        XCTAssertTrue(try render("good.csv", "Age `{mean_sd age_years}`.").contains("Age 75.0±7.1."), "mean 75, SD √50 = 7.07")
        XCTAssertThrowsError(try render("good.csv", "Group `{mean_sd dr_group}`.")) { error in
            XCTAssertTrue("\(error)".contains("column 'dr_group' holds categories, not numbers"), "\(error)")
        }
    }

    func testASummaryTableShowsTheNUsedWhereValuesAreMissing() throws {
        // Two groups of three; one VAS missing in group b (empty) and one in a (NA). By hand: a = 2, 4 (mean 3.0,
        // SD 1.4), b = 5, 7 (mean 6.0, SD 1.4); the note gives the n used per group, 2 and 2 of 3 and 3.
        let data = try write("g,vas\na,2\na,4\na,NA\nb,5\nb,\nb,7\n", name: "d.csv")
        let template = (data as NSString).deletingLastPathComponent + "/t.md"
        try "---\ndata: d.csv\n---\n```{summary id=tbl-1 caption=\"T\" by=g}\nvas\n```\n".write(toFile: template, atomically: true, encoding: .utf8)
        let html = HTMLRenderer.render(try ReportRenderer(registry: registry).document(try Template.load(template)))
        XCTAssertTrue(html.contains("<td>3.0±1.4</td><td>6.0±1.4</td>"), html)
        XCTAssertTrue(html.contains("missing values left out: vas, n = 2, 2."), html)
    }

    func testReviewerTablesOnTheBundledCohort() throws {
        // Expected values from SciPy 1.17.1 on data/cohort.csv, independent of this package: stats.shapiro per group,
        // stats.levene(center="median"), Welch's ANOVA by its textbook formula, stats.kruskal; η² and its CI by
        // brentq on stats.ncf.cdf; the Fisher–Freeman–Halton P by enumerating every 2×3 table with the observed
        // margins in Python (secondary fractures 0.0426, adjacent fractures 1.0, smallest expected count 3.67).
        let template = try write("""
            ---
            data: \(root.path)/data/cohort.csv
            codebook: \(root.path)/data/codebook.csv
            ---
            P003 is `{value age_years case=P003}` years old.

            ```{assumptions id=tbl-a caption="A" by=dr_group levels=high,medium,low}
            cement_ml
            ```

            ```{effect_sizes id=tbl-e caption="E" by=dr_group levels=high,medium,low}
            cement_ml
            secondary_fracture 1
            ```

            ```{summary id=tbl-s caption="S" by=dr_group levels=high,medium,low}
            adjacent_fracture 1
            ```

            ```{verification id=tbl-v caption="V" published=\(root.path)/data/published.json}
            ```
            """)
        let html = HTMLRenderer.render(try ReportRenderer(registry: registry).document(try Template.load(template)))
        XCTAssertTrue(html.contains("P003 is 79\u{00A0}years old."), html)
        XCTAssertTrue(html.contains("<th scope=\"row\">Cement volume (ml)</th><td>0.308</td><td>0.747</td><td>0.915</td>"
            + "<td>0.362</td><td>&lt;0.001</td><td>&lt;0.001</td>"), "Shapiro–Wilk, Brown–Forsythe, Welch, Kruskal–Wallis")
        XCTAssertTrue(html.contains("<td>η²</td><td>0.141</td><td>0.038,\u{00A0}0.249</td><td>F(2, 117) = 9.59, P\u{00A0}&lt;\u{00A0}0.001"))
        XCTAssertTrue(html.contains("<td>V</td><td>0.237</td><td>0.000,\u{00A0}0.402</td><td>χ²(2) = 6.72, P\u{00A0}=\u{00A0}0.035; exact P\u{00A0}=\u{00A0}0.043"))
        XCTAssertTrue(html.contains("<td>1.000ᵃ</td>"), "an expected count below 5 gives the exact test, marked")
        XCTAssertTrue(html.contains("ᵃ Fisher–Freeman–Halton exact test, as an expected count is below 5"))
        XCTAssertTrue(html.contains("370 published numbers checked: 360 match, 0 do not, and 10 cannot"), html)
        // The unattainable numbers come first, with human labels and their reason; every number follows by place.
        XCTAssertTrue(html.contains("<th scope=\"row\">Paper, Table 2</th><td>ODI at 1 year</td><td>–</td><td>P</td><td>0.260</td>"), html)
        XCTAssertTrue(html.contains("<details class=\"appendix\">"))
        let document = try ReportRenderer(registry: registry).document(try Template.load(template))
        let csv = String(decoding: try XCTUnwrap(document.supplements.first { $0.name == "verification.csv" }).contents, as: UTF8.self)
        XCTAssertEqual(csv.split(separator: "\n").count, 371, "a header and the 370 numbers")
        XCTAssertTrue(csv.contains("\ntable2,odi_1y,,p,0.260,"), csv)
        XCTAssertTrue(html.contains("<td>unattainable</td>"))
        XCTAssertThrowsError(try ReportRenderer(registry: registry).document(try Template.load(try write("""
            ---
            data: \(root.path)/data/cohort.csv
            ---
            `{value age_years case=P999}`
            """)))) { error in
            XCTAssertTrue("\(error)".contains(":4:2: no row with case_id = P999"), "\(error)")
        }
    }
}
