import XCTest
import CementCore

final class DistributionRateGroupsTests: XCTestCase {
    /// The paper's definition: low DR ≤ 10 %, medium 10–20 %, high ≥ 20 % (both limits belong to the outer groups).
    func testGroupLimitsFollowThePaper() {
        let groups = DistributionRateGroups()
        XCTAssertEqual(groups.group(10), .low)
        XCTAssertEqual(groups.group(10.01), .medium)
        XCTAssertEqual(groups.group(19.99), .medium)
        XCTAssertEqual(groups.group(20), .high)
        XCTAssertEqual(DRGroup.allCases.sorted(), [.low, .medium, .high])
    }
}
