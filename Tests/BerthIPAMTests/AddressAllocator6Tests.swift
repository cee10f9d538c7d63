import XCTest
import BerthAddress
import BerthIPAM

final class AddressAllocator6Tests: XCTestCase {
    private func ip(_ text: String) -> IPv6Address { IPv6Address(text)! }
    private func subnet(_ text: String) -> IPv6Subnet { IPv6Subnet(text)! }

    /// Allocates with a set of taken addresses.
    private func next(_ subnetText: String, range: String? = nil, gateway: String, after cursor: String? = nil,
                      taken: Set<String> = [], limit: UInt64 = 1 << 16) throws -> String? {
        let takenAddresses = Set(taken.map(ip))
        return try AddressAllocator6.next(subnet: subnet(subnetText), range: range.map(subnet), gateway: ip(gateway),
                                          after: cursor.map(ip), limit: limit,
                                          isTaken: { takenAddresses.contains($0) })?.description
    }

    // MARK: validateStatic

    /// IPv6 has no broadcast address: the last address of a subnet is a host's like any other.
    func testValidateStaticAcceptsHostAddresses() throws {
        for address in ["fd00::2", "fd00::ffff:ffff:ffff:ffff", "fd00::1:0"] {
            try AddressAllocator6.validateStatic(ip(address), subnet: subnet("fd00::/64"), gateway: ip("fd00::1"))
        }
    }

    func testValidateStaticRejections() {
        let s = subnet("fd00:1::/64"), gw = ip("fd00:1::1")
        let cases: [(String, IPAMError, String)] = [
            ("fd00:2::5", .notInSubnet6(ip("fd00:2::5"), s), "fd00:2::5 is not in subnet fd00:1::/64"),
            ("fd00:1::", .anycastAddress6(ip("fd00:1::"), s), "fd00:1:: is the subnet-router anycast address of subnet fd00:1::/64"),
            ("fd00:1::1", .gatewayAddress6(ip("fd00:1::1"), s), "fd00:1::1 is the gateway address of subnet fd00:1::/64"),
        ]
        assertRefusals(cases) { try AddressAllocator6.validateStatic(ip($0), subnet: s, gateway: gw) }
    }

    /// A gateway elsewhere in the subnet frees the first host address, never the anycast one.
    func testValidateStaticWithAnotherGateway() throws {
        try AddressAllocator6.validateStatic(ip("fd00::1"), subnet: subnet("fd00::/64"), gateway: ip("fd00::fe"))
        XCTAssertThrowsError(try AddressAllocator6.validateStatic(ip("fd00::fe"), subnet: subnet("fd00::/64"), gateway: ip("fd00::fe")))
        XCTAssertThrowsError(try AddressAllocator6.validateStatic(ip("fd00::"), subnet: subnet("fd00::/64"), gateway: ip("fd00::fe")))
    }

    // MARK: next

    func testFirstAllocationSkipsAnycastAndGateway() throws {
        XCTAssertEqual(try next("fd00:88::/64", gateway: "fd00:88::1"), "fd00:88::2")
        XCTAssertEqual(try next("fd00:88::/64", gateway: "fd00:88::ffff"), "fd00:88::1", "the gateway not at ::1")
        XCTAssertEqual(try next("fd00:88::/64", gateway: "fd00:88::1", taken: ["fd00:88::2", "fd00:88::3"]), "fd00:88::4")
    }

    func testRoundRobinContinuesAfterCursor() throws {
        XCTAssertEqual(try next("fd00:88::/64", gateway: "fd00:88::1", after: "fd00:88::5"), "fd00:88::6")
        // ::3 is free but behind the cursor: round-robin does not reuse it yet.
        XCTAssertEqual(try next("fd00:88::/64", gateway: "fd00:88::1", after: "fd00:88::5", taken: ["fd00:88::3"]), "fd00:88::6")
        XCTAssertEqual(try next("fd00:88::/64", gateway: "fd00:88::1", after: "fd00:88::5", taken: ["fd00:88::6", "fd00:88::7"]),
                       "fd00:88::8")
        XCTAssertEqual(try next("fd00:88::/64", gateway: "fd00:88::1", after: "fd00:88::ffff"), "fd00:88::1:0", "carries into the next group")
    }

