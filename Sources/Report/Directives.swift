import Figures
import Foundation
import Tabular

/// What directives can use while rendering: the template, its parameters, its data, and what the directive
/// modules prepared for this render (`state`).
public struct RenderContext: Sendable {
    public var template: Template
    public var data: DataTable?
    public var registry: DirectiveRegistry
    /// Nesting of `{include}` (a loop would otherwise never end).
    var includeDepth = 0
    /// The files the report reads, for the provenance section.
    public let inputs: InputRecord
    /// Values the directive modules prepared from the front matter (`DirectiveModule.prepare`).
    let states: [any Sendable]
    /// The values directives print, with their sources, for the render's self-check.
    public let printed = PrintedValueRecord()
    /// Files directives add to the report (`Document.supplements`).
    public let supplements = SupplementRecord()

    /// The prepared value of type `T` (a module's own state, or a protocol such as `ColumnFormatting`), if any.
    public func state<T>(_ type: T.Type) -> T? {
        for state in states { if let value = state as? T { return value } }
        return nil
    }

    /// Records a value the directive `call` printed, computed from `variable` (see `PrintedValue`).
    public func record(_ call: DirectiveCall, variable: String, group: String? = nil, groupColumn: String? = nil,
                       level: String? = nil, with: String? = nil, test: String? = nil, _ numbers: [PrintedNumber])
    {
        record(call.name, at: call.position, variable: variable, group: group, groupColumn: groupColumn, level: level,
               with: with, test: test, numbers)
    }

    /// Records a value a block directive printed at `position` (a line of its body).
    public func record(_ directive: String, at position: SourcePosition, variable: String, group: String? = nil,
                       groupColumn: String? = nil, level: String? = nil, with: String? = nil, test: String? = nil,
                       _ numbers: [PrintedNumber])
    {
        printed.add(PrintedValue(file: template.path, position: position, directive: directive, variable: variable,
                                 group: group, groupColumn: groupColumn, level: level, with: with, test: test,
                                 numbers: numbers))
    }

    /// An error at the directive's position in the template.
    public func failure(_ call: DirectiveCall, _ message: String) -> ReportError {
        ReportError(file: template.path, line: call.position.line, column: call.position.column, message)
    }
}

/// How a data column is printed by default, supplied by a directive module (a codebook, say).
public protocol ColumnFormatting: Sendable {
    /// Decimals of a column's own values (as recorded), nil when not known; `{value}` prints with these.
    func decimals(of column: String) -> Int?
    /// Decimals of a mean or SD of a column, nil when not known; tables and text print summaries with these.
    func summaryDecimals(of column: String) -> Int?
}

/// The kinds of the data's columns (numeric, categorical), supplied by a directive module that knows them (a
/// study's codebook): the render's data table is typed by them before any directive reads it.
public protocol DataSchema: Sendable {
    var kinds: [String: DataTable.Kind] { get }
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

/// A set of directives from outside the engine (a study's tables and figures), with the front-matter keys they
/// read and what they load from them once per render.
public protocol DirectiveModule: Sendable {
    var inlineDirectives: [any InlineDirective] { get }
    var blockDirectives: [any BlockDirective] { get }
    /// Front-matter keys this module reads (the engine refuses other unknown keys).
    var frontMatterKeys: Set<String> { get }
    /// Values for `RenderContext.state`, read from the template's front matter; files read go into `inputs`.
    func prepare(_ template: Template, inputs: InputRecord) throws(ReportError) -> [any Sendable]
}

/// All directives by name: the engine's own (`standard`) plus those of the modules added.
public struct DirectiveRegistry: Sendable {
    public var inline: [String: any InlineDirective]
    public var block: [String: any BlockDirective]
    public private(set) var modules: [any DirectiveModule] = []

    public init(inline: [String: any InlineDirective], block: [String: any BlockDirective]) {
        self.inline = inline
        self.block = block
    }

    /// The engine's own directives: parameters, data values, tables, figures, includes.
    public static let standard = DirectiveRegistry(
        inline: Dictionary(uniqueKeysWithValues: ([ParameterDirective(), MeanSDDirective(), CountDirective(), PValueDirective(),
                                                     CaseValueDirective(), CiteDirective()]
            as [any InlineDirective]).map { ($0.name, $0) }),
        block: Dictionary(uniqueKeysWithValues: ([TableDirective(), FigureDirective(), IncludeDirective()]
            as [any BlockDirective]).map { ($0.name, $0) })
    )

    /// This registry with a module's directives and front-matter keys added (a module's directive replaces one of
    /// the same name).
    public func adding(_ module: any DirectiveModule) -> DirectiveRegistry {
        var registry = self
        for directive in module.inlineDirectives { registry.inline[directive.name] = directive }
        for directive in module.blockDirectives { registry.block[directive.name] = directive }
        registry.modules.append(module)
        return registry
    }

    /// Front-matter keys the added modules read.
    public var frontMatterKeys: Set<String> { modules.reduce(into: []) { $0.formUnion($1.frontMatterKeys) } }

    func checkOptions(_ call: DirectiveCall, allowed: Set<String>, file: String) throws(ReportError) {
        for key in call.options.keys.sorted() where !allowed.contains(key) {
            throw ReportError(file: file, line: call.position.line, column: call.position.column,
                              "unknown option '\(key)' for {\(call.name)}" + suggestion(key, allowed))
        }
    }
}

func fail(_ call: DirectiveCall, _ context: RenderContext, _ message: String) -> ReportError {
    context.failure(call, message)
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
        context.record(call, variable: key, [PrintedNumber(.parameter, value, value: nil)])
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
        var spec: FigureSpec
        do {
            spec = try FigureSpec.read(Data((call.body ?? "").utf8))
        } catch {
            throw fail(call, context, "figure spec: \(error.description)")
        }
        if spec.language == nil { spec.language = context.template.language }
        do {
            let chart = try spec.chart(data)
            let drawn = try FigureRenderer.renderWithText(chart, format: .svg)
            return [.figure(Figure(id: call.options["id"], caption: call.options["caption"].map { [.text($0)] } ?? [],
                                   svg: String(decoding: drawn.data, as: UTF8.self), number: nil, chart: chart,
                                   text: drawn.text))]
        } catch let error as FigureSpecError {
            throw fail(call, context, error.description)
        } catch {
            throw fail(call, context, "the figure could not be drawn (\(error))")
        }
    }
}
