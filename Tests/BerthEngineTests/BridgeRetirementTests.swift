@testable import BerthEngine
import BerthAddress
import BerthNetlink
import BerthStore
import XCTest

/// A removed network's bridge is taken out of the way before its deletion is handed to a
/// child: the kernel state this leads to is checked by tests/integration/test_detach.sh; these
/// check the name and the order of the requests.
final class BridgeRetirementTests: XCTestCase {
    func testRetiredNameComesOnlyFromIdsBerthMinted() {
        XCTAssertEqual(BridgeDriver.retiredName(ofNetworkID: "0123456789abcdef"), "bx0123456789abc")
        XCTAssertEqual(BridgeDriver.retiredName(ofNetworkID: "0123456789abcdef")?.utf8.count, 15, "an interface name's limit")
        XCTAssertNil(BridgeDriver.retiredName(ofNetworkID: String(repeating: "0123456789abcdef", count: 4)), "a runtime's id")
        XCTAssertNil(BridgeDriver.retiredName(ofNetworkID: "not-hex-at-all!!"))
        XCTAssertNil(BridgeDriver.retiredName(ofNetworkID: ""))
    }

    /// Addresses first (the gateways must be free when the rename frees the name), then down
    /// (the kernel refuses to rename a running device before Linux 6.8), then the name.
    func testRetirementFreesTheGatewaysThenTheName() throws {
        let dualStack = NetworkRecord(name: "web", id: "0123456789abcdef", bridge: "podman3",
                                      subnet: try XCTUnwrap(IPv4Subnet("10.89.3.0/24")), gateway: try XCTUnwrap(IPv4Address("10.89.3.1")),
                                      ipRange: nil, mtu: 0, isInternal: false, masquerade: true, labels: [:], created: 0,
                                      subnet6: try XCTUnwrap(IPv6Subnet("2001:db8:3::/64")), gateway6: try XCTUnwrap(IPv6Address("2001:db8:3::1")))
        let requests = BridgeDriver.retirement(of: dualStack, index: 9, name: "bx0123456789abc")
        XCTAssertEqual(requests.map(\.0), [
            RouteRequests.deleteAddress(try XCTUnwrap(IPv4Interface("10.89.3.1/24")), index: 9),
            RouteRequests.deleteAddress(try XCTUnwrap(IPv6Interface("2001:db8:3::1/64")), index: 9),
            RouteRequests.setLinkDown(index: 9),
            RouteRequests.rename(index: 9, to: "bx0123456789abc"),
        ])
        let addressless = NetworkRecord(name: "none", id: "0123456789abcdef", bridge: "podman4", subnet: nil, gateway: nil,
                                        ipRange: nil, mtu: 0, isInternal: false, masquerade: true, labels: [:], created: 0)
        XCTAssertEqual(BridgeDriver.retirement(of: addressless, index: 4, name: "bx0123456789abc").map(\.0),
                       [RouteRequests.setLinkDown(index: 4), RouteRequests.rename(index: 4, to: "bx0123456789abc")])
    }
}
