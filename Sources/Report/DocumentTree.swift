import Figures
import Foundation

/// The report as a tree of blocks and inlines, independent of Markdown and of the output format: the HTML
/// renderer and the PDF typesetter both walk it.
public indirect enum Inline: Sendable, Equatable {
    case text(String)
    case emphasis([Inline])
    case strong([Inline])
    case code(String)
    case link(url: String, [Inline])
    case strikethrough([Inline])
    case softBreak
    case lineBreak
    /// A cross-reference such as `@tbl-baseline`, resolved to "Table 1" after numbering.
    case reference(id: String, position: SourcePosition)
}

public indirect enum Block: Sendable, Equatable {
    case heading(level: Int, [Inline])
    case paragraph([Inline])
    case list(ordered: Bool, items: [[Block]])
    case blockQuote([Block])
    case code(info: String, text: String)
    case table(Table)
    case figure(Figure)
    case thematicBreak
    /// A numbered list whose entries are link targets (the references).
    case anchoredList([AnchoredItem])
    /// Blocks a reader may fold away (a long appendix table whose data go with the report as a supplement):
    /// collapsible in HTML, named but not printed in the PDF.
    case collapsible(summary: [Inline], [Block])
}

/// An entry of an anchored list: its element id and its text.
public struct AnchoredItem: Sendable, Equatable {
    public var id: String
    public var content: [Inline]
    public init(id: String, content: [Inline]) {
        (self.id, self.content) = (id, content)
    }
}

public struct Table: Sendable, Equatable {
    public enum Alignment: Sendable, Equatable { case left, centre, right }
    public var id: String?
    public var caption: [Inline]
    public var header: [[Inline]]
    public var rows: [[[Inline]]]
    public var alignments: [Alignment]
    /// The number given by cross-referencing (1, 2, …), set for tables with an id or caption.
    public var number: Int?
    /// What the cells hold and how they were tested, printed under the table.
    public var note: [Inline]

    public init(id: String?, caption: [Inline], header: [[Inline]], rows: [[[Inline]]], alignments: [Alignment],
                number: Int?, note: [Inline] = []) {
        (self.id, self.caption, self.header, self.rows, self.alignments, self.number) = (id, caption, header, rows, alignments, number)
        self.note = note
    }
}

public struct Figure: Sendable, Equatable {
    public var id: String?
    public var caption: [Inline]
    /// The drawing as SVG (inline in HTML).
    public var svg: String
    public var number: Int?
    /// The chart itself, which the PDF typesetter draws as vector graphics on the page.
    public var chart: (any Chart)?
    /// The texts the chart draws (axis titles, ticks, legend), in order: glyph outlines in SVG and PDF, so the HTML
    /// repeats them as text for screen readers and the browser's find.
    public var text: [String]
    /// The chart at full quality where `chart` is a stand-in drawn on the page (a 3D surface as a 200 dpi raster):
    /// what `render --figures` exports for a journal. Nil when `chart` is the chart itself.
    public var original: (any Chart)?

    public init(id: String?, caption: [Inline], svg: String, number: Int?, chart: (any Chart)?, text: [String] = [],
                original: (any Chart)? = nil) {
        (self.id, self.caption, self.svg, self.number, self.chart, self.text) = (id, caption, svg, number, chart, text)
        self.original = original
    }

    /// The chart to export at full quality: the original where the page draws a stand-in.
    public var exportChart: (any Chart)? { original ?? chart }

    /// A text alternative: the caption, then the chart's own words (each once, tick numbers left out).
    public var alt: String {
        var seen: Set<String> = [], labels: [String] = []
        // Tick numbers say little read aloud; axis titles, group names and annotations say what is shown.
        for label in text.map({ $0.replacingOccurrences(of: "\n", with: " ") })
            where Double(label.replacingOccurrences(of: "−", with: "-")) == nil && seen.insert(label).inserted {
            labels.append(label)
        }
        let caption = HeadingIDs.plain(self.caption)
        return labels.isEmpty ? caption : caption + (caption.isEmpty ? "" : ". ") + labels.joined(separator: "; ")
    }

    public static func == (a: Figure, b: Figure) -> Bool {
        a.id == b.id && a.caption == b.caption && a.svg == b.svg && a.number == b.number && a.text == b.text
    }
}

/// What a report was made from: every input file with its SHA-256, the tool version and the parameters.
public struct Provenance: Sendable, Equatable {
    public var inputs: [(path: String, sha256: String)]
    public var toolVersion: String
    public var parameters: [(String, String)]

    public static func == (a: Provenance, b: Provenance) -> Bool {
        a.inputs.map(\.path) == b.inputs.map(\.path) && a.inputs.map(\.sha256) == b.inputs.map(\.sha256)
            && a.toolVersion == b.toolVersion && a.parameters.map(\.0) == b.parameters.map(\.0)
            && a.parameters.map(\.1) == b.parameters.map(\.1)
    }
}

public struct Document: Sendable, Equatable {
    public var title: String
    /// Lines under the title: the authors, the date and where it comes from.
    public var byline: [String] = []
    public var language: String
    public var blocks: [Block]
    public var provenance: Provenance
    /// Files that go with the report (a CSV of the full verification table), by file name.
    public var supplements: [Supplement] = []
    /// Every value the directives printed, with its source and its comparison with a published number (when a
    /// directive module supplies `PublishedNumbers`).
    public var selfCheck = SelfCheck(entries: [])
}

/// A file that goes with a report, written next to it.
public struct Supplement: Sendable, Equatable {
    public var name: String
    public var contents: Data
    public init(name: String, contents: Data) {
        (self.name, self.contents) = (name, contents)
    }
}
