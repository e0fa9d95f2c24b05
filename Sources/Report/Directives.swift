import Figures
import Foundation
import Study

/// What directives can use while rendering: the template, its parameters and its data.
public struct RenderContext: Sendable {
    public var template: Template
    public var data: FigureTable?
    public var codebook: Codebook?
    public var registry: DirectiveRegistry
    /// Nesting of `{include}` (a loop would otherwise never end).
    var includeDepth = 0
    let inputs: InputRecord
    let measuredSeries = MeasuredSeriesCache()
}

/// A directive written inline, in a code span: produces inlines.
public protocol InlineDirective: Sendable {
    var name: String { get }
    var allowedOptions: Set<String> { get }
    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Inline]
}

/// A directive written as a fenced block: produces blocks.
public protocol BlockDirective: Sendable {
    var name: String { get }
    var allowedOptions: Set<String> { get }
    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Block]
}

/// All directives by name. A new directive is one type conforming to a protocol above, added here.
public struct DirectiveRegistry: Sendable {
    public var inline: [String: any InlineDirective]
    public var block: [String: any BlockDirective]

    public static let standard = DirectiveRegistry(
        inline: Dictionary(uniqueKeysWithValues: ([ParameterDirective(), MeanSDDirective(), CountDirective(), PValueDirective(),
                                                     CaseValueDirective()]
            as [any InlineDirective]).map { ($0.name, $0) }),
        block: Dictionary(uniqueKeysWithValues: ([TableDirective(), FigureDirective(), IncludeDirective(), SummaryTableDirective(),
                                                  CorrelationTableDirective(), CTFigureDirective(), AssumptionsTableDirective(),
                                                  EffectSizeTableDirective(), VerificationTableDirective()]
            as [any BlockDirective]).map { ($0.name, $0) })
    )

    func checkOptions(_ call: DirectiveCall, allowed: Set<String>, file: String) throws(ReportError) {
        for key in call.options.keys.sorted() where !allowed.contains(key) {
            throw ReportError(file: file, line: call.position.line, column: call.position.column,
                              "unknown option '\(key)' for {\(call.name)}" + suggestion(key, allowed))
        }
    }
}

func fail(_ call: DirectiveCall, _ context: RenderContext, _ message: String) -> ReportError {
    ReportError(file: context.template.path, line: call.position.line, column: call.position.column, message)
}

/// ```` ```{include partial.md} ``` ````: the blocks of another Markdown file (relative to the template), with
/// its own line numbers in errors.
struct IncludeDirective: BlockDirective {
    let name = "include"
    let allowedOptions: Set<String> = []
    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Block] {
        guard let relative = call.arguments.first else { throw fail(call, context, "{include} needs a file name") }
        guard context.includeDepth < 8 else { throw fail(call, context, "includes nested more than 8 deep (a loop?)") }
        let path = try context.template.resolve(relative, at: call.position)
        guard let data = readRegularTextFile(path) else {
            throw fail(call, context, "cannot read the included file '\(relative)' (a regular UTF-8 text file)")
        }
        context.inputs.add(path: path, contents: data)
        var nested = context
        nested.includeDepth += 1
        return try MarkdownReader(file: path, lineOffset: 0, registry: context.registry, context: nested)
            .read(String(decoding: data, as: UTF8.self))
    }
}

/// `{param NAME}`: a parameter from the front matter or `--param NAME=VALUE`.
struct ParameterDirective: InlineDirective {
    let name = "param"
    let allowedOptions: Set<String> = []
    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Inline] {
        guard let key = call.arguments.first else { throw fail(call, context, "{param} needs a parameter name") }
        guard let value = context.template.parameters[key] else {
            throw fail(call, context, "unknown parameter '\(key)'" + suggestion(key, context.template.parameters.keys))
        }
        return [.text(value)]
    }
}

/// ```` ```{table id=tbl-x caption="…"} ```` around a Markdown table: a numbered, captioned table.
struct TableDirective: BlockDirective {
    let name = "table"
    let allowedOptions: Set<String> = ["id", "caption"]
    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Block] {
        let body = call.body ?? ""
        let blocks = try MarkdownReader(file: context.template.path, lineOffset: call.position.line,
                                        registry: DirectiveRegistry(inline: context.registry.inline, block: [:]),
                                        context: context).read(body)
        guard case let .table(table)? = blocks.first(where: { if case .table = $0 { true } else { false } }) else {
            throw fail(call, context, "{table} needs a Markdown table in its body")
        }
        var captioned = table
        captioned.id = call.options["id"]
        captioned.caption = call.options["caption"].map { [.text($0)] } ?? []
        return [.table(captioned)]
    }
}

/// ```` ```{figure id=fig-x caption="…"} ```` around a figure spec (JSON, as `cement figure`): the chart drawn
/// from the template's data.
struct FigureDirective: BlockDirective {
    let name = "figure"
    let allowedOptions: Set<String> = ["id", "caption"]
    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Block] {
        guard let data = context.data else { throw fail(call, context, "{figure} needs 'data:' in the front matter") }
        let spec: FigureSpec
        do {
            spec = try JSONDecoder().decode(FigureSpec.self, from: Data((call.body ?? "").utf8))
        } catch {
            throw fail(call, context, "the figure spec is not valid (\(error))")
        }
        do {
            let chart = try spec.chart(data)
            let svg = String(decoding: try FigureRenderer.render(chart, format: .svg), as: UTF8.self)
            return [.figure(Figure(id: call.options["id"], caption: call.options["caption"].map { [.text($0)] } ?? [],
                                   svg: svg, number: nil, chart: chart))]
        } catch let error as FigureSpecError {
            throw fail(call, context, error.description)
        } catch {
            throw fail(call, context, "the figure could not be drawn (\(error))")
        }
    }
}
