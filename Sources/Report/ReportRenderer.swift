import Figures
import Foundation
import Study

/// Turns a template into a numbered, cross-referenced document, then into HTML.
public struct ReportRenderer: Sendable {
    public var registry: DirectiveRegistry

    public init(registry: DirectiveRegistry = .standard) { self.registry = registry }

    /// Parses the template, runs its directives, numbers tables and figures and resolves references.
    public func document(_ template: Template) throws(ReportError) -> Document {
        var data: FigureTable?
        if let dataPath = template.dataPath {
            let folder = (template.path as NSString).deletingLastPathComponent
            let path = dataPath.hasPrefix("/") ? dataPath : (folder as NSString).appendingPathComponent(dataPath)
            do {
                let table = try CSVTable(path: path)
                var columns: [String: [String?]] = [:]
                for (index, name) in table.header.enumerated() {
                    columns[name] = table.rows.indices.map { table.text(row: $0, column: index) }
                }
                data = FigureTable(columns: columns)
            } catch {
                throw ReportError(file: template.path, line: 2, column: 1, "data: \(error)")
            }
        }
        let context = RenderContext(template: template, data: data)
        var blocks = try MarkdownReader(file: template.path, lineOffset: template.lineOffset, registry: registry,
                                        context: context).read(template.markdown)
        let labels = number(&blocks, language: template.language)
        blocks = try blocks.map { block throws(ReportError) in try resolve(block, labels, template) }
        return Document(title: template.title, language: template.language, blocks: blocks)
    }

    /// Numbers tables and figures in order of appearance; returns id → "Table 1" (or "表 1").
    private func number(_ blocks: inout [Block], language: String) -> [String: String] {
        var labels: [String: String] = [:]
        var tables = 0, figures = 0
        for index in blocks.indices {
            switch blocks[index] {
            case var .table(table) where table.id != nil || !table.caption.isEmpty:
                tables += 1
                table.number = tables
                if let id = table.id { labels[id] = (language == "zh" ? "表 " : "Table ") + "\(tables)" }
                blocks[index] = .table(table)
            case var .figure(figure):
                figures += 1
                figure.number = figures
                if let id = figure.id { labels[id] = (language == "zh" ? "图 " : "Figure ") + "\(figures)" }
                blocks[index] = .figure(figure)
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
                    result.append(.text(label))
                case let .emphasis(children): result.append(.emphasis(try inlines(children)))
                case let .strong(children): result.append(.strong(try inlines(children)))
                case let .strikethrough(children): result.append(.strikethrough(try inlines(children)))
                case let .link(url, children): result.append(.link(url: url, try inlines(children)))
                default: result.append(inline)
                }
            }
            return result
        }
        switch block {
        case let .heading(level, content): return .heading(level: level, try inlines(content))
        case let .paragraph(content): return .paragraph(try inlines(content))
        case let .blockQuote(children): return .blockQuote(try children.map { b throws(ReportError) in try resolve(b, labels, template) })
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
