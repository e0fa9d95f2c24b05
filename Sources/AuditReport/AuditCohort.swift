import Foundation
import Registry

/// The registry's cases as an audit reads them: each case's procedure instant, its first measured level (the
/// treated one), and its follow-up outcomes, with the period in question and the department's time zone.
public struct AuditCohort: Sendable {
    public var cases: [RegisteredCase]
    public var period: AuditPeriod
    public var timeZone: TimeZone

    public init(cases: [RegisteredCase], period: AuditPeriod, timeZone: TimeZone) {
        self.cases = cases
        self.period = period
        self.timeZone = timeZone
    }

    /// Cases whose procedure lies in `period`.
    public func cases(in period: AuditPeriod) -> [RegisteredCase] {
        cases.filter { item in
            guard let text = item.procedureAt, let instant = ProcedureTime.parse(text) else { return false }
            return period.contains(instant, in: timeZone)
        }
    }

    /// Cases of the audited period.
    public var inPeriod: [RegisteredCase] { cases(in: period) }

    /// Cases from the first registered up to the end of the audited period.
    public var cumulative: [RegisteredCase] {
        let end = period.interval(in: timeZone).end
        return cases.filter { item in
            guard let text = item.procedureAt, let instant = ProcedureTime.parse(text) else { return false }
            return instant < end
        }
    }

    /// Cases without a procedure date (never in a period; listed under data completeness).
    public var undated: [RegisteredCase] { cases.filter { $0.procedureAt.flatMap(ProcedureTime.parse) == nil } }

    /// A binary outcome of a case: the follow-up's 0/1, nil when not recorded.
    public static func outcome(_ item: RegisteredCase, _ variable: String) -> Bool? {
        switch item.followUp[variable] {
        case "1": true
        case "0": false
        default: nil
        }
    }

    /// Whether the case's treated level has a low DR (the engine's group).
    public static func isLowDR(_ item: RegisteredCase) -> Bool? {
        guard let group = item.levels.first?.group else { return nil }
        return group == "low"
    }

    /// The local date (YYYY-MM-DD) of the case's procedure in the department's zone.
    public func localDate(_ item: RegisteredCase) -> String? {
        guard let text = item.procedureAt, let instant = ProcedureTime.parse(text) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// The local date `months` after the procedure (the day a follow-up is due).
    public func date(_ item: RegisteredCase, plusMonths months: Int) -> String? {
        guard let text = item.procedureAt, let instant = ProcedureTime.parse(text) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        guard let due = calendar.date(byAdding: .month, value: months, to: instant) else { return nil }
        let c = calendar.dateComponents([.year, .month, .day], from: due)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }
}
