import CementCore
import Foundation

/// The instant of a procedure from DICOM's local StudyDate and StudyTime: in the series' own
/// TimezoneOffsetFromUTC when it has one, otherwise in the department's time zone.
public enum ProcedureTime {
    /// The instant, nil when `date` is not a DICOM date (YYYYMMDD) or an ISO date (YYYY-MM-DD).
    public static func instant(date: String, time: String?, offset: String?, timeZone: TimeZone) -> Date? {
        guard let day = CalendarDate(date, .isoOrDicom) else { return nil }
        var components = DateComponents(year: day.year, month: day.month, day: day.day, hour: 0, minute: 0, second: 0)
        if let time {
            let clock = time.split(separator: ".").first.map(String.init) ?? ""
            guard clock.count >= 2, clock.count % 2 == 0, clock.allSatisfy(\.isNumber) else { return nil }
            let parts = stride(from: 0, to: clock.count, by: 2).map {
                Int(clock.dropFirst($0).prefix(2)) ?? 0
            }
            components.hour = parts[0]
            components.minute = parts.count > 1 ? parts[1] : 0
            components.second = parts.count > 2 ? parts[2] : 0
        }
        var zone = timeZone
        if let offset, let seconds = offsetSeconds(offset), let fixed = TimeZone(secondsFromGMT: seconds) { zone = fixed }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: components)
    }

    /// ±HHMM as seconds east of UTC.
    static func offsetSeconds(_ text: String) -> Int? {
        guard text.count == 5, let sign = text.first, sign == "+" || sign == "-",
              let hours = Int(text.dropFirst().prefix(2)), let minutes = Int(text.suffix(2)) else { return nil }
        return (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
    }

    /// ISO 8601 in UTC, to the second ("2026-07-01T02:30:00Z").
    public static func iso(_ instant: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: instant)
    }

    /// The instant of an ISO 8601 text written by `iso`.
    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
