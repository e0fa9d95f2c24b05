import CementCore
import Foundation
import Yams

/// A report template: YAML front matter between `---` lines, then Markdown with directives.
public struct Template: Sendable {
    public var path: String
    public var title: String
    public var authors: [String]
    /// `zh` or `en`: labels such as "Table 1" / "表 1".
    public var language: String
    /// The CSV (or the joined CSVs) data directives read, relative to the template's folder.
    public var data: TemplateData?
    /// The line of the template that `data:` is on, for errors.
    public var dataLine = 2
    /// Front-matter values under keys the engine does not know itself, as text, for directive modules
    /// (`DirectiveModule.frontMatterKeys`); the renderer refuses keys no module reads.
    public var extensions: [String: String]
    public var parameters: [String: String]
    public var markdown: String
    /// The template's own bytes, for provenance.
    public var contents: Data
    /// Folder that data files of the front matter are relative to, when not the template's (`--data DIR`).
    public var dataFolder: String?

    /// Folders (besides `dataFolder`) that files named by the template may be read from, symlinks resolved; nil
    /// reads from anywhere. `cement render` confines a template to its own folder tree (plus `--allow-path`), so
    /// rendering someone else's template cannot publish the reviewer's own files.
    public var readableFolders: [String]?

    /// Confines the template to its own folder tree and `extra` folders.
    public mutating func confine(allowing extra: [String] = []) {
        readableFolders = [(path as NSString).deletingLastPathComponent] + extra
    }

    /// The path of a file named by the template at `position`, relative to the template's folder; an error when
    /// it lies outside the readable folders.
    public func resolve(_ relative: String, at position: SourcePosition) throws(ReportError) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        let full = relative.hasPrefix("/") ? relative : ((folder.isEmpty ? "." : folder) as NSString).appendingPathComponent(relative)
        try checkReadable(full, named: relative, at: position)
        return full
    }

    /// The path of a data file named in the front matter: relative to `dataFolder` when set.
    public func resolveData(_ relative: String, at position: SourcePosition) throws(ReportError) -> String {
        guard let dataFolder, !relative.hasPrefix("/") else { return try resolve(relative, at: position) }
        return (dataFolder as NSString).appendingPathComponent((relative as NSString).lastPathComponent)
    }

    /// Front-matter keys of the engine itself.
    public static let keys: Set<String> = ["title", "authors", "language", "data", "params"]

    /// Lines before the Markdown starts (front matter), to report template line numbers.
    public var lineOffset: Int

    /// Reads a template; `overrides` replace parameters of the front matter (`--param K=V`).
    public static func load(_ path: String, overrides: [String: String] = [:]) throws(ReportError) -> Template {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ReportError(file: path, line: 1, column: 1, "cannot read the template")
        }
        var lines = text.components(separatedBy: "\n")
        var front: [String: Any] = [:]
        var data: TemplateData?, dataLine = 2
        var offset = 0
        if lines.first?.trimmingCharacters(in: .whitespaces) == "---" {
            guard let end = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" }) else {
                throw ReportError(file: path, line: 1, column: 1, "front matter is not closed by '---'")
            }
            let yaml = lines[1..<end].joined(separator: "\n")
            try FrontMatterLimits.checkNesting(yaml, file: path, firstLine: 2)
            let node: Node?
            do {
                node = try Yams.compose(yaml: yaml)
            } catch {
                throw ReportError(file: path, line: 2, column: 1, "front matter is not valid YAML (\(error))")
            }
            if let node {
                try FrontMatterLimits.checkSize(node, file: path)
                front = (node.any as? [String: Any]) ?? [:]
                if let entry = node.mapping?.first(where: { $0.key.string == "data" }) {
                    dataLine = 1 + (entry.key.mark?.line ?? 1)
                    data = try TemplateData.parse(entry.value, file: path, line: dataLine)
                }
            }
            offset = end + 1
            lines.removeFirst(end + 1)
        }
        var extensions: [String: String] = [:]
        for (key, value) in front where !Self.keys.contains(key) { extensions[key] = "\(value)" }
        var parameters: [String: String] = [:]
        for (key, value) in (front["params"] as? [String: Any]) ?? [:] { parameters[key] = "\(value)" }
        for (key, value) in overrides { parameters[key] = value }
        let language = (front["language"] as? String) ?? "en"
        guard ["en", "zh"].contains(language) else {
            throw ReportError(file: path, line: 2, column: 1, "language must be en or zh, not '\(language)'")
        }
        return Template(path: path, title: (front["title"] as? String) ?? "", authors: (front["authors"] as? [String]) ?? [],
                        language: language, data: data, dataLine: dataLine, extensions: extensions, parameters: parameters,
                        markdown: lines.joined(separator: "\n"), contents: Data(text.utf8), lineOffset: offset)
    }
}

/// " (did you mean 'x'?)" for the closest known name within a small edit distance, or "".
public func suggestion(_ name: String, _ known: some Collection<String>) -> String {
    closestName(to: name, among: known).map { " (did you mean '\($0)'?)" } ?? ""
}

