import Foundation
import Measurements
import Registry
import Report

/// The audit's directives — `audit-overview`, `audit-dr-groups`, `audit-rates`, `audit-pchart`,
/// `audit-followup-list`, `audit-qc-list`, `audit-completeness` and the inline `{audit-period}` — for registering
/// with the report engine (`DirectiveRegistry.standard.adding(AuditDirectives())`). Reads the front-matter keys
/// `registry:` (the SQLite registry), `benchmarks:` (published rates, `AuditBenchmarks`) and `measurements:` (the
/// measurement cache ingest stored the masks in, for the QC thumbnails), and the parameters
/// `period` (2026-Q3, 2026-07, 2026) or `from` and `to` (YYYY-MM-DD), `time_zone` (IANA name), `periods` (how many
/// periods the control charts show) and `followup_months` (when a low-DR case's follow-up is due).
public struct AuditDirectives: DirectiveModule {
    public init() {}

    public var inlineDirectives: [any InlineDirective] { [AuditPeriodDirective()] }

    public var blockDirectives: [any BlockDirective] {
        [AuditOverviewDirective(), AuditDRGroupsDirective(), AuditRatesDirective(), AuditPChartDirective(),
         AuditFollowUpListDirective(), AuditQCListDirective(), AuditCompletenessDirective()]
    }

    public var frontMatterKeys: Set<String> { ["registry", "benchmarks", "measurements"] }

    public func prepare(_ template: Template, inputs: InputRecord) throws(ReportError) -> [any Sendable] {
        guard let relative = template.extensions["registry"] else { return [] }
        let at = SourcePosition(line: 2, column: 1)
        func failure(_ message: String) -> ReportError { ReportError(file: template.path, line: 2, column: 1, message) }
        let path = try template.resolve(relative, at: at)
        guard FileManager.default.fileExists(atPath: path) else { throw failure("registry: no such file '\(relative)'") }
        let cases: [RegisteredCase]
        do { cases = try CaseRegistry(path: path).cases() } catch { throw failure("registry: \(error)") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // The provenance records what was read from the registry, not the file's bytes (which also hold the
        // write-ahead log's state).
        inputs.add(path: path, contents: (try? encoder.encode(cases)) ?? Data())
        let parameters = template.parameters
        let period: AuditPeriod
        if let text = parameters["period"], !text.isEmpty {
            guard let parsed = AuditPeriod(text) else {
                throw failure("period '\(text)' is not a quarter (2026-Q3), a month (2026-07) or a year (2026)")
            }
            period = parsed
        } else if let from = parameters["from"], let to = parameters["to"] {
            guard let parsed = AuditPeriod(from: from, to: to) else {
                throw failure("from '\(from)' to '\(to)' is not a span of dates (YYYY-MM-DD, from not after to)")
            }
            period = parsed
        } else {
            throw failure("the audit needs the parameter period (2026-Q3) or from and to (YYYY-MM-DD)")
        }
        let zoneName = parameters["time_zone"] ?? "UTC"
        guard let zone = TimeZone(identifier: zoneName) else { throw failure("time_zone '\(zoneName)' is not a known time zone") }
        var benchmarks: AuditBenchmarks?
        if let relative = template.extensions["benchmarks"] {
            let path = try template.resolve(relative, at: at)
            guard let data = FileManager.default.contents(atPath: path) else { throw failure("benchmarks: cannot read '\(relative)'") }
            do { benchmarks = try JSONDecoder().decode(AuditBenchmarks.self, from: data) } catch {
                throw failure("benchmarks: '\(relative)' is not a benchmarks file (\(error))")
            }
            inputs.add(path: path, contents: data)
        }
        func integer(_ name: String, default value: Int, range: ClosedRange<Int>) throws(ReportError) -> Int {
            guard let text = parameters[name] else { return value }
            guard let number = Int(text), range.contains(number) else {
                throw failure("\(name) must be a whole number \(range.lowerBound)–\(range.upperBound), not '\(text)'")
            }
            return number
        }
        let cache = try template.extensions["measurements"].map { (relative) throws(ReportError) in
            MeasurementCache(folder: try template.resolve(relative, at: at))
        }
        return [AuditRenderState(cohort: AuditCohort(cases: cases, period: period, timeZone: zone), benchmarks: benchmarks,
                                 measurementCache: cache,
                                 chartPeriods: try integer("periods", default: 4, range: 1...24),
                                 followUpMonths: try integer("followup_months", default: 3, range: 1...24))]
    }
}

/// What the audit's directives share during one render.
struct AuditRenderState: Sendable {
    var cohort: AuditCohort
    var benchmarks: AuditBenchmarks?
    var measurementCache: MeasurementCache?
    var chartPeriods: Int
    var followUpMonths: Int
}

extension RenderContext {
    /// The audit's state; an error at the directive when the front matter names no registry.
    func audit(_ call: DirectiveCall) throws(ReportError) -> AuditRenderState {
        guard let state = state(AuditRenderState.self) else {
            throw failure(call, "{\(call.name)} needs 'registry:' in the front matter (the audit's SQLite registry)")
        }
        return state
    }

    var isChinese: Bool { template.language == "zh" }
}

/// A plain table for the audit's directives.
func auditTable(_ call: DirectiveCall, header: [String], rows: [[String]], caption: String? = nil) -> [Block] {
    let text = caption ?? call.options["caption"]
    return [.table(Table(id: call.options["id"], caption: text.map { [.text($0)] } ?? [], header: header.map { [.text($0)] },
                         rows: rows.map { $0.map { [.text($0)] } },
                         alignments: Array(repeating: .left, count: header.count), number: nil))]
}

/// "k/n (p %)" with one decimal; "—" for an empty total.
func countPercent(_ count: Int, _ total: Int) -> String {
    total == 0 ? "0/0 (—)" : String(format: "%d/%d (%.1f %%)", count, total, 100 * Double(count) / Double(total))
}
