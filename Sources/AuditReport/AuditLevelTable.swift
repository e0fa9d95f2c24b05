import Foundation
import Registry
import Report

/// The audit's lists of levels (the low-DR follow-up list, the QC review list): one row per level of the period's
/// cases that `selects`, and a one-row table saying so when none does, so that cross-references stay valid.
struct AuditLevelTable {
    var header: [String]
    /// The sentence of an empty list.
    var empty: String
    var selects: (RegisteredLevel) -> Bool
    var row: (RegisteredCase, RegisteredLevel) -> [String]

    /// The period's selected levels, in case order.
    func levels(_ cohort: AuditCohort) -> [(RegisteredCase, RegisteredLevel)] {
        cohort.inPeriod.flatMap { item in item.levels.filter(selects).map { (item, $0) } }
    }

    func render(_ call: DirectiveCall, _ cohort: AuditCohort) -> [Block] {
        var rows = levels(cohort).map(row)
        if rows.isEmpty { rows = [[empty] + Array(repeating: "", count: header.count - 1)] }
        return auditTable(call, header: header, rows: rows)
    }
}
