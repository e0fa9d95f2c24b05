import CementCore
import Figures
import Foundation
import Tabular

/// Turns a template into a numbered, cross-referenced document, then into HTML.
public struct ReportRenderer: Sendable {
    public var registry: DirectiveRegistry
    /// Recorded in the provenance section.
    public var toolVersion: String

    public init(registry: DirectiveRegistry = .standard, toolVersion: String = "development") {
        self.registry = registry
        self.toolVersion = toolVersion
    }

    /// Parses the template, runs its directives, numbers tables and figures and resolves references. With
    /// `comparingPublished`, every printed value that stands for a published number is compared with it (the
    /// self-check of `render --check`, which recomputes the study's verification); otherwise values are only recorded.
    public func document(_ template: Template, comparingPublished: Bool = true) throws(ReportError) -> Document {
        let inputs = InputRecord()
        inputs.add(path: template.path, contents: template.contents)
        var data: DataTable?
        if let source = template.data { data = try source.load(for: template, inputs: inputs) }
        let frontMatter = try ReportFrontMatter.load(template)
        for key in template.extensions.keys.sorted() where !registry.frontMatterKeys.union(ReportFrontMatter.keys).contains(key) {
            let known = Template.keys.union(registry.frontMatterKeys).union(ReportFrontMatter.keys)
            throw ReportError(file: template.path, line: 2, column: 1, "unknown front-matter key '\(key)'" + suggestion(key, known))
        }
        var states: [any Sendable] = []
        for module in registry.modules { states += try module.prepare(template, inputs: inputs) }
        for case let schema as any DataSchema in states {
            do { data = try data?.typed(by: schema.kinds) } catch {
                throw ReportError(file: template.path, line: template.dataLine, column: 1, "data: \(error)")
            }
        }
        let context = RenderContext(template: template, data: data, registry: registry, inputs: inputs, states: states)
        var blocks = try MarkdownReader(file: template.path, lineOffset: template.lineOffset, registry: registry,
                                        context: context).read(template.markdown)
        let labels = number(&blocks, language: template.language)
        blocks = try blocks.map { block throws(ReportError) in try resolve(block, labels, template) }
        let provenance = Provenance(inputs: inputs.inputs, toolVersion: toolVersion,
                                    parameters: template.parameters.keys.sorted().map { ($0, template.parameters[$0]!) })
        let zh = template.language == "zh"
        if !frontMatter.references.isEmpty {
            blocks.append(.heading(level: 1, [.text(zh ? "参考文献" : "References")]))
            blocks.append(.anchoredList(frontMatter.references.map { AnchoredItem(id: "ref-" + $0.id, content: $0.entry(zh: zh)) }))
        }
        blocks += provenanceSection(provenance, language: template.language)
        var byline: [String] = []
        if !template.authors.isEmpty { byline.append(template.authors.joined(separator: zh ? "，" : ", ")) }
        switch frontMatter.date {
        case let .literal(date)?: byline.append(date)
        case let .latest(column)?:
            guard let values = data?[column] else {
                throw ReportError(file: template.path, line: 2, column: 1, "date: no data column '\(column)'"
                                  + suggestion(column, data?.names ?? []))
            }
            guard let latest = values.compactMap({ $0.flatMap { CalendarDate($0) } }).max() else {
                throw ReportError(file: template.path, line: 2, column: 1, "date: column '\(column)' holds no YYYY-MM-DD date")
            }
            byline.append(zh ? "数据截至 \(latest)（数据中的最晚日期）" : "Data as of \(latest) (latest \(column))")
        case nil: break
        }
        let printed = context.printed.values
        let published = comparingPublished ? context.state((any PublishedNumbers).self) : nil
        let comparisons = try published?.compare(printed, data: data) ?? Array(repeating: [], count: printed.count)
        let selfCheck = SelfCheck(entries: zip(printed, comparisons).map { SelfCheck.Entry(value: $0, comparisons: $1) })
        return Document(title: template.title, byline: byline, language: template.language, blocks: blocks,
                        provenance: provenance, supplements: context.supplements.supplements, selfCheck: selfCheck)
    }

