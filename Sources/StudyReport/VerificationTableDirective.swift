import Foundation
import Report
import Study
import Tabular

/// ```` ```{verification id=tbl-x caption="…" published=../data/published.json} ````: `cement verify` as a report
/// appendix — a sentence with the tally; the published numbers that are not reproduced (mismatches, then those the
/// paper's own numbers rule out), each with its reason; then, collapsible in HTML, a table per place of the paper
/// and variable with human labels in the report's language and its verdicts. The full item table goes with the
/// report as a CSV supplement (`NAME.verification.csv`).
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
        let study: PublishedStudy
        do {
            study = try PublishedStudy.load(path)
            context.inputs.add(path: path, contents: FileManager.default.contents(atPath: path) ?? Data())
            items = try StudyVerification(study: study, data: data, codebook: context.codebook).items()
        } catch {
            throw fail(call, context, "\(error)")
        }
        let zh = context.template.language == "zh"
        let labels = Labels(zh: zh, codebook: context.codebook)
        let tally = items.tally
        let summary: [Inline] = zh
            ? [.text("共核对 \(items.count) 个发表数字：\(tally.match) 个一致，\(tally.mismatch) 个不一致，\(tally.unattainable) "
                     + "个无法复现（原文自身的数字已排除该印刷值，见 "), .code("cement check-paper"),
               .text("）。完整核对表见随报告附带的 CSV 文件。")]
            : [.text("\(items.count) published numbers checked: \(tally.match) match, \(tally.mismatch) do not, and "
                     + "\(tally.unattainable) cannot, because the paper's own numbers rule the printed value out (see "),
               .code("cement check-paper"), .text("). The full table goes with the report as a CSV file.")]
        let twoP: [Inline] = [.text(zh
            ? "同一变量可能有两个 P 值：期望频数小于 5 时，本报告的表格给出 Fisher–Freeman–Halton 精确检验的 P（标 ᵃ），"
                + "而本附录按原文的方法重算 χ² 检验的 P，以便与原文印出的数字比较。"
            : "A variable may show two P values: where an expected count is below 5 the report's own tables give the "
                + "Fisher–Freeman–Halton exact P (marked ᵃ), while this appendix recomputes the paper's chi-square P to "
                + "compare it with the printed one.")]
        var blocks: [Block] = [.paragraph(summary), .paragraph(twoP)]

        // The numbers not reproduced, mismatches first, each with its reason.
        let missed = items.filter { $0.status == .mismatch } + items.filter { $0.status == .unattainable }
        let header: [[Inline]] = (zh ? ["位置", "变量", "组", "量", "发表值", "复现值", "原因"]
            : ["Where", "Variable", "Group", "Quantity", "Published", "Reproduced", "Reason"]).map { [.text($0)] }
        let missedRows: [[[Inline]]] = missed.map { item in
            [[.text(labels.place(item.where))], [.text(labels.variable(item.variable, study))], [.text(labels.group(item.group, variable: item.variable))],
             [.text(labels.quantity(item.quantity))], [.text(labels.text(item.published))], [.text(labels.text(item.reproduced))],
             [.text(labels.reason(item))]]
        }
        blocks.append(.table(Table(id: call.options["id"], caption: call.options["caption"].map { [.text($0)] } ?? [],
                                   header: header, rows: missedRows, alignments: Array(repeating: .left, count: header.count),
                                   number: nil,
                                   note: [.text(zh ? "未复现的发表数字：先列不一致者，再列无法复现者。"
                                                   : "Published numbers not reproduced: mismatches first, then the unattainable.")])))

        // Every number, by place and variable.
        var grouped: [Block] = []
        var places: [String] = []
        for item in items where !places.contains(item.where) { places.append(item.where) }
        let allHeader: [[Inline]] = (zh ? ["变量", "组", "量", "发表值", "复现值", "容差", "结论"]
            : ["Variable", "Group", "Quantity", "Published", "Reproduced", "Tolerance", "Verdict"]).map { [.text($0)] }
        for place in places {
            let rows: [[[Inline]]] = items.filter { $0.where == place }.map { item in
                [[.text(labels.variable(item.variable, study))], [.text(labels.group(item.group, variable: item.variable))],
                 [.text(labels.quantity(item.quantity))], [.text(labels.text(item.published))],
                 [.text(labels.text(item.reproduced))], [.text(labels.text(item.tolerance))], [.text(labels.verdict(item.status))]]
            }
            grouped.append(.heading(level: 3, [.text(labels.place(place))]))
            grouped.append(.table(Table(id: nil, caption: [], header: allHeader, rows: rows,
                                        alignments: Array(repeating: .left, count: allHeader.count), number: nil)))
        }
        blocks.append(.collapsible(summary: [.text(zh ? "全部核对结果（按原文位置与变量）" : "Every number, by place in the paper and variable")],
                                   grouped))
        context.supplements.add("verification.csv", Self.csv(items))
        return blocks
    }

    /// The full item table, one row per published number.
    static func csv(_ items: [VerificationItem]) -> Data {
        CSVText.document(header: ["where", "variable", "group", "quantity", "published", "reproduced", "tolerance", "status", "note"],
                         rows: items.map { item in
                             [item.where, item.variable, item.group ?? "", item.quantity, item.published, item.reproduced,
                              item.tolerance, item.status.rawValue, item.note ?? ""]
                         })
    }

    /// Human labels for the verification's internal keys, in the report's language.
    struct Labels {
        let zh: Bool
        let codebook: Codebook?

        func place(_ key: String) -> String {
            if key.hasPrefix("table"), let number = key.dropFirst(5).first, number.isNumber {
                let within = key.hasSuffix("_within_group")
                return zh ? "原文表 \(number)" + (within ? "（组内随时间比较）" : "") : "Paper, Table \(number)" + (within ? " (change over time)" : "")
            }
            switch key {
            case "design": return zh ? "研究设计" : "Design"
            case "abstract_en": return zh ? "原文英文摘要" : "Paper, English abstract"
            case "abstract_zh": return zh ? "原文中文摘要" : "Paper, Chinese abstract"
            default:
                if key.hasPrefix("results_") { return (zh ? "原文结果 " : "Paper, Results ") + key.dropFirst("results_".count) }
                return key
            }
        }

        func variable(_ name: String, _ study: PublishedStudy) -> String {
            if name == "dr_group" { return zh ? "各组例数" : "Patients per group" }
            if let entry = codebook?[name] { return zh ? entry.labelZh : entry.labelEn }
            // A stem of variables over time (vas → vas_pre, …; height_mm → height_pre_mm, …).
            let parts = name.split(separator: "_").map(String.init)
            let candidates = [name + "_pre"] + (parts.count > 1 ? [(parts.dropLast() + ["pre", parts.last!]).joined(separator: "_")] : [])
            if let first = codebook?.variables.first(where: { candidates.contains($0.name) }) {
                let label = zh ? first.labelZh : first.labelEn
                return label.replacingOccurrences(of: zh ? "术前" : " before surgery", with: "").trimmingCharacters(in: .whitespaces)
            }
            return name
        }

        func group(_ key: String?, variable: String? = nil) -> String {
            guard let key else { return "–" }
            // "high, lower_thoracic": the group and a level of the variable.
            if let comma = key.range(of: ", "), let variable, let entry = codebook?[variable] {
                return group(String(key[..<comma.lowerBound])) + (zh ? "，" : ", ")
                    + entry.levelLabel(String(key[comma.upperBound...]), zh: zh)
            }
            let names: [String: String] = zh ? ["high": "高弥散率组", "medium": "中弥散率组", "low": "低弥散率组"]
                : ["high": "high DR", "medium": "medium DR", "low": "low DR"]
            var text = key
            for (name, label) in names { text = text.replacingOccurrences(of: name, with: label) }
            return text.replacingOccurrences(of: " vs ", with: zh ? " 与 " : " vs ")
        }

        func quantity(_ key: String) -> String {
            let names: [String: String] = zh
                ? ["n": "例数", "mean": "均数", "sd": "标准差", "count": "例数", "percent": "百分比", "p": "P 值", "r": "r 值", "claim": "结论"]
                : ["n": "n", "mean": "mean", "sd": "SD", "count": "n", "percent": "%", "p": "P", "r": "r", "claim": "claim"]
            return names[key] ?? key
        }

        /// The verification's own words in a cell (test names, claims, "exact") in the report's language.
        func text(_ cell: String) -> String {
            guard zh else { return cell }
            var text = cell
            for (english, chinese) in [("(one-way ANOVA)", "（单因素方差分析）"), ("(chi-square)", "（χ² 检验）"),
                                       ("(Pearson)", "（Pearson 相关）"), ("(repeated-measures ANOVA)", "（重复测量方差分析）"),
                                       ("(Fisher–Freeman–Halton exact)", "（Fisher–Freeman–Halton 精确检验）"),
                                       ("direction and P vs 0.05", "方向及 P 与 0.05 比较"), ("not significant", "差异无统计学意义"),
                                       ("greater than", "大于"), ("less than", "小于"), ("difference", "差值"),
                                       ("chi-square", "χ² 检验"), ("high", "高弥散率组"), ("medium", "中弥散率组"),
                                       ("low", "低弥散率组"), (" vs ", " 与 ")] {
                text = text.replacingOccurrences(of: english, with: chinese)
            }
            return text == "exact" ? "完全相等" : text
        }

        func verdict(_ status: VerificationItem.Status) -> String {
            switch status {
            case .match: zh ? "一致" : "match"
            case .mismatch: zh ? "不一致" : "mismatch"
            case .unattainable: zh ? "无法复现" : "unattainable"
            }
        }

        func reason(_ item: VerificationItem) -> String {
            switch item.status {
            case .unattainable:
                zh ? "原文自身的数字排除了该印刷值（cement check-paper）" : (item.note ?? "the paper's own numbers rule it out")
            case .mismatch: zh ? "复现值超出容差 \(item.tolerance)" : "reproduced value outside \(item.tolerance)"
            case .match: ""
            }
        }
    }
}
