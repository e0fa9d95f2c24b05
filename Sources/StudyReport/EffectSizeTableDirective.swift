import Foundation
import Report
import Statistics

/// ```` ```{effect_sizes id=tbl-x caption="…" by=dr_group levels=high,medium,low} ```` with one variable per line
/// (`VARIABLE` or `VARIABLE LEVEL`): how large each group difference is, not only whether it is significant —
/// η² with its 95 % CI (noncentral F) for numbers, Cramér's V with its 95 % CI (noncentral chi-square) for
/// counts, next to the test, and for counts the smallest expected count and the Fisher–Freeman–Halton exact P.
struct EffectSizeTableDirective: BlockDirective {
    let name = "effect_sizes"
    let allowedOptions: Set<String> = ["id", "caption", "by", "levels", "labels"]

    func render(_ call: DirectiveCall, _ context: RenderContext) throws(ReportError) -> [Block] {
        let grouped = try GroupedVariables(call, context)
        let zh = context.template.language == "zh"
        var rows: [[[Inline]]] = []
        for line in grouped.lines {
            let effect: EffectSizeInterval
            var test: String
            do {
                if line.level != nil {
                    let table = grouped.contingency(line)
                    let chi = try ChiSquareTest(table: table)
                    effect = EffectSizeInterval.cramersV(chi)
                    let exact = try FisherExactTest.test(table: table)
                    test = "χ²(\(Int(chi.df))) = \(StatFormat.fixed(chi.statistic, decimals: 2)), \(StatFormat.pStatement(chi.p)); "
                        + (zh ? "精确检验 " : "exact ") + StatFormat.pStatement(exact.p) + "; "
                        + (zh ? "最小期望频数 " : "smallest expected count ") + StatFormat.fixed(chi.expectedMin, decimals: 1)
                } else {
                    let anova = try OneWayANOVA(groups: try grouped.centred(line))
                    effect = EffectSizeInterval.etaSquared(anova)
                    test = "F(\(Int(anova.dfBetween)), \(Int(anova.dfWithin))) = \(StatFormat.fixed(anova.f, decimals: 2)), "
                        + "\(StatFormat.pStatement(anova.p)); ω² = \(StatFormat.fixed(anova.omegaSquared, decimals: 3))"
                }
            } catch let error as ReportError {
                throw error
            } catch { throw grouped.failure(line, error) }
            context.record(name, at: line.position, variable: line.variable, groupColumn: call.options["by"], level: line.level,
                           test: line.level != nil ? "Cramér's V" : "η²",
                           [PrintedNumber(.statistic, StatFormat.fixed(effect.estimate, decimals: 3), value: effect.estimate),
                            PrintedNumber(.statistic, StatFormat.fixed(effect.low, decimals: 3), value: effect.low),
                            PrintedNumber(.statistic, StatFormat.fixed(effect.high, decimals: 3), value: effect.high)])
            rows.append([[.text(grouped.label(line, context))], [.text(line.level != nil ? "V" : "η²")],
                         [.text(StatFormat.fixed(effect.estimate, decimals: 3))],
                         // A no-break space keeps the interval on one line.
                         [.text("\(StatFormat.fixed(effect.low, decimals: 3)),\u{00A0}\(StatFormat.fixed(effect.high, decimals: 3))")],
                         [.text(test)]])
        }
        let header: [[Inline]] = [[.text(zh ? "指标" : "Variable")], [.text(zh ? "效应量" : "Measure")],
                                  [.text(zh ? "估计值" : "Estimate")], [.text(zh ? "95 % 置信区间" : "95 % CI")], [.text(zh ? "检验" : "Test")]]
        return [.table(Table(id: call.options["id"], caption: call.options["caption"].map { [.text($0)] } ?? [],
                             header: header, rows: rows, alignments: [.left, .left, .right, .right, .left], number: nil))]
    }
}
