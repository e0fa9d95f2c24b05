import Foundation
import Report
import Study

/// ```` ```{verification id=tbl-x caption="…" published=../data/published.json} ````: `cement verify` as a report
/// appendix — a sentence with the tally, then every published number next to the one reproduced from the
/// template's data, with the tolerance and the verdict.
struct VerificationTableDirective: BlockDirective {
    let name = "verification"
    let allowedOptions: Set<String> = ["id", "caption", "published"]

    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Block] {
        guard let data = context.data else { throw fail(call, context, "{verification} needs 'data:' in the front matter") }
        guard let relative = call.options["published"] else {
            throw fail(call, context, "{verification} needs published= naming the published numbers (JSON)")
        }
        let path = try context.template.resolve(relative, at: call.position)
        let items: [VerificationItem]
        do {
            let study = try PublishedStudy.load(path)
            context.inputs.add(path: path, contents: FileManager.default.contents(atPath: path) ?? Data())
            items = try StudyVerification(study: study, columns: data.columns, source: "data", codebook: context.codebook).items()
        } catch {
            throw fail(call, context, "\(error)")
        }
        let zh = context.template.language == "zh"
        let tally = items.tally
        let summary: [Inline] = zh
            ? [.text("共核对 \(items.count) 个发表数字：\(tally.match) 个一致，\(tally.mismatch) 个不一致，\(tally.unattainable) "
                     + "个无法复现（原文自身的数字已排除该印刷值，见 "), .code("cement check-paper"), .text("）。")]
            : [.text("\(items.count) published numbers checked: \(tally.match) match, \(tally.mismatch) do not, and "
                     + "\(tally.unattainable) cannot, because the paper's own numbers rule the printed value out (see "),
               .code("cement check-paper"), .text(").")]
        let verdicts: [VerificationItem.Status: String] = zh
            ? [.match: "一致", .mismatch: "不一致", .unattainable: "无法复现"]
            : [.match: "match", .mismatch: "mismatch", .unattainable: "unattainable"]
        // Place and variable share a cell, as do group and quantity, so that the table fits a portrait page.
        let rows: [[[Inline]]] = items.map { item in
            [[.text("\(item.where): \(item.variable)")], [.text([item.group, item.quantity].compactMap { $0 }.joined(separator: ", "))],
             [.text(item.published)], [.text(item.reproduced)], [.text(item.tolerance)], [.text(verdicts[item.status]!)]]
        }
        let header: [[Inline]] = (zh ? ["位置：变量", "组，量", "发表值", "复现值", "容差", "结论"]
            : ["Where: variable", "Group, quantity", "Published", "Reproduced", "Tolerance", "Verdict"]).map { [.text($0)] }
        return [.paragraph(summary),
                .table(Table(id: call.options["id"], caption: call.options["caption"].map { [.text($0)] } ?? [], header: header,
                             rows: rows, alignments: Array(repeating: .left, count: header.count), number: nil))]
    }
}