    func testCursorOutsideStartsAtTheBeginning() throws {
        XCTAssertEqual(try next("fd00:88::/64", gateway: "fd00:88::1", after: "fd00:99::9"), "fd00:88::2")
        XCTAssertEqual(try next("fd00:88::/64", range: "fd00:88::100/120", gateway: "fd00:88::1", after: "fd00:88::5"),
                       "fd00:88::100", "a cursor outside the range")
    }

    func testRangeInsideTheSubnet() throws {
        XCTAssertEqual(try next("fd00:88::/64", range: "fd00:88::100/120", gateway: "fd00:88::1"), "fd00:88::100")
        XCTAssertEqual(try next("fd00:88::/64", range: "fd00:88::100/120", gateway: "fd00:88::1", after: "fd00:88::1fe"), "fd00:88::1ff")
        XCTAssertEqual(try next("fd00:88::/64", range: "fd00:88::100/120", gateway: "fd00:88::1", after: "fd00:88::1ff"),
                       "fd00:88::100", "wraps within the range")
        XCTAssertEqual(try next("fd00:88::/64", range: "fd00:88::/120", gateway: "fd00:88::1"), "fd00:88::2",
                       "a range holding the anycast address and the gateway skips both")
        XCTAssertEqual(try next("fd00:88::/120", range: "fd00:88::/64", gateway: "fd00:88::1", after: "fd00:88::ff"), "fd00:88::2",
                       "a range wider than the subnet is the subnet")
    }

    /// A /125: eight addresses, six of them for containers.
    func testSmallRangeIsExhausted() throws {
        let hosts = (2...7).map { "fd00:88::\($0)" }
        XCTAssertEqual(try next("fd00:88::/125", gateway: "fd00:88::1", after: "fd00:88::6", taken: ["fd00:88::7"]), "fd00:88::2",
                       "wraps past the anycast address and the gateway")
        XCTAssertEqual(try next("fd00:88::/64", range: "fd00:88::/125", gateway: "fd00:88::1", after: "fd00:88::3",
                                taken: Set(hosts.filter { $0 != "fd00:88::3" })), "fd00:88::3", "the cursor's own address, last")
        XCTAssertNil(try next("fd00:88::/125", gateway: "fd00:88::1", taken: Set(hosts)))
        XCTAssertNil(try next("fd00:88::/64", range: "fd00:88::8/125", gateway: "fd00:88::1", after: "fd00:88::c",
                              taken: Set((8...15).map { "fd00:88::\(String($0, radix: 16))" })))

        var asked: [IPv6Address] = []
        let none = try AddressAllocator6.next(subnet: subnet("fd00:88::/125"), range: nil, gateway: ip("fd00:88::1"),
                                              after: ip("fd00:88::4"), limit: 1000, isTaken: { asked.append($0); return true })
        XCTAssertNil(none)
        XCTAssertEqual(asked.map(\.description), ["fd00:88::5", "fd00:88::6", "fd00:88::7", "fd00:88::2", "fd00:88::3", "fd00:88::4"],
                       "one lap, each container address asked about once")
    }

    /// The walk over a /64 is bounded by `limit`, not by the subnet's 2^64 addresses.
    func testWalkStopsAtTheLimit() throws {
        var asked = 0
        let none = try AddressAllocator6.next(subnet: subnet("fd00:88::/64"), range: nil, gateway: ip("fd00:88::1"),
                                              after: nil, limit: 100, isTaken: { _ in asked += 1; return true })
        XCTAssertNil(none)
        XCTAssertGreaterThan(asked, 0)
        XCTAssertLessThanOrEqual(asked, 100)
    }

    func testRangeOutsideTheSubnetThrows() {
        XCTAssertThrowsError(try next("fd00:88::/64", range: "fd00:99::/120", gateway: "fd00:88::1")) { error in
            XCTAssertEqual(error as? IPAMError, .rangeOutsideSubnet6(range: subnet("fd00:99::/120"), subnet: subnet("fd00:88::/64")))
            XCTAssertEqual("\(error)", "IP range fd00:99::/120 is not inside subnet fd00:88::/64")
        }
    }
}
