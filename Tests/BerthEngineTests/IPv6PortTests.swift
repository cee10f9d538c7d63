@testable import BerthEngine
import BerthAddress
import BerthFirewall
import XCTest

/// Published ports by family: a host address the network has no family for, or that cannot be
/// forwarded, is refused; every address of both families is one firewall element per family the
/// container has, `0.0.0.0` and `::` one of their own family.
final class IPv6PortTests: IPv6EngineTestCase {
    private static let any4 = IPAddress.v4(IPv4Address(0))
    private static let any6 = IPAddress.v6(.unspecified)

    private func published(on hostIP: IPAddress?, _ hostPort: UInt16 = 8080) -> PortMapping {
        PortMapping(hostIP: hostIP, hostPort: hostPort, containerPort: 80)
    }

    /// The firewall element of `attachment`'s `family` address for host port `hostPort`.
    private func element(_ attachment: Attachment, _ family: IPFamily, hostIP: IPAddress? = nil,
                         _ hostPort: UInt16 = 8080) throws -> PortElement {
        let container: IPAddress = family == .ipv4 ? .v4(try XCTUnwrap(attachment.endpoint.address).address)
            : .v6(try XCTUnwrap(attachment.endpoint.address6).address)
        return PortElement(hostIP: hostIP, proto: .tcp, hostPort: hostPort, containerIP: container, containerPort: 80)
    }

    func testPortOfAFamilyTheNetworkLacksIsRefused() throws {
        try harness.createNetwork("v4")
        try harness.createNetwork6("v6", subnet6: "fd00:88::/64", subnet: nil)
        let before = try harness.state()

        assertRefused(.invalidArgument, mentioning: "network 'v4' has no IPv6 subnet") {
            try harness.connect("c1", to: "v4", ports: [published(on: Self.any6)])
        }
        try harness.assertUnchanged(since: before, "[::]:8080 on an IPv4-only network")
        assertRefused(.invalidArgument, mentioning: "network 'v6' has no IPv4 subnet") {
            try harness.connect("c1", to: "v6", ports: [published(on: Self.any4)])
        }
        try harness.assertUnchanged(since: before, "0.0.0.0:8080 on an IPv6-only network")
        XCTAssertEqual(harness.driver.script.count(.plug), 0)
    }

    func testUnusableIPv6HostAddressesAreRefused() throws {
        try harness.createNetwork6("web", subnet6: "fd00:88::/64")
        let before = try harness.state()

        for (address, message) in [("::1", "ports cannot be published on [::1]"), ("fe80::1", "fe80::1 is not a unicast address"),
                                   ("ff02::1", "ff02::1 is not a unicast address"),
                                   ("2001:db8::99", "host IP 2001:db8::99 is not an address of this host")] {
            assertRefused(.invalidArgument, mentioning: message, address) {
                try harness.connect("c1", to: "web", ports: [published(on: .v6(IPv6Address(address)!))])
            }
            try harness.assertUnchanged(since: before, address)
        }
    }

    /// Every address (no host IP) of a dual-stack container: an IPv4 element and an IPv6 one,
    /// both withdrawn by the disconnect.
    func testEveryAddressIsOneElementPerFamily() throws {
        try harness.createNetwork6("web", subnet6: "fd00:88::/64")

        let attachment = try harness.connect("c1", to: "web", ports: [published(on: nil)])

        XCTAssertEqual(harness.nftables.rules.ports, [try element(attachment, .ipv4), try element(attachment, .ipv6)])
        let shown = try harness.engine().publishedPorts()
        XCTAssertEqual(shown.map(\.containerAddress), [attachment.endpoint.address?.address])
        XCTAssertEqual(shown.map(\.containerAddress6), [attachment.endpoint.address6?.address])
        try harness.assertConsistent()

        try harness.engine().disconnect(network: "web", target: "c1", ifname: "eth0")
        try harness.assertNoEndpointLeft()
    }

    /// `0.0.0.0` is IPv4's every address, `::` IPv6's, and one IPv6 address is itself.
    func testOneFamilysAddressesPublishThatFamilyOnly() throws {
        try harness.createNetwork6("web", subnet6: "fd00:88::/64")
        let host6 = IPAddress.v6(IPv6Address("2001:db8::10")!)

        let attachment = try harness.connect("c1", to: "web", ports: [published(on: Self.any4, 8080), published(on: Self.any6, 8081),
                                                                      published(on: host6, 8082)])

        XCTAssertEqual(harness.nftables.rules.ports, [try element(attachment, .ipv4, 8080), try element(attachment, .ipv6, 8081),
                                                     try element(attachment, .ipv6, hostIP: host6, 8082)])
        try harness.assertConsistent()
    }

    /// An IPv6-only container publishing on every address has an IPv6 element only.
    func testIPv6OnlyContainerPublishesIPv6Only() throws {
        try harness.createNetwork6("v6", subnet6: "fd00:88::/64", subnet: nil)

        let attachment = try harness.connect("c1", to: "v6", ports: [published(on: nil)])

        XCTAssertEqual(harness.nftables.rules.ports, [try element(attachment, .ipv6)])
        try harness.assertConsistent()
    }

    /// `0.0.0.0` and `::` of one port are two publications, by one container or two; every
    /// address of both families then clashes with them.
    func testBothFamiliesEveryAddressShareAPort() throws {
        try harness.createNetwork6("web", subnet6: "fd00:88::/64")
        let first = try harness.connect("c1", to: "web", ports: [published(on: Self.any4), published(on: Self.any6, 9090)])
        let second = try harness.connect("c2", to: "web", ports: [published(on: Self.any6), published(on: Self.any4, 9090)])
        XCTAssertEqual(harness.nftables.rules.ports.count, 4)
        XCTAssertEqual(try harness.ports().filter { $0.hostPort == 8080 }.map(\.endpoint).sorted(),
                       [first.endpoint.id, second.endpoint.id].sorted())
        let before = try harness.state()

        assertRefused(.conflict, mentioning: ":8080/tcp is already published") {
            try harness.connect("c3", to: "web", ports: [published(on: nil)])
        }
        try harness.assertUnchanged(since: before, "every address")
        assertRefused(.invalidArgument, mentioning: "published twice in this request") {
            try harness.connect("c3", to: "web", ports: [published(on: nil, 7070), published(on: Self.any6, 7070)])
        }
        try harness.assertUnchanged(since: before, "every address and :: in one request")
    }
}
