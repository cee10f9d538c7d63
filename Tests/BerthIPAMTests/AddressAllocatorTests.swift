import XCTest
import BerthAddress
import BerthIPAM

final class AddressAllocatorTests: XCTestCase {
    private func ip(_ text: String) -> IPv4Address { IPv4Address(text)! }
    private func subnet(_ text: String) -> IPv4Subnet { IPv4Subnet(text)! }

    /// Allocates with a set of taken addresses.
    private func next(_ subnetText: String, range: String? = nil, gateway: String, after cursor: String? = nil,
                      taken: Set<String> = []) throws -> String? {
        let takenAddresses = Set(taken.map(ip))
        return try AddressAllocator.next(subnet: subnet(subnetText), range: range.map(subnet), gateway: ip(gateway),
                                         after: cursor.map(ip), isTaken: { takenAddresses.contains($0) })?.description
    }

    // MARK: validateStatic

    func testValidateStaticAcceptsHostAddresses() throws {
        try AddressAllocator.validateStatic(ip("10.0.0.2"), subnet: subnet("10.0.0.0/24"), gateway: ip("10.0.0.1"))
        try AddressAllocator.validateStatic(ip("10.0.0.254"), subnet: subnet("10.0.0.0/24"), gateway: ip("10.0.0.1"))
    }

    func testValidateStaticRejections() {
        let s = subnet("10.0.0.0/24"), gw = ip("10.0.0.1")
        let cases: [(String, IPAMError, String)] = [
            ("10.0.1.5", .notInSubnet(ip("10.0.1.5"), s), "10.0.1.5 is not in subnet 10.0.0.0/24"),
            ("10.0.0.0", .networkAddress(ip("10.0.0.0"), s), "10.0.0.0 is the network address of subnet 10.0.0.0/24"),
            ("10.0.0.255", .broadcastAddress(ip("10.0.0.255"), s), "10.0.0.255 is the broadcast address of subnet 10.0.0.0/24"),
            ("10.0.0.1", .gatewayAddress(ip("10.0.0.1"), s), "10.0.0.1 is the gateway address of subnet 10.0.0.0/24"),
        ]
        assertRefusals(cases) { try AddressAllocator.validateStatic(ip($0), subnet: s, gateway: gw) }
    }

    func testValidateStaticPointToPoint() throws {
        // /31: both addresses usable (RFC 3021), only the gateway is refused.
        try AddressAllocator.validateStatic(ip("10.0.0.1"), subnet: subnet("10.0.0.0/31"), gateway: ip("10.0.0.0"))
        XCTAssertThrowsError(try AddressAllocator.validateStatic(ip("10.0.0.0"), subnet: subnet("10.0.0.0/31"), gateway: ip("10.0.0.0")))
        // /30: network and broadcast refused.
        XCTAssertThrowsError(try AddressAllocator.validateStatic(ip("10.0.0.3"), subnet: subnet("10.0.0.0/30"), gateway: ip("10.0.0.1")))
        try AddressAllocator.validateStatic(ip("10.0.0.2"), subnet: subnet("10.0.0.0/30"), gateway: ip("10.0.0.1"))
    }

    // MARK: next

    func testFirstAllocationSkipsNetworkAndGateway() throws {
        XCTAssertEqual(try next("10.88.0.0/24", gateway: "10.88.0.1"), "10.88.0.2")
        // Gateway not at .1: .1 is handed out.
        XCTAssertEqual(try next("10.88.0.0/24", gateway: "10.88.0.254"), "10.88.0.1")
    }

    func testRoundRobinContinuesAfterCursor() throws {
        XCTAssertEqual(try next("10.88.0.0/24", gateway: "10.88.0.1", after: "10.88.0.5"), "10.88.0.6")
        // .3 is free but behind the cursor: round-robin does not reuse it yet.
        XCTAssertEqual(try next("10.88.0.0/24", gateway: "10.88.0.1", after: "10.88.0.5", taken: ["10.88.0.2"]), "10.88.0.6")
        XCTAssertEqual(try next("10.88.0.0/24", gateway: "10.88.0.1", after: "10.88.0.5", taken: ["10.88.0.6", "10.88.0.7"]),
                       "10.88.0.8")
    }

    func testWrapsAroundSkippingBroadcast() throws {
        XCTAssertEqual(try next("10.88.0.0/24", gateway: "10.88.0.1", after: "10.88.0.254"), "10.88.0.2")
        XCTAssertEqual(try next("10.88.0.0/24", gateway: "10.88.0.1", after: "10.88.0.253", taken: ["10.88.0.254"]), "10.88.0.2")
        XCTAssertEqual(try next("10.88.0.0/24", gateway: "10.88.0.1", after: "10.88.0.250",
                                taken: ["10.88.0.251", "10.88.0.252", "10.88.0.253", "10.88.0.254", "10.88.0.2"]),
                       "10.88.0.3")
    }

    func testCursorOutsideSubnetStartsAtBeginning() throws {
        XCTAssertEqual(try next("10.88.0.0/24", gateway: "10.88.0.1", after: "192.168.0.9"), "10.88.0.2")
    }