    /// A closing section listing the inputs with their SHA-256, the tool version and the parameters.
    private func provenanceSection(_ provenance: Provenance, language: String) -> [Block] {
        let zh = language == "zh"
        var rows: [[[Inline]]] = provenance.inputs.map { [[.text($0.path)], [.code($0.sha256)]] }
        rows.append([[.text(zh ? "CementReport 版本" : "CementReport version")], [.text(provenance.toolVersion)]])
        for (key, value) in provenance.parameters { rows.append([[.text((zh ? "参数 " : "parameter ") + key)], [.text(value)]]) }
        return [
            .heading(level: 1, [.text(zh ? "来源" : "Provenance")]),
            .paragraph([.text(zh ? "本报告由以下输入生成（SHA-256）。" : "This report was generated from the inputs below (SHA-256).")]),
            .table(Table(id: nil, caption: [], header: [[.text(zh ? "输入" : "Input")], [.text("SHA-256")]], rows: rows,
                         alignments: [.left, .left], number: nil)),
        ]
    }

    /// Numbers tables and figures in order of appearance, nested ones included; returns id → "Table 1" (or "表 1").
    private func number(_ blocks: inout [Block], language: String) -> [String: String] {
        var labels: [String: String] = [:]
        var tables = 0, figures = 0
        blocks.updateEach { block in
            switch block {
            case var .table(table) where table.id != nil || !table.caption.isEmpty:
                tables += 1
                table.number = tables
                if let id = table.id { labels[id] = (language == "zh" ? "表 " : "Table ") + "\(tables)" }
                block = .table(table)
            case var .figure(figure):
                figures += 1
                figure.number = figures
                if let id = figure.id { labels[id] = (language == "zh" ? "图 " : "Figure ") + "\(figures)" }
                block = .figure(figure)
            default: break
            }
        }
        return labels
    }

    private func resolve(_ block: Block, _ labels: [String: String], _ template: Template) throws(ReportError) -> Block {
        func inlines(_ list: [Inline]) throws(ReportError) -> [Inline] {
            var result: [Inline] = []
            for inline in list {
                switch inline {
                case let .reference(id, position):
                    guard let label = labels[id] else {
                        throw ReportError(file: template.path, line: position.line, column: position.column,
                                          "unknown reference @\(id)" + suggestion(id, labels.keys))
                    }
                    // A link to the element's id: clickable in HTML and in the PDF.
                    result.append(.link(url: "#" + id, [.text(label)]))
                case let .emphasis(children): result.append(.emphasis(try inlines(children)))
                case let .strong(children): result.append(.strong(try inlines(children)))
                case let .strikethrough(children): result.append(.strikethrough(try inlines(children)))
                case let .link(url, children): result.append(.link(url: url, try inlines(children)))
                case let .text(text):
                    // Adjacent texts (a directive's value and the words after it) become one, so that a unit is
                    // bound to its number across the seam.
                    if case let .text(previous)? = result.last {
                        result[result.count - 1] = .text(previous + text)
                    } else {
                        result.append(inline)
                    }
                default: result.append(inline)
                }
            }
            return result
        }
        switch block {
        case let .heading(level, content): return .heading(level: level, try inlines(content))
        case let .paragraph(content): return .paragraph(try inlines(content))
        case let .blockQuote(children): return .blockQuote(try children.map { b throws(ReportError) in try resolve(b, labels, template) })
        case let .collapsible(summary, children):
            return .collapsible(summary: try inlines(summary), try children.map { b throws(ReportError) in try resolve(b, labels, template) })
        case let .list(ordered, items):
            return .list(ordered: ordered, items: try items.map { item throws(ReportError) in
                try item.map { b throws(ReportError) in try resolve(b, labels, template) }
            })
        case var .table(table):
            table.header = try table.header.map { c throws(ReportError) in try inlines(c) }
            table.rows = try table.rows.map { row throws(ReportError) in try row.map { c throws(ReportError) in try inlines(c) } }
            return .table(table)
        default: return block
        }
    }
}
