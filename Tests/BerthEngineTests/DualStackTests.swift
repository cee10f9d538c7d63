@testable import BerthEngine
import BerthAddress
import XCTest

/// Dual-stack networks: both subnets at create (the IPv6 one a unique local /64 of the store's
/// prefix when not given), both addresses and both default routes at connect.
final class DualStackTests: IPv6EngineTestCase {
    /// `--ipv6` without an IPv6 subnet: the IPv4 subnet asked for, and subnet 1 of the store's
    /// unique local prefix (`fd`, then its 40-bit global ID).
    func testIPv6CreateGivesBothSubnetsAndAUniqueLocal64() throws {
        try harness.execute("INSERT INTO settings (key, value) VALUES ('ula-global-id', '0123456789')")

        let info = try harness.createNetwork6("web")

        XCTAssertEqual(info.subnet?.description, "10.88.0.0/24")
        XCTAssertEqual(info.gateway?.description, "10.88.0.1")
        XCTAssertEqual(info.subnet6?.description, "fd01:2345:6789:1::/64")
        XCTAssertEqual(info.gateway6?.description, "fd01:2345:6789:1::1")
        XCTAssertTrue(info.masquerade6)
        let record = try XCTUnwrap(try harness.store().network(named: "web"))
        XCTAssertEqual(record.families, [.ipv4, .ipv6])
        XCTAssertEqual(record.subnet6, info.subnet6)
        XCTAssertEqual(record.gateway6, info.gateway6)
        XCTAssertEqual(harness.nftables.rules.networks.map(\.subnet), [info.subnet])
        XCTAssertEqual(harness.nftables.rules.networks.map(\.subnet6), [info.subnet6])
        XCTAssertEqual(harness.driver.kernel.devices[info.device]?.networkID, info.id)
        try harness.assertConsistent()
    }

    /// Without a global ID yet, one is drawn and kept: every automatic /64 lies in its /48, each
    /// network's the next free one.
    func testAutomaticSubnetsShareTheStoresPrefix() throws {
        let web = try harness.createNetwork6("web")
        let db = try harness.createNetwork6("db", subnet: "10.89.0.0/24")

        let globalID = try harness.store().ulaGlobalID()
        let high = 0xFD << 56 | globalID << 16
        XCTAssertEqual(web.subnet6, IPv6Subnet(address: IPv6Address(high: high | 1, low: 0), prefixLength: 64))
        XCTAssertEqual(db.subnet6, IPv6Subnet(address: IPv6Address(high: high | 2, low: 0), prefixLength: 64))
        XCTAssertEqual(db.gateway6, IPv6Address(high: high | 2, low: 1))
    }

    /// The automatic /64 overlaps neither another network's subnet nor a prefix of the host.
    func testAutomaticSubnetAvoidsOtherNetworksAndHostPrefixes() throws {
        try harness.execute("INSERT INTO settings (key, value) VALUES ('ula-global-id', '0123456789')")
        try harness.createNetwork6("given", subnet6: "fd01:2345:6789:1::/64", subnet: "10.89.0.0/24")
        harness.driver.occupy6([IPv6Subnet("fd01:2345:6789:2::/64")!,
                                IPv6Subnet(address: IPv6Address("fd01:2345:6789:3::5")!, prefixLength: 128),
                                IPv6Subnet("fd01:2345:6789:4::/62")!])

        let web = try harness.createNetwork6("web")

        XCTAssertEqual(web.subnet6?.description, "fd01:2345:6789:8::/64")
    }

    /// Every /64 of the prefix in use: refused, naming the prefix, with nothing made.
    func testNoFreeUniqueLocal64IsRefused() throws {
        try harness.execute("INSERT INTO settings (key, value) VALUES ('ula-global-id', '0123456789')")
        harness.driver.occupy6([IPv6Subnet("fd01:2345:6789::/48")!])
        let before = try harness.state()

        assertRefused(.conflict, mentioning: "no free IPv6 /64 left in fd01:2345:6789::/48") { try harness.createNetwork6("web") }

        try harness.assertUnchanged(since: before)
    }

    func testConnectGetsBothAddressesAndBothDefaultRoutes() throws {
        try harness.createNetwork6("web", subnet6: "fd00:88::/64")

        let first = try harness.connect("c1", to: "web")
        let second = try harness.connect("c2", to: "web")

        XCTAssertEqual(first.defaultRoutes, [.ipv4, .ipv6])
        XCTAssertEqual(first.endpoint.address?.description, "10.88.0.2/24")
        XCTAssertEqual(first.endpoint.address6?.description, "fd00:88::2/64")
        XCTAssertEqual(second.endpoint.address6?.description, "fd00:88::3/64", "the next after the cursor")
        let record = try XCTUnwrap(try harness.store().endpoint(id: first.endpoint.id))
        XCTAssertEqual(record.interface6, first.endpoint.address6)
        let link = try XCTUnwrap(harness.driver.kernel.links[record.hostIfname])
        XCTAssertEqual(link.address, record.interface)
        XCTAssertEqual(link.address6, record.interface6)
        let namespace = harness.namespaces.key("c1")
        XCTAssertEqual(harness.driver.kernel.defaultRoutes[namespace], record.hostIfname)
        XCTAssertEqual(harness.driver.kernel.defaultRoutes6[namespace], record.hostIfname)
        XCTAssertEqual(try harness.store().network(named: "web")?.lastAllocated6?.description, "fd00:88::3")
        try harness.assertConsistent()
    }

    /// A container already routed by one network gets no second default route of either family.
    func testSecondNetworkAddsNoSecondDefaultRoute() throws {
        try harness.createNetwork6("web", subnet6: "fd00:88::/64")
        try harness.createNetwork6("db", subnet6: "fd00:89::/64", subnet: "10.89.0.0/24")
        let first = try harness.connect("c1", to: "web")

        let second = try harness.connect("c1", to: "db", ifname: "eth1")

        XCTAssertEqual(second.defaultRoutes, [])
        XCTAssertEqual(second.endpoint.address6?.description, "fd00:89::2/64")
        let namespace = harness.namespaces.key("c1")
        XCTAssertEqual(harness.driver.kernel.defaultRoutes[namespace], first.endpoint.hostIfname)
        XCTAssertEqual(harness.driver.kernel.defaultRoutes6[namespace], first.endpoint.hostIfname)
        try harness.assertConsistent()
    }

    /// Default routes are per family: an IPv4-only network's endpoint has no IPv6 address, so a
    /// dual-stack network joined next brings the container's IPv6 default route.
    func testDefaultRoutesArePerFamily() throws {
        try harness.createNetwork("v4")
        try harness.createNetwork6("dual", subnet6: "fd00:89::/64", subnet: "10.89.0.0/24")

        let first = try harness.connect("c1", to: "v4")
        let second = try harness.connect("c1", to: "dual", ifname: "eth1")

        XCTAssertNil(first.endpoint.address6)
        XCTAssertEqual(first.defaultRoutes, [.ipv4])
        XCTAssertEqual(second.defaultRoutes, [.ipv6])
        XCTAssertEqual(harness.driver.kernel.defaultRoutes6[harness.namespaces.key("c1")], second.endpoint.hostIfname)
        try harness.assertConsistent()
    }
}
