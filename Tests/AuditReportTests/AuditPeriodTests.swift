import AuditReport
import Foundation
import XCTest

/// Period boundaries as instants. Expected instants are worked out by hand from each zone's offsets (IANA tzdb:
/// Asia/Shanghai UTC+8 without daylight saving; America/New_York EST −5, EDT −4 from 2026-03-08; Europe/Berlin
/// CET +1, CEST +2 from 2026-03-29).
final class AuditPeriodTests: XCTestCase {
    private func instant(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
    private func zone(_ name: String) -> TimeZone { TimeZone(identifier: name)! }

    func testQuarterBoundariesAreLocalMidnights() {
        let q4 = AuditPeriod("2026-Q4")!
        let shanghai = q4.interval(in: zone("Asia/Shanghai"))
        XCTAssertEqual(shanghai.start, instant("2026-09-30T16:00:00Z"))
        XCTAssertEqual(shanghai.end, instant("2026-12-31T16:00:00Z"))
        let utc = q4.interval(in: zone("UTC"))
        XCTAssertEqual(utc.start, instant("2026-10-01T00:00:00Z"))
        XCTAssertEqual(utc.end, instant("2027-01-01T00:00:00Z"))
    }

    func testAProcedureNearNewYearFallsInTheYearOfTheDepartmentsClock() {
        // 16:30 UTC on 31 December is 00:30 on 1 January in Shanghai, 11:30 on 31 December in New York.
        let moment = instant("2026-12-31T16:30:00Z")
        XCTAssertFalse(AuditPeriod("2026-Q4")!.contains(moment, in: zone("Asia/Shanghai")))
        XCTAssertTrue(AuditPeriod("2027-Q1")!.contains(moment, in: zone("Asia/Shanghai")))
        XCTAssertTrue(AuditPeriod("2026-Q4")!.contains(moment, in: zone("America/New_York")))
        XCTAssertTrue(AuditPeriod("2026")!.contains(moment, in: zone("UTC")))
        XCTAssertFalse(AuditPeriod("2026")!.contains(moment, in: zone("Asia/Shanghai")))
        // The end is exclusive: local midnight belongs to the next period.
        XCTAssertFalse(AuditPeriod("2026-Q4")!.contains(instant("2026-12-31T16:00:00Z"), in: zone("Asia/Shanghai")))
        XCTAssertTrue(AuditPeriod("2026-Q4")!.contains(instant("2026-12-31T15:59:59Z"), in: zone("Asia/Shanghai")))
    }

    func testDaylightSavingChangesTheLengthOfAPeriod() {
        let q1 = AuditPeriod("2026-Q1")!.interval(in: zone("America/New_York"))
        XCTAssertEqual(q1.start, instant("2026-01-01T05:00:00Z"))
        XCTAssertEqual(q1.end, instant("2026-04-01T04:00:00Z"))
        XCTAssertEqual(q1.end.timeIntervalSince(q1.start), 90 * 86400 - 3600)
        let march = AuditPeriod("2026-03")!.interval(in: zone("Europe/Berlin"))
        XCTAssertEqual(march.start, instant("2026-02-28T23:00:00Z"))
        XCTAssertEqual(march.end, instant("2026-03-31T22:00:00Z"))
    }

    func testDaySpansIncludeBothDaysAndKnowLeapYears() {
        let span = AuditPeriod(from: "2028-02-28", to: "2028-02-29")!.interval(in: zone("UTC"))
        XCTAssertEqual(span.end.timeIntervalSince(span.start), 2 * 86400)
        XCTAssertNil(AuditPeriod(from: "2026-02-29", to: "2026-03-01"))
        XCTAssertNil(AuditPeriod(from: "2026-03-02", to: "2026-03-01"))
        XCTAssertEqual(AuditPeriod(from: "2026-03-01", to: "2026-03-10")!.previous.description, "2026-02-19 – 2026-02-28")
    }

    func testPreviousAndTrailingPeriodsCrossYearEnds() {
        XCTAssertEqual(AuditPeriod("2027-Q1")!.previous, AuditPeriod("2026-Q4")!)
        XCTAssertEqual(AuditPeriod("2027-01")!.previous, AuditPeriod("2026-12")!)
        XCTAssertEqual(AuditPeriod("2026-Q2")!.trailing(4).map(\.description), ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"])
        XCTAssertEqual(AuditPeriod(from: "2026-11-15", to: "2027-01-10")!.trailing(2).map(\.description), ["2026-Q4", "2027-Q1"])
    }

    func testMalformedPeriodsAreRefused() {
        for text in ["2026-Q5", "2026-Q0", "2026-13", "26-Q1", "2026-7", "Q3-2026", ""] {
            XCTAssertNil(AuditPeriod(text), text)
        }
    }
}
