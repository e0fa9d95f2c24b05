import Foundation
import XCTest

@testable import CementCore

/// The one reading of calendar dates. References: the Gregorian leap-year rule (closed form), the Unix epoch day
/// count (2000-01-01 is 946 684 800 s = 10 957 days after 1970-01-01) and Foundation's own Gregorian calendar,
/// an independent implementation, for every day from 1900 to 2100.
final class CalendarDateTests: XCTestCase {
    func testRealDatesReadInBothForms() throws {
        XCTAssertEqual(CalendarDate("2026-07-01"), CalendarDate(year: 2026, month: 7, day: 1))
        XCTAssertEqual(CalendarDate("20260701", .dicom)?.iso, "2026-07-01")
        XCTAssertEqual(CalendarDate("2026-07-01", .isoOrDicom)?.dicom, "20260701")
        XCTAssertNil(CalendarDate("20260701"), "ISO only unless asked")
        XCTAssertNil(CalendarDate("2026-07-01", .dicom))
        XCTAssertEqual(CalendarDate("2024-02-29")?.day, 29, "2024 is a leap year")
        XCTAssertEqual(CalendarDate("2000-02-29")?.day, 29, "a year divisible by 400 is a leap year")
    }

    func testImpossibleDatesSayWhy() {
        let cases = [
            ("2026-02-30", "'2026-02-30' is not a date: February 2026 has 28 days"),
            ("2023-02-29", "'2023-02-29' is not a date: February 2023 has 28 days"),
            ("1900-02-29", "'1900-02-29' is not a date: February 1900 has 28 days"),
            ("2026-04-31", "'2026-04-31' is not a date: April 2026 has 30 days"),
            ("2026-13-01", "'2026-13-01' is not a date: there is no month 13"),
            ("2026-00-10", "'2026-00-10' is not a date: there is no month 0"),
            ("2026-01-00", "'2026-01-00' is not a date: January 2026 has 31 days"),
            ("2026-7-1", "'2026-7-1' is not a date (YYYY-MM-DD)"),
            ("2026/07/01", "'2026/07/01' is not a date (YYYY-MM-DD)"),
            ("2026-07-0x", "'2026-07-0x' is not a date (YYYY-MM-DD)"),
            ("２０２６-07-01", "'２０２６-07-01' is not a date (YYYY-MM-DD)"),
            ("", "'' is not a date (YYYY-MM-DD)"),
        ]
        for (text, message) in cases {
            guard case let .failure(error) = CalendarDate.parse(text) else { return XCTFail("\(text) was read as a date") }
            XCTAssertEqual(error.description, message)
        }
        guard case let .failure(error) = CalendarDate.parse("20260230", .isoOrDicom) else { return XCTFail() }
        XCTAssertEqual(error.description, "'20260230' is not a date: February 2026 has 28 days")
        guard case let .failure(shape) = CalendarDate.parse("2026-0701", .isoOrDicom) else { return XCTFail() }
        XCTAssertEqual(shape.description, "'2026-0701' is not a date (YYYY-MM-DD or YYYYMMDD)")
    }

    func testDayNumbersAgreeWithFoundationsCalendar() throws {
        XCTAssertEqual(CalendarDate(year: 1970, month: 1, day: 1)!.dayNumber, 0)
        XCTAssertEqual(CalendarDate(year: 2000, month: 1, day: 1)!.dayNumber, 10_957)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let first = try XCTUnwrap(CalendarDate(year: 1900, month: 1, day: 1))
        for offset in 0..<(201 * 366) {
            let date = first.adding(days: offset)
            guard date.year <= 2100 else { break }
            let instant = try XCTUnwrap(calendar.date(from: date.components))
            XCTAssertEqual(Int((instant.timeIntervalSince1970 / 86_400).rounded()), date.dayNumber, date.iso)
            let c = calendar.dateComponents([.year, .month, .day], from: instant)
            XCTAssertEqual([c.year, c.month, c.day], [date.year, date.month, date.day], date.iso)
            XCTAssertEqual(CalendarDate(date.iso), date, "reads back what it writes")
        }
        XCTAssertEqual(CalendarDate("2026-03-01")!.adding(days: -1).iso, "2026-02-28")
        XCTAssertEqual(CalendarDate("2024-03-01")!.adding(days: -1).iso, "2024-02-29")
        XCTAssertLessThan(CalendarDate("2026-02-28")!, CalendarDate("2026-03-01")!)
    }
}
