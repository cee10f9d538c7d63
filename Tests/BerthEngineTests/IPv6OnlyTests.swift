@testable import BerthEngine
import BerthAddress
import XCTest

/// IPv6-only networks: made by `--ipv4=false --ipv6` or by an IPv6 subnet alone; their
/// endpoints have an IPv6 address and route only, and give the address back when they go.
final class IPv6OnlyTests: IPv6EngineTestCase {
    func testIPv4OffAndIPv6OnMakesAnIPv6OnlyNetwork() throws {
        var spec = NetworkSpec(name: "v6")
        (spec.ipv4, spec.ipv6) = (false, true)

        let info = try harness.engine().createNetwork(spec)

        XCTAssertNil(info.subnet)
        XCTAssertNil(info.gateway)
        let subnet6 = try XCTUnwrap(info.subnet6)
        XCTAssertEqual(subnet6.prefixLength, 64)
        XCTAssertTrue(subnet6.network.isUniqueLocal, "\(subnet6)")
        XCTAssertEqual(info.gateway6, IPv6Address(high: subnet6.network.high, low: 1))
        XCTAssertEqual(try harness.store().network(named: "v6")?.families, [.ipv6])
        XCTAssertEqual(harness.nftables.rules.networks.map(\.subnet), [nil])
        XCTAssertEqual(harness.nftables.rules.networks.map(\.subnet6), [subnet6])
        try harness.assertConsistent()
    }

    /// Nothing to choose: no pool subnet, and no look at the host.
    func testAnIPv6SubnetAloneMakesAnIPv6OnlyNetwork() throws {
        var spec = NetworkSpec(name: "v6")
        spec.subnet6 = IPv6Subnet("2001:db8:5::/64")
        spec.gateway6 = IPv6Address("2001:db8:5::fe")

        let info = try harness.engine().createNetwork(spec)

        XCTAssertNil(info.subnet)
        XCTAssertEqual(info.subnet6?.description, "2001:db8:5::/64")
        XCTAssertEqual(info.gateway6?.description, "2001:db8:5::fe")
        XCTAssertEqual(harness.driver.script.count(.hostSurvey), 0)
        XCTAssertEqual(try harness.store().network(named: "v6")?.families, [.ipv6])
    }

    func testConnectGetsOnlyAnIPv6AddressAndRoute() throws {
        try harness.createNetwork6("v6", subnet6: "fd00:88::/64", subnet: nil)

        let attachment = try harness.connect("c1", to: "v6")

        XCTAssertNil(attachment.endpoint.address)
        XCTAssertEqual(attachment.endpoint.address6?.description, "fd00:88::2/64")
        XCTAssertEqual(attachment.defaultRoutes, [.ipv6])
        let namespace = harness.namespaces.key("c1")
        XCTAssertNil(harness.driver.kernel.defaultRoutes[namespace])
        XCTAssertEqual(harness.driver.kernel.defaultRoutes6[namespace], attachment.endpoint.hostIfname)
        let link = try XCTUnwrap(harness.driver.kernel.links[attachment.endpoint.hostIfname])
        XCTAssertNil(link.address)
        XCTAssertEqual(link.address6?.description, "fd00:88::2/64")
        let record = try XCTUnwrap(try harness.endpoints().first)
        XCTAssertNil(record.address)
        XCTAssertEqual(record.prefixLength, 0)
        XCTAssertNil(try harness.store().network(named: "v6")?.lastAllocated, "no IPv4 cursor")
        try harness.assertConsistent()
    }

    /// A range of two container addresses: full after two connects, until one disconnects.
    func testDisconnectReleasesTheIPv6Address() throws {
        try harness.createNetwork6("v6", subnet6: "fd00:88::/64", subnet: nil, ipRange6: "fd00:88::/126")
        let first = try harness.connect("c1", to: "v6")
        let second = try harness.connect("c2", to: "v6")
        XCTAssertEqual([first, second].map { $0.endpoint.address6?.description }, ["fd00:88::2/64", "fd00:88::3/64"])
        let full = try harness.state()

        assertRefused(.conflict, mentioning: "no free IPv6 address left on network 'v6' (fd00:88::/126)") {
            try harness.connect("c3", to: "v6")
        }
        try harness.assertUnchanged(since: full)

        try harness.engine().disconnect(network: "v6", target: "c1", ifname: "eth0")
        XCTAssertFalse(try harness.store().isAddressTaken(network: "v6", address6: IPv6Address("fd00:88::2")!))
        let third = try harness.connect("c3", to: "v6")
        XCTAssertEqual(third.endpoint.address6?.description, "fd00:88::2/64")
        try harness.assertConsistent()
    }

    /// A static address given back by a disconnect can be asked for again.
    func testStaticIPv6AddressIsFreeAgainAfterDisconnect() throws {
        try harness.createNetwork6("v6", subnet6: "fd00:88::/64", subnet: nil)
        try harness.connect("c1", to: "v6", address6: "fd00:88::77")
        assertRefused(.conflict, mentioning: "fd00:88::77 is already in use") { try harness.connect("c2", to: "v6", address6: "fd00:88::77") }

        try harness.engine().disconnect(network: "v6", target: "c1", ifname: "eth0")

        let again = try harness.connect("c2", to: "v6", address6: "fd00:88::77")
        XCTAssertEqual(again.endpoint.address6?.description, "fd00:88::77/64")
        XCTAssertEqual(try harness.endpoints().map(\.id), [again.endpoint.id])
        try harness.assertConsistent()
    }
}
