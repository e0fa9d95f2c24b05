import Foundation
import Measurements
import Report
import Study
import Tabular

/// The study's directives — `summary`, `correlations`, `assumptions`, `effect_sizes`, `verification`,
/// `ct-figure` — for registering with the report engine (`DirectiveRegistry.standard.adding(StudyDirectives())`).
/// Reads the front-matter keys `codebook:` (labels, units and decimals of the variables), `measurements:` (the
/// measurement cache the CT figures draw from) and `published:` (the paper's numbers, which `cement render
/// --check` compares the printed values with).
public struct StudyDirectives: DirectiveModule {
    public init() {}

    public var inlineDirectives: [any InlineDirective] { [] }

    public var blockDirectives: [any BlockDirective] {
        [SummaryTableDirective(), CorrelationTableDirective(), CTFigureDirective(), AssumptionsTableDirective(),
         EffectSizeTableDirective(), VerificationTableDirective()]
    }

    public var frontMatterKeys: Set<String> { ["codebook", "measurements", "published"] }

    public func prepare(_ template: Template, inputs: InputRecord) throws(ReportError) -> [any Sendable] {
        var codebook: Codebook?
        if let relative = template.extensions["codebook"] {
            let path = try template.resolveData(relative, at: SourcePosition(line: 2, column: 1))
            do {
                codebook = try Codebook.load(path)
                inputs.add(path: path, contents: FileManager.default.contents(atPath: path) ?? Data())
            } catch {
                throw ReportError(file: template.path, line: 2, column: 1, "codebook: \(error)")
            }
        }
        var cache: MeasurementCache?
        if let relative = template.extensions["measurements"] {
            cache = MeasurementCache(folder: try template.resolve(relative, at: SourcePosition(line: 2, column: 1)))
        }
        var states: [any Sendable] = [StudyRenderState(codebook: codebook, measurementCache: cache)]
        if let codebook { states.append(CodebookFormatting(codebook: codebook)) }
        if let relative = template.extensions["published"] {
            let path = try template.resolveData(relative, at: SourcePosition(line: 2, column: 1))
            do {
                states.append(PublishedNumbersCheck(study: try PublishedStudy.load(path), codebook: codebook, path: path))
                inputs.add(path: path, contents: FileManager.default.contents(atPath: path) ?? Data())
            } catch {
                throw ReportError(file: template.path, line: 2, column: 1, "published: \(error)")
            }
        }
        return states
    }
}

/// What the study's directives share during one render.
struct StudyRenderState: Sendable {
    var codebook: Codebook?
    var measurementCache: MeasurementCache?
    let storedMeasurements = StoredMeasurements()
}

/// The codebook's decimals for the engine's data directives (`{value}` prints a value's decimals, `{mean_sd}` a
/// summary's), and its column kinds, which type the report's data table.
struct CodebookFormatting: ColumnFormatting, DataSchema {
    let codebook: Codebook
    var kinds: [String: DataTable.Kind] { codebook.kinds }
    func decimals(of column: String) -> Int? { codebook[column]?.decimals }
    func summaryDecimals(of column: String) -> Int? { codebook[column]?.summaryPrecision }
}

extension RenderContext {
    /// The template's codebook, when its front matter names one.
    var codebook: Codebook? { state(StudyRenderState.self)?.codebook }
    /// The measurement cache named by the front matter's `measurements:`.
    var measurementCache: MeasurementCache? { state(StudyRenderState.self)?.measurementCache }
    var storedMeasurements: StoredMeasurements { state(StudyRenderState.self)?.storedMeasurements ?? StoredMeasurements() }

    /// A variable's codebook label in the report's language with its unit ("Age (years)", "年龄（岁）").
    func variableLabel(_ variable: String) -> String {
        let zh = template.language == "zh"
        let entry = codebook?[variable]
        let label = (zh ? entry?.labelZh : entry?.labelEn) ?? variable
        guard let unit = entry?.unit(zh: zh) else { return label }
        return label + (zh ? "（\(unit)）" : " (\(unit))")
    }
}

func fail(_ call: DirectiveCall, _ context: RenderContext, _ message: String) -> ReportError {
    context.failure(call, message)
}
