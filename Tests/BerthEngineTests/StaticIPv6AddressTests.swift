@testable import BerthEngine
import BerthAddress
import XCTest

/// Static addresses of either family (`--ip`, `--ip6`) against networks of either or both:
/// honoured when usable, refused with nothing changed when not.
final class StaticIPv6AddressTests: IPv6EngineTestCase {
    func testStaticIPv6AddressIsHonoured() throws {
        try harness.createNetwork6("web", subnet6: "fd00:88::/64")

        let fixed = try harness.connect("c1", to: "web", address6: "fd00:88::77")
        let both = try harness.connect("c2", to: "web", address: "10.88.0.50", address6: "fd00:88::50")
        let automatic = try harness.connect("c3", to: "web")

        XCTAssertEqual(fixed.endpoint.address6?.description, "fd00:88::77/64")
        XCTAssertEqual(fixed.endpoint.address?.description, "10.88.0.2/24", "the IPv4 address still allocated")
        XCTAssertEqual(harness.driver.kernel.links[fixed.endpoint.hostIfname]?.address6?.description, "fd00:88::77/64")
        XCTAssertEqual(both.endpoint.address?.description, "10.88.0.50/24")
        XCTAssertEqual(both.endpoint.address6?.description, "fd00:88::50/64")
        XCTAssertEqual(automatic.endpoint.address6?.description, "fd00:88::2/64", "static addresses move no cursor")
        XCTAssertEqual(try harness.store().network(named: "web")?.lastAllocated6?.description, "fd00:88::2")
        try harness.assertConsistent()
    }

    func testTakenStaticIPv6AddressIsRefused() throws {
        try harness.createNetwork6("web", subnet6: "fd00:88::/64")
        try harness.connect("c1", to: "web", address6: "fd00:88::77")
        let before = try harness.state()

        assertRefused(.conflict, mentioning: "address fd00:88::77 is already in use on network 'web'") {
            try harness.connect("c2", to: "web", address6: "fd00:88::77")
        }

        try harness.assertUnchanged(since: before)
    }

    func testStaticIPv6AddressOnAnIPv4OnlyNetworkIsRefused() throws {
        try harness.createNetwork("web")
        let before = try harness.state()

        assertRefused(.invalidArgument, mentioning: "network 'web' has no IPv6 subnet: --ip6 fd00:88::5") {
            try harness.connect("c1", to: "web", address6: "fd00:88::5")
        }

        try harness.assertUnchanged(since: before)
    }

    func testUnusableStaticIPv6AddressesAreRefused() throws {
        try harness.createNetwork6("web", subnet6: "fd00:88::/64")
        let before = try harness.state()

        for (address, message) in [("fd00:99::5", "fd00:99::5 is not in subnet fd00:88::/64"),
                                   ("fd00:88::1", "fd00:88::1 is the gateway address of subnet fd00:88::/64"),
                                   ("fd00:88::", "fd00:88:: is the subnet-router anycast address of subnet fd00:88::/64")] {
            assertRefused(.invalidArgument, mentioning: message, address) { try harness.connect("c1", to: "web", address6: address) }
            try harness.assertUnchanged(since: before, address)
        }
    }

    func testStaticIPv4AddressOnAnIPv6OnlyNetworkIsRefused() throws {
        try harness.createNetwork6("v6", subnet6: "fd00:88::/64", subnet: nil)
        let before = try harness.state()

        assertRefused(.invalidArgument, mentioning: "network 'v6' has no IPv4 subnet: --ip 10.88.0.5") {
            try harness.connect("c1", to: "v6", address: "10.88.0.5")
        }

        try harness.assertUnchanged(since: before)
        XCTAssertEqual(harness.driver.script.count(.plug), 0, "checked against the network before the interface is made")
    }
}
