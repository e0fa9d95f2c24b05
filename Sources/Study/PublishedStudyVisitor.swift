/// A walk over every printed number of a `PublishedStudy`, in the paper's order: design, Tables 1–3 by row,
/// Table 4, the changes over time, the two abstracts, the text's claims. `check-paper` (`PaperCheck`) and
/// `verify` (`StudyVerification`) both walk the study this way; a part a visitor does not check yields nothing.
public protocol PublishedStudyVisitor {
    associatedtype Item
    associatedtype Failure: Error

    func visitDesign(_ design: PublishedStudy.Design) throws(Failure) -> [Item]
    func visitRow(table: String, variable: String, _ row: PublishedStudy.Row) throws(Failure) -> [Item]
    func visitCorrelation(table: String, variable: String, _ correlation: PublishedStudy.Correlation) throws(Failure) -> [Item]
    func visitWithinGroup(table: String, stem: String, _ entry: PublishedStudy.WithinGroup) throws(Failure) -> [Item]
    func visitAbstract(place: String, _ abstract: PublishedStudy.Abstract) throws(Failure) -> [Item]
    func visitClaim(_ claim: PublishedStudy.Claim) throws(Failure) -> [Item]
}

extension PublishedStudyVisitor {
    public func visitDesign(_ design: PublishedStudy.Design) throws(Failure) -> [Item] { [] }
    public func visitWithinGroup(table: String, stem: String, _ entry: PublishedStudy.WithinGroup) throws(Failure) -> [Item] { [] }
}

extension PublishedStudy {
    /// Every item `visitor` yields, in the paper's order.
    public func walk<Visitor: PublishedStudyVisitor>(_ visitor: Visitor) throws(Visitor.Failure) -> [Visitor.Item] {
        var items = try visitor.visitDesign(design)
        for (table, variable, row) in rows { items += try visitor.visitRow(table: table, variable: variable, row) }
        for (variable, correlation) in table4.sorted(by: { $0.key < $1.key }) {
            items += try visitor.visitCorrelation(table: "table4", variable: variable, correlation)
        }
        for (table, entries) in [("table2_within_group", table2WithinGroup), ("table3_within_group", table3WithinGroup)] {
            for (stem, entry) in entries.sorted(by: { $0.key < $1.key }) {
                items += try visitor.visitWithinGroup(table: table, stem: stem, entry)
            }
        }
        for (place, abstract) in [("abstract_zh", abstractZh), ("abstract_en", abstractEn)] {
            items += try visitor.visitAbstract(place: place, abstract)
        }
        for claim in textClaims { items += try visitor.visitClaim(claim) }
        return items
    }
}
