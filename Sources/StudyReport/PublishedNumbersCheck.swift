import Figures
import Report
import Study
import Tabular

/// The paper's printed numbers (the front matter's `published:`) for `cement render --check`: a value printed
/// for a variable of the paper, in one of the study's groups (or a P or r across them), is set against every
/// place the paper prints it (Tables 1–4 and the abstracts), by `PrintedNumberRule`. A published number that
/// `cement verify` finds unattainable is reported as such and does not fail the check.
struct PublishedNumbersCheck: PublishedNumbers {
    let study: PublishedStudy
    let codebook: Codebook?
    /// Names the published file in errors.
    let path: String

    /// The places whose numbers a report reprints: the tables and the abstracts (not the within-group changes or
    /// the claims of the text, which no directive prints).
    private static let places: Set<String> = ["table1", "table2", "table3", "table4", "abstract_en", "abstract_zh"]

    func compare(_ values: [PrintedValue], data: DataTable?) throws(ReportError) -> [[PublishedComparison]] {
        guard let data, values.contains(where: { $0.groupColumn == groupColumn || $0.with != nil }) else {
            return values.map { _ in [] }
        }
        let items: [VerificationItem]
        do {
            items = try StudyVerification(study: study, data: data, codebook: codebook,
                                          groupColumn: groupColumn).items().filter { Self.places.contains($0.where) }
        } catch {
            throw ReportError(file: path, line: 1, column: 1, "published numbers: \(error)")
        }
        var byKey: [String: [VerificationItem]] = [:]
        for item in items { byKey["\(item.variable)|\(item.quantity)|\(item.group ?? "")", default: []].append(item) }
        return values.map { value in
            value.numbers.flatMap { number in
                published(for: value, number, byKey).map { item in compare(number, item) }
            }
        }
    }

    /// The study's grouping column.
    private var groupColumn: String { "dr_group" }

    /// The published numbers a printed number stands for.
    private func published(for value: PrintedValue, _ number: PrintedNumber, _ byKey: [String: [VerificationItem]])
        -> [VerificationItem]
    {
        func items(_ quantity: String, _ group: String?) -> [VerificationItem] {
            byKey["\(value.variable)|\(quantity)|\(group ?? "")"] ?? []
        }
        switch number.quantity {
        case .mean, .sd:
            guard value.groupColumn == groupColumn, let group = value.group, value.level == nil else { return [] }
            return items(number.quantity.rawValue, group)
        case .count:
            guard value.groupColumn == groupColumn, let group = value.group, let level = value.level else { return [] }
            // A count of one level per group (sex F), or of the events of a yes/no variable.
            return items("count", "\(group), \(level)") + (level == "1" ? items("count", group) : [])
        case .percent:
            guard value.groupColumn == groupColumn, let group = value.group, value.level == "1" else { return [] }
            return items("percent", group)
        case .p:
            // A correlation's P and a group comparison's P of one variable are told apart by the test verify used.
            let correlations = items("p", nil).filter { $0.reproduced.hasSuffix("(Pearson)") }
            if value.with != nil { return value.with == "dr_recorded_percent" ? correlations : [] }
            // A P stands for the paper's only when it comes from the paper's test: an exact P printed where an expected
            // count is below 5 is another number than the paper's chi-square P (the appendix gives both).
            guard value.groupColumn == groupColumn, value.group == nil, let test = value.test else { return [] }
            return items("p", nil).filter { $0.reproduced.hasSuffix("(\(test))") }
        case .r:
            return value.with == "dr_recorded_percent" ? items("r", nil) : []
        case .statistic, .recorded, .parameter:
            return []
        }
    }

    private func compare(_ number: PrintedNumber, _ item: VerificationItem) -> PublishedComparison {
        let rule = number.quantity == .p
            ? PrintedNumberRule.sameP(printed: number.text, value: number.value, published: item.published)
            : PrintedNumberRule.sameNumber(printed: number.text, published: item.published)
        var status: PublishedComparison.Status = rule.same ? .match : .mismatch
        var reason = rule.reason
        if !rule.same, item.status == .unattainable {
            status = .unattainable
            reason = item.note ?? reason
        }
        return PublishedComparison(quantity: number.quantity, printed: number.text, published: item.published,
                                   place: item.where, tolerance: rule.tolerance, status: status, reason: reason)
    }
}
