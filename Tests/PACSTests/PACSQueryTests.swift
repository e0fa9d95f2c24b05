import PACS
import XCTest

/// Query values and connection settings, checked without a peer.
final class PACSQueryTests: XCTestCase {
    func testDateRangesUseDICOMRangeMatching() throws {
        // PS3.4 C.2.2.2.5.1: "D1-D2", "D1-", "-D2", and a single date for equal ends.
        XCTAssertEqual(try DICOMDateRange(from: "2022-01-01", to: "20221231").matchValue, "20220101-20221231")
        XCTAssertEqual(try DICOMDateRange(from: "20220101", to: nil).matchValue, "20220101-")
        XCTAssertEqual(try DICOMDateRange(from: nil, to: "2022-03-04").matchValue, "-20220304")
        XCTAssertEqual(try DICOMDateRange(from: "20220304", to: "2022-03-04").matchValue, "20220304")
        XCTAssertThrowsError(try DICOMDateRange(from: "20221301", to: nil))
        XCTAssertThrowsError(try DICOMDateRange(from: "2022-1-1", to: nil))
        XCTAssertThrowsError(try DICOMDateRange(from: "20220201", to: "20220101"))
    }

    func testQueryValuesThatCannotBeSentAreRefused() {
        XCTAssertThrowsError(try PACSQuery(studyDescription: "a\\b").validate())
        XCTAssertThrowsError(try PACSQuery(studyUID: "1.2.abc").validate())
        XCTAssertThrowsError(try PACSQuery(bodyPart: String(repeating: "X", count: 17)).validate())
        XCTAssertNoThrow(try PACSQuery(seriesDescription: "*bone*", bodyPart: "SPINE", studyUID: "1.2.3").validate())
        XCTAssertNil(DICOMModality(code: "ct"))
        XCTAssertEqual(DICOMModality(code: "CT"), .ct)
    }

    func testFlagsOverrideTheConfigurationFileAndDefaultsFillTheRest() throws {
        let path = NSTemporaryDirectory() + "cementreport-pacs-config-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try #"{"host": "pacs.example.org", "port": 104, "called_ae": "PACS", "retries": 5, "retry_delay": 0.5}"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        let peer = try PACSPeer.resolve(file: path, host: nil, port: 11112, calledAE: nil, callingAE: "ME",
                                        connectTimeout: nil, associationTimeout: nil, messageTimeout: 20, retries: nil)
        XCTAssertEqual(peer, PACSPeer(host: "pacs.example.org", port: 11112, calledAE: "PACS", callingAE: "ME",
                                      connectTimeout: 10, associationTimeout: 30, messageTimeout: 20, retries: 5,
                                      retryDelay: 0.5))
        XCTAssertEqual(peer.name, "PACS@pacs.example.org:11112")
    }
}
