import XCTest
import BerthAddress
@testable import BerthIPAM

final class AddressPoolTests: XCTestCase {
    func testParsesBaseAndSize() throws {
        let pool = try XCTUnwrap(AddressPool("172.17.0.0/16:24"))
        XCTAssertEqual(pool.base, IPv4Subnet("172.17.0.0/16"))
        XCTAssertEqual(pool.size, 24)
        XCTAssertEqual(pool.count, 256)
        XCTAssertEqual(pool.subnet(at: 0), IPv4Subnet("172.17.0.0/24"))
        XCTAssertEqual(pool.subnet(at: 255), IPv4Subnet("172.17.255.0/24"))
        XCTAssertEqual(pool.description, "172.17.0.0/16:24")
        XCTAssertEqual(AddressPool(pool.description), pool)
    }

    func testParsingVariants() {
        XCTAssertEqual(AddressPool("  10.0.0.0/8:/20 ")?.size, 20, "leading slash on size and whitespace accepted")
        XCTAssertEqual(AddressPool("10.1.2.0/24")?.size, 24, "bare subnet is a one-subnet pool")
        XCTAssertEqual(AddressPool("10.1.2.0/24")?.count, 1)
        XCTAssertEqual(AddressPool("10.0.0.0/8:30")?.size, 30)
    }

    func testRejectsMalformedPools() {
        for bad in ["", "10.0.0.0", "10.0.0.1/8:24", "10.0.0.0/8:", "10.0.0.0/8:x", "10.0.0.0/16:8",
                    "10.0.0.0/8:31", "10.0.0.0/8:32", "10.0.0.0/8:24:1", "10.0.0.0/33:34", "hello", "10.0.0.0/8:024x"] {
            XCTAssertNil(AddressPool(bad), bad)
        }
    }

    func testDefaults() {
        let defaults = AddressPool.defaults
        XCTAssertEqual(defaults.count, 17)
        XCTAssertEqual(defaults.first?.description, "172.17.0.0/16:24")
        XCTAssertEqual(defaults[14].description, "172.31.0.0/16:24")
        XCTAssertEqual(defaults[15].description, "192.168.0.0/16:24")
        XCTAssertEqual(defaults[16].description, "10.88.0.0/13:24")
        XCTAssertTrue(defaults.allSatisfy { $0.size == 24 })
    }

    func testParseList() throws {
        let pools = try AddressPool.parseList("172.20.0.0/16:24, 10.0.0.0/8:16,,")
        XCTAssertEqual(pools.map(\.description), ["172.20.0.0/16:24", "10.0.0.0/8:16"])
    }

    func testParseListNamesTheBadEntry() {
        XCTAssertThrowsError(try AddressPool.parseList("172.20.0.0/16:24, 10.0.0.1/8:16")) { error in
            XCTAssertEqual(error as? IPAMError, .invalidPool("10.0.0.1/8:16"))
            XCTAssertTrue("\(error)".contains("'10.0.0.1/8:16'"), "\(error)")
        }
        XCTAssertThrowsError(try AddressPool.parseList(" , ")) { error in
            XCTAssertEqual(error as? IPAMError, .emptyPoolList)
        }
    }
}
