import Foundation
import RateEngine
import Registry
import Report

/// ```` ```{audit-qc-list id=tbl-x caption="…"} ```` : the period's levels whose QC flags ask for review
/// (`QCFlag.needsReview`), with what each flag means, then per level an axial overlay thumbnail (`AuditQCThumbnail`)
/// from the measurement cache named by the front matter's `measurements:` — or a sentence saying why there is none.
struct AuditQCListDirective: BlockDirective {
    let name = "audit-qc-list"
    let allowedOptions: Set<String> = ["id", "caption"]
    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Block] {
        let state = try context.audit(call)
        let zh = context.isChinese
        func flags(_ level: RegisteredLevel) -> String {
            level.qcFlags.compactMap(QCFlag.init(rawValue:)).filter(\.needsReview)
                .map { "\($0.rawValue): \($0.description)" }.joined(separator: "; ")
        }
        let table = AuditLevelTable(
            header: zh ? ["病例", "椎体", "弥散率 (%)", "质控标记"] : ["Case", "Level", "DR (%)", "QC flags"],
            empty: zh ? "本期无需复核的测量。" : "No measurement of the period is flagged for review.",
            selects: \.needsReview,
            row: { item, level in
                [item.caseID, item.levelName(level.levelIndex),
                 level.distributionRatePercent.map { String(format: "%.1f", $0) } ?? "—", flags(level)]
            })
        var blocks = table.render(call, state.cohort)
        let flagged = table.levels(state.cohort)
        guard !flagged.isEmpty else { return blocks }
        guard let cache = state.measurementCache else {
            blocks.append(.paragraph([.text(zh ? "无缩略图：前言未指定测量缓存（measurements:）。"
                                         : "No thumbnails: the front matter names no measurement cache (measurements:).")]))
            return blocks
        }
        let thumbnail = AuditQCThumbnail(cache: cache, zh: zh)
        for (item, level) in flagged {
            let caption = zh ? "病例 \(item.caseID) \(item.levelName(level.levelIndex))：经骨水泥中心的轴位 CT，椎体轮廓与骨水泥。"
                : "Case \(item.caseID) \(item.levelName(level.levelIndex)): axial CT through the cement centroid, body outline and cement."
            switch thumbnail.draw(item, level, caption: caption) {
            case .figure(let figure): blocks.append(.figure(figure))
            case .missing(let why): blocks.append(.paragraph([.text(why)]))
            }
        }
        return blocks
    }
}
