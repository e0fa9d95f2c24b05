import CementCore
import Foundation

/// A stretch of calendar time in the department's time zone: a quarter ("2026-Q3"), a month ("2026-07"), a year
/// ("2026") or whole days from one date to another, both included. Its instants run from local midnight of its
/// first day to local midnight after its last day, so a day of a daylight-saving change has its true length.
public struct AuditPeriod: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case quarter, month, year
        /// `from`…`to`, whole days.
        case days
    }

    public var kind: Kind
    /// First day (local).
    public var first: DateComponents
    /// Last day (local), included.
    public var last: DateComponents

    /// "2026-Q3", "2026-07", "2026", or nil when `text` is none of them.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard let year = Int(parts[0]), parts[0].count == 4 else { return nil }
        if parts.count == 1 {
            self.init(kind: .year, year: year, firstMonth: 1, months: 12)
        } else if parts.count == 2, parts[1].count == 2, parts[1].hasPrefix("Q"), let q = Int(parts[1].dropFirst()), (1...4).contains(q) {
            self.init(kind: .quarter, year: year, firstMonth: 3 * q - 2, months: 3)
        } else if parts.count == 2, parts[1].count == 2, let month = Int(parts[1]), (1...12).contains(month) {
            self.init(kind: .month, year: year, firstMonth: month, months: 1)
        } else {
            return nil
        }
    }

    private init(kind: Kind, year: Int, firstMonth: Int, months: Int) {
        self.kind = kind
        first = DateComponents(year: year, month: firstMonth, day: 1)
        let endMonth = firstMonth + months - 1
        last = DateComponents(year: year, month: endMonth, day: CalendarDate.days(inMonth: endMonth, of: year))
    }

    /// The days `from`…`to` (YYYY-MM-DD, both included); nil when either is no date or `to` precedes `from`.
    public init?(from: String, to: String) {
        guard let a = CalendarDate(from), let b = CalendarDate(to), a <= b else { return nil }
        kind = .days
        first = a.components
        last = b.components
    }

    /// The period's instants in `timeZone`: [start, end).
    public func interval(in timeZone: TimeZone) -> (start: Date, end: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let start = calendar.date(from: DateComponents(year: first.year, month: first.month, day: first.day))!
        let lastStart = calendar.date(from: DateComponents(year: last.year, month: last.month, day: last.day))!
        return (start, calendar.date(byAdding: .day, value: 1, to: lastStart)!)
    }

    /// Whether `instant` lies in the period in `timeZone`.
    public func contains(_ instant: Date, in timeZone: TimeZone) -> Bool {
        let (start, end) = interval(in: timeZone)
        return start <= instant && instant < end
    }

    /// The `count` periods of the same kind ending with this one, oldest first (for a `.days` period: the
    /// quarters ending with the quarter of its last day).
    public func trailing(_ count: Int) -> [AuditPeriod] {
        var current = kind == .days ? AuditPeriod("\(last.year!)-Q\((last.month! - 1) / 3 + 1)")! : self
        var periods = [current]
        while periods.count < count {
            current = current.previous
            periods.insert(current, at: 0)
        }
        return periods
    }

    /// The period of the same kind just before (`.days` periods step by their own length in days).
    public var previous: AuditPeriod {
        let year = first.year!, month = first.month!
        switch kind {
        case .year: return AuditPeriod(String(year - 1))!
        case .quarter: return month == 1 ? AuditPeriod("\(year - 1)-Q4")! : AuditPeriod("\(year)-Q\((month - 1) / 3)")!
        case .month: return month == 1 ? AuditPeriod("\(year - 1)-12")! : AuditPeriod(String(format: "%04d-%02d", year, month - 1))!
        case .days:
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let a = calendar.date(from: first)!, b = calendar.date(from: last)!
            let days = calendar.dateComponents([.day], from: a, to: b).day! + 1
            func text(_ date: Date) -> String {
                let c = calendar.dateComponents([.year, .month, .day], from: date)
                return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
            }
            return AuditPeriod(from: text(calendar.date(byAdding: .day, value: -days, to: a)!),
                               to: text(calendar.date(byAdding: .day, value: -1, to: a)!))!
        }
    }

    /// "2026-Q3", "2026-07", "2026" or "2026-07-01 – 2026-08-15".
    public var description: String {
        let y = first.year!, m = first.month!
        switch kind {
        case .year: return String(y)
        case .quarter: return "\(y)-Q\((m - 1) / 3 + 1)"
        case .month: return String(format: "%04d-%02d", y, m)
        case .days:
            return String(format: "%04d-%02d-%02d – %04d-%02d-%02d", y, m, first.day!, last.year!, last.month!, last.day!)
        }
    }
}
