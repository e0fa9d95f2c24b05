import CementCore
import Foundation
import Yams

/// A work the report cites, from the front matter's `references:` list.
public struct Reference: Sendable, Equatable {
    /// Cited as `{cite ID}`; the element id of its entry is "ref-ID".
    public var id: String
    /// "Li H", "李华", … as the journal style prints them.
    public var authors: [String]
    public var title: String
    public var journal: String?
    public var year: String?
    public var volume: String?
    public var issue: String?
    public var pages: String?
    public var doi: String?
    public var url: String?

    /// The entry in the report's language: Vancouver style in English ("Li H, Wang YQ. Title. Journal.
    /// 2023;12(3):45–50. doi:…"), GB/T 7714 in Chinese ("李华, 王云清. 题名[J]. 刊名, 2023, 12(3): 45-50."). Parts
    /// the front matter does not give are left out, never invented.
    public func entry(zh: Bool) -> [Inline] {
        let names = authors.count > 6 ? authors.prefix(6).joined(separator: ", ") + (zh ? ", 等" : ", et al")
            : authors.joined(separator: ", ")
        var text = names.isEmpty ? "" : names + ". "
        if zh {
            text += title + (journal == nil ? "" : "[J]") + "."
            if let journal {
                text += " " + journal
                if let year { text += ", " + year }
                if let volume { text += ", " + volume }
                if let issue { text += "(\(issue))" }
                if let pages { text += ": " + pages }
                text += "."
            } else if let year { text += " " + year + "." }
        } else {
            text += title + "."
            if let journal { text += " " + journal + "." }
            var place = year ?? ""
            if volume != nil || issue != nil || pages != nil {
                place += ";" + (volume ?? "") + (issue.map { "(\($0))" } ?? "") + (pages.map { ":" + $0 } ?? "")
            }
            if !place.isEmpty { text += " " + place + "." }
        }
        var inlines: [Inline] = [.text(text)]
        if let doi { inlines += [.text(" doi:"), .link(url: "https://doi.org/" + doi, [.text(doi)])] }
        if let url { inlines += [.text(" "), .link(url: url, [.text(url)])] }
        return inlines
    }
}

/// The front-matter keys of the engine beyond `Template`'s own: `references:` (the works cited, rendered as a
/// numbered list in the journal style of the report's language) and `date:` (a date the report states, either
/// literal `YYYY-MM-DD` or `latest: COLUMN`, the latest date in that column of the report's data — deterministic,
/// from the data, never the clock).
public struct ReportFrontMatter: Sendable {
    public enum DateSource: Sendable, Equatable {
        case literal(String)
        case latest(column: String)
    }

    public static let keys: Set<String> = ["references", "date"]

    public var references: [Reference] = []
    public var date: DateSource?

    /// Reads the keys from the template's front matter (the YAML between its first two `---` lines).
    public static func load(_ template: Template) throws(ReportError) -> ReportFrontMatter {
        var result = ReportFrontMatter()
        let lines = String(decoding: template.contents, as: UTF8.self).components(separatedBy: "\n")
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "---",
              let end = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" }) else {
            return result
        }
        func failure(_ message: String) -> ReportError { ReportError(file: template.path, line: 2, column: 1, message) }
        let front: [String: Any]
        do { front = (try Yams.load(yaml: lines[1..<end].joined(separator: "\n")) as? [String: Any]) ?? [:] } catch {
            throw failure("front matter is not valid YAML (\(error))")
        }
        if let date = front["date"] {
            if let text = date as? String ?? (date as? Date).map({ ISO8601DateFormatter.string(from: $0, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate]) }) {
                if case let .failure(problem) = CalendarDate.parse(text) {
                    throw failure("date: \(problem) (or use 'date: {latest: COLUMN}')")
                }
                result.date = .literal(text)
            } else if let source = date as? [String: Any], let column = source["latest"] as? String, source.count == 1 {
                result.date = .latest(column: column)
            } else {
                throw failure("date: give YYYY-MM-DD or {latest: COLUMN}")
            }
        }
        if let list = front["references"] {
            guard let entries = list as? [[String: Any]] else { throw failure("references: a list of entries with id, authors and title") }
            let known: Set<String> = ["id", "authors", "title", "journal", "year", "volume", "issue", "pages", "doi", "url"]
            var ids: Set<String> = []
            for (index, entry) in entries.enumerated() {
                for key in entry.keys.sorted() where !known.contains(key) {
                    throw failure("references[\(index)]: unknown key '\(key)'" + suggestion(key, known))
                }
                func text(_ key: String) -> String? { entry[key].map { "\($0)" } }
                guard let id = text("id"), let title = text("title") else {
                    throw failure("references[\(index)]: needs id and title")
                }
                guard ids.insert(id).inserted else { throw failure("references: id '\(id)' is given twice") }
                let authors = (entry["authors"] as? [Any])?.map { "\($0)" } ?? text("authors").map { [$0] } ?? []
                for url in [text("url")].compactMap({ $0 }) where LinkURLPolicy.refusal(url) != nil {
                    throw failure("references[\(index)]: " + LinkURLPolicy.refusal(url)!)
                }
                result.references.append(Reference(id: id, authors: authors, title: title, journal: text("journal"),
                                                   year: text("year"), volume: text("volume"), issue: text("issue"),
                                                   pages: text("pages"), doi: text("doi"), url: text("url")))
            }
        }
        return result
    }
}

/// `{cite ID}` → "[1]", linked to the reference's entry; numbers follow the order of the front matter's list.
struct CiteDirective: InlineDirective {
    let name = "cite"
    let allowedOptions: Set<String> = []
    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Inline] {
        let references = try ReportFrontMatter.load(context.template).references
        guard !call.arguments.isEmpty else { throw fail(call, context, "{cite} needs a reference id") }
        var parts: [Inline] = []
        for id in call.arguments {
            guard let index = references.firstIndex(where: { $0.id == id }) else {
                throw fail(call, context, "unknown reference '\(id)'" + suggestion(id, references.map(\.id)))
            }
            if !parts.isEmpty { parts.append(.text(",")) }
            parts.append(.link(url: "#ref-" + id, [.text("\(index + 1)")]))
        }
        return [.text("[")] + parts + [.text("]")]
    }
}
