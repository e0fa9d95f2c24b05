import Foundation

/// A day of the Gregorian calendar, read from ISO 8601 (`2026-07-01`) or DICOM (`20260701`) text: the one
/// reading of dates (procedure dates, audit periods, codebook dates, a report's date), so that every input
/// rejects 2026-02-30 or 2026-13-01 alike and says why.
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// The forms a date is read in.
    public enum Form: Sendable {
        /// `YYYY-MM-DD`.
        case iso
        /// `YYYYMMDD` (DICOM DA).
        case dicom
        /// Either.
        case isoOrDicom
    }

    /// A day; nil when `day` is not in `month` of `year` (or `month` not 1–12).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...Self.days(inMonth: month, of: year)).contains(day)
        else { return nil }
        (self.year, self.month, self.day) = (year, month, day)
    }

    /// The date `text` stands for in `form`, or why it stands for none ("'2026-02-30' is not a date: February
    /// 2026 has 28 days"); the caller names the place.
    public static func parse(_ text: String, _ form: Form = .iso) -> Result<CalendarDate, CalendarDateError> {
        let bytes = Array(text.utf8)
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        let digits: [UInt8]
        let dash = UInt8(ascii: "-")
        if form != .dicom, bytes.count == 10, bytes[4] == dash, bytes[7] == dash {
            digits = Array(bytes[0..<4] + bytes[5..<7] + bytes[8..<10])
        } else if form != .iso, bytes.count == 8 {
            digits = bytes
        } else {
            return .failure(CalendarDateError(text: text, form: form, reason: nil))
        }
        guard digits.allSatisfy(isDigit) else { return .failure(CalendarDateError(text: text, form: form, reason: nil)) }
        let number = { (range: Range<Int>) in digits[range].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) } }
        let (year, month, day) = (number(0..<4), number(4..<6), number(6..<8))
        guard (1...12).contains(month) else {
            return .failure(CalendarDateError(text: text, form: form, reason: "there is no month \(month)"))
        }
        guard let date = CalendarDate(year: year, month: month, day: day) else {
            let days = Self.days(inMonth: month, of: year)
            return .failure(CalendarDateError(text: text, form: form,
                                              reason: "\(Self.monthNames[month - 1]) \(year) has \(days) days"))
        }
        return .success(date)
    }

    /// The date `text` stands for, or nil (see `parse` for why).
    public init?(_ text: String, _ form: Form = .iso) {
        guard case let .success(date) = Self.parse(text, form) else { return nil }
        self = date
    }

    /// The day `days` after this one (before, when negative).
    public func adding(days: Int) -> CalendarDate { CalendarDate(dayNumber: dayNumber + days) }

    /// Days since 1970-01-01 (negative before): the count of days in the whole years since 1 March of year 0 (a
    /// calendar year starting in March puts the leap day last), of the months since March, and of the days.
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year, m = month <= 2 ? month + 9 : month - 3
        let era = y / 400, yearOfEra = y - era * 400
        let dayOfYear = (153 * m + 2) / 5 + day - 1
        return era * 146_097 + yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear - 719_468
    }

    /// The day `dayNumber` days after 1970-01-01 (the inverse of `dayNumber`, for years 1–9999).
    public init(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = z / 146_097, dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let m = (5 * dayOfYear + 2) / 153
        let month = m < 10 ? m + 3 : m - 9
        (year, self.month, day) = (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, dayOfYear - (153 * m + 2) / 5 + 1)
    }

    /// `YYYY-MM-DD`.
    public var iso: String { String(format: "%04d-%02d-%02d", year, month, day) }

    /// `YYYYMMDD`.
    public var dicom: String { String(format: "%04d%02d%02d", year, month, day) }

    public var description: String { iso }

    /// The day as calendar components (year, month, day).
    public var components: DateComponents { DateComponents(year: year, month: month, day: day) }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    /// Days in `month` (1–12) of `year`, leap years by the Gregorian rule.
    public static func days(inMonth month: Int, of year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                             "October", "November", "December"]
}

/// Why a text is not a calendar date.
public struct CalendarDateError: Error, Equatable, Sendable, CustomStringConvertible {
    public var text: String
    public var form: CalendarDate.Form
    /// What is wrong with a text of the right shape (no such month or day); nil when the shape is wrong.
    public var reason: String?

    public var description: String {
        let shape = switch form {
        case .iso: "YYYY-MM-DD"
        case .dicom: "YYYYMMDD"
        case .isoOrDicom: "YYYY-MM-DD or YYYYMMDD"
        }
        return "'\(text)' is not a date" + (reason.map { ": \($0)" } ?? " (\(shape))")
    }
}