    func testExhaustedReturnsNilAfterOneLap() throws {
        var calls = 0
        let result = try AddressAllocator.next(subnet: subnet("10.0.0.0/24"), range: nil, gateway: ip("10.0.0.1"),
                                               after: ip("10.0.0.77"), isTaken: { _ in calls += 1; return true })
        XCTAssertNil(result)
        XCTAssertEqual(calls, 253, "every host except the gateway asked exactly once")
    }

    func testCommonCaseAsksOnce() throws {
        var calls = 0
        _ = try AddressAllocator.next(subnet: subnet("10.0.0.0/16"), range: nil, gateway: ip("10.0.0.1"),
                                      after: ip("10.0.40.7"), isTaken: { _ in calls += 1; return false })
        XCTAssertEqual(calls, 1)
    }

    func testSlash30AndSlash31AndSlash32() throws {
        XCTAssertEqual(try next("10.0.0.0/30", gateway: "10.0.0.1"), "10.0.0.2")
        XCTAssertEqual(try next("10.0.0.0/30", gateway: "10.0.0.1", after: "10.0.0.2"), "10.0.0.2")
        XCTAssertNil(try next("10.0.0.0/30", gateway: "10.0.0.1", taken: ["10.0.0.2"]))
        XCTAssertEqual(try next("10.0.0.0/31", gateway: "10.0.0.0"), "10.0.0.1")
        XCTAssertEqual(try next("10.0.0.0/31", gateway: "10.0.0.1"), "10.0.0.0")
        XCTAssertNil(try next("10.0.0.0/31", gateway: "10.0.0.0", taken: ["10.0.0.1"]))
        XCTAssertNil(try next("10.0.0.5/32", gateway: "10.0.0.5"))
        XCTAssertEqual(try next("10.0.0.5/32", gateway: "10.0.0.1"), "10.0.0.5")
    }

    func testTopOfAddressSpaceDoesNotOverflow() throws {
        XCTAssertEqual(try next("255.255.255.0/24", gateway: "255.255.255.1", after: "255.255.255.254"), "255.255.255.2")
        XCTAssertEqual(try next("255.255.255.254/31", gateway: "255.255.255.254", after: "255.255.255.255"), "255.255.255.255")
    }

    func testRangeNarrowerThanSubnet() throws {
        XCTAssertEqual(try next("10.0.0.0/24", range: "10.0.0.128/25", gateway: "10.0.0.1"), "10.0.0.128")
        XCTAssertEqual(try next("10.0.0.0/24", range: "10.0.0.128/25", gateway: "10.0.0.1", after: "10.0.0.5"), "10.0.0.128",
                       "cursor outside the range restarts at the range start")
        XCTAssertEqual(try next("10.0.0.0/24", range: "10.0.0.128/25", gateway: "10.0.0.1", after: "10.0.0.254"), "10.0.0.128",
                       "subnet broadcast at the range end is skipped on wrap")
        XCTAssertEqual(try next("10.0.0.0/24", range: "10.0.0.16/30", gateway: "10.0.0.1", after: "10.0.0.17",
                                taken: ["10.0.0.18", "10.0.0.19"]), "10.0.0.16",
                       "inside a range, the range's own first address is a normal host")
        XCTAssertNil(try next("10.0.0.0/24", range: "10.0.0.16/30", gateway: "10.0.0.1",
                              taken: ["10.0.0.16", "10.0.0.17", "10.0.0.18", "10.0.0.19"]))
    }

    func testRangeWiderThanSubnetIsClippedToSubnet() throws {
        XCTAssertEqual(try next("10.0.0.0/24", range: "10.0.0.0/16", gateway: "10.0.0.1", after: "10.0.0.254"), "10.0.0.2")
    }

    func testRangeOutsideSubnetThrows() {
        XCTAssertThrowsError(try next("10.0.0.0/24", range: "10.0.1.0/25", gateway: "10.0.0.1")) { error in
            XCTAssertEqual(error as? IPAMError, .rangeOutsideSubnet(range: self.subnet("10.0.1.0/25"), subnet: self.subnet("10.0.0.0/24")))
        }
    }

    func testIsTakenErrorsPropagate() {
        struct Boom: Error {}
        XCTAssertThrowsError(try AddressAllocator.next(subnet: subnet("10.0.0.0/24"), range: nil, gateway: ip("10.0.0.1"),
                                                       after: nil, isTaken: { _ in throw Boom() })) { error in
            XCTAssertTrue(error is Boom)
        }
    }

    func testErrorMessages() {
        XCTAssertEqual(IPAMError.addressInUse(ip("10.88.0.5"), network: "web").description,
                       "address 10.88.0.5 is already in use on network 'web'")
        XCTAssertEqual(IPAMError.exhausted(network: "web", subnet("10.88.0.0/30")).description,
                       "no free address left on network 'web' (10.88.0.0/30)")
        XCTAssertFalse(IPAMError.noSubnetAvailable.description.contains("\n"))
    }
}
