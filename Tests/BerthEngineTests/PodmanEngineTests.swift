@testable import BerthEngine
import BerthAddress
import BerthFirewall
import BerthStore
import XCTest

/// The engine side of Berth's netavark backend (docs/podman.md, "Semantics"): setup as one
/// transaction over all its networks, ownership, the last teardown removing the network,
/// addressless networks, and live upstream name servers.
final class PodmanEngineTests: EngineTestCase {
    /// A bridge network as Podman defines it (netavark's defaults: metric 100, not isolated,
    /// domain `dns.podman`).
    private func spec(_ name: String, subnet: String, bridge: String, dns: Bool = true) -> NetworkSpec {
        let s = IPv4Subnet(subnet)!
        var spec = NetworkSpec(name: name, subnet: s, gateway: s.firstHost, bridge: bridge)
        (spec.ipv4, spec.ipv6) = (true, false)
        spec.owner = .podman
        spec.isolated = false
        spec.routeMetric = 100
        spec.dns = dns
        spec.dnsDomain = "dns.podman"
        return spec
    }

    private func setup(_ container: String, _ networks: [(NetworkSpec, String)]) -> PodmanSetup {
        PodmanSetup(containerID: container, containerName: container, namespacePath: "/run/netns/\(container)",
                    networks: networks.enumerated().map { i, n in
                        PodmanAttachmentRequest(spec: n.0, ifname: "eth\(i)", address: IPv4Address(n.1))
                    })
    }

    private func teardown(_ container: String, _ specs: [NetworkSpec]) -> PodmanTeardown {
        PodmanTeardown(containerID: container, namespacePath: "/run/netns/\(container)",
                       networks: specs.enumerated().map { i, s in (spec: s, ifname: "eth\(i)") })
    }

    func testSetupCreatesPodmanNetworksWithTheAddressesPodmanAllocated() throws {
        let (a, b) = (spec("a", subnet: "10.89.0.0/24", bridge: "podman1"), spec("b", subnet: "10.89.1.0/24", bridge: "podman2"))
        let done = try harness.engine().podmanSetup(setup("c1", [(a, "10.89.0.7"), (b, "10.89.1.9")]))
        XCTAssertEqual(done.map { "\($0.endpoint.address!)" }, ["10.89.0.7/24", "10.89.1.9/24"])
        let networks = try harness.store().networks()
        XCTAssertEqual(networks.map(\.owner), [.podman, .podman])
        XCTAssertEqual(networks.map(\.routeMetric), [100, 100])
        XCTAssertEqual(networks.map(\.bridge), ["podman1", "podman2"])
        XCTAssertEqual(try harness.endpoints().map(\.owner), [.podman, .podman])
        XCTAssertEqual(harness.nftables.networkNames, ["a", "b"])
        try harness.assertConsistent()
    }

    /// The second network fails (a static address outside its subnet): the first network's
    /// endpoint is detached and both networks this call made are gone.
    func testFailureOnTheSecondNetworkUndoesTheWholeCall() throws {
        let (a, b) = (spec("a", subnet: "10.89.0.0/24", bridge: "podman1"), spec("b", subnet: "10.89.1.0/24", bridge: "podman2"))
        let before = try harness.state()
        assertRefused(.invalidArgument) {
            try harness.engine().podmanSetup(setup("c1", [(a, "10.89.0.7"), (b, "10.89.9.9")]))
        }
        try harness.assertNoEndpointLeft()
        XCTAssertEqual(try harness.networkNames(), [])
        XCTAssertEqual(harness.driver.kernel.devices.count, 0, "no bridge left")
        XCTAssertEqual(harness.nftables.networkNames, [])
        XCTAssertEqual(try harness.state().networks, before.networks)
    }

    /// A network another container uses is not removed by the rollback: only the failed
    /// call's endpoint goes.
    func testRollbackKeepsANetworkThatExistedBefore() throws {
        let (a, b) = (spec("a", subnet: "10.89.0.0/24", bridge: "podman1"), spec("b", subnet: "10.89.1.0/24", bridge: "podman2"))
        _ = try harness.engine().podmanSetup(setup("c0", [(a, "10.89.0.2")]))
        try harness.createNetwork("cli", subnet: "10.77.0.0/24", bridge: "podman2")
        assertRefused(.conflict, mentioning: "network \"cli\" exists in Berth and was not made by Podman") {
            try harness.engine().podmanSetup(setup("c1", [(a, "10.89.0.3"), (b, "10.89.1.3")]))
        }
        XCTAssertEqual(try harness.endpoints().map(\.containerID), ["c0"])
        XCTAssertEqual(try harness.networkNames(), ["a", "cli"])
        try harness.assertConsistent()
    }

    func testANetworkOfTheSameNameMadeAnotherWayIsNeverTakenOver() throws {
        try harness.createNetwork("a", subnet: "10.89.0.0/24")
        let before = try harness.state()
        assertRefused(.conflict, mentioning: "network \"a\" exists in Berth and was not made by Podman") {
            try harness.engine().podmanSetup(setup("c1", [(spec("a", subnet: "10.89.0.0/24", bridge: "podman1"), "10.89.0.7")]))
        }
        try harness.assertUnchanged(since: before)
        // Nor does a teardown remove it.
        try harness.engine().podmanTeardown(teardown("c1", [spec("a", subnet: "10.89.0.0/24", bridge: "podman1")]))
        XCTAssertEqual(try harness.networkNames(), ["a"])
    }

    func testAStaleIdlePodmanRecordIsReplacedAndABusyOneRefused() throws {
        let old = spec("a", subnet: "10.89.0.0/24", bridge: "podman1")
        _ = try harness.engine().podmanSetup(setup("c1", [(old, "10.89.0.2")]))
        let new = spec("a", subnet: "10.90.0.0/24", bridge: "podman1")
        assertRefused(.configuration, mentioning: "subnet") {
            try harness.engine().podmanSetup(setup("c2", [(new, "10.90.0.2")]))
        }
        try harness.engine().podmanTeardown(teardown("c1", [old]))
        XCTAssertEqual(try harness.networkNames(), [], "the last teardown removed it")
        // A record left idle (a teardown Podman never ran) under an old definition is replaced.
        _ = try harness.engine().podmanSetup(setup("c1", [(old, "10.89.0.2")]))
        try harness.store().deleteEndpoint(id: try XCTUnwrap(harness.endpoints().first).id)
        let done = try harness.engine().podmanSetup(setup("c2", [(new, "10.90.0.2")]))
        XCTAssertEqual(done.first?.network.subnet, IPv4Subnet("10.90.0.0/24"))
        XCTAssertEqual(try harness.store().network(named: "a")?.subnet, IPv4Subnet("10.90.0.0/24"))
    }

    /// A network in use must agree with everything Podman's definition states, beyond what a
    /// CNI configuration is checked for.
    func testABusyNetworkMustAgreeWithPodmansDefinition() throws {
        let a = spec("a", subnet: "10.89.0.0/24", bridge: "podman1")
        _ = try harness.engine().podmanSetup(setup("c1", [(a, "10.89.0.2")]))
        var metric = a
        metric.routeMetric = 200
        var isolated = a
        isolated.isolated = true
        var domain = a
        domain.dnsDomain = "other.example"
        var noDNS = a
        noDNS.dns = false
        var internalNet = a
        internalNet.isInternal = true
        for (changed, what) in [(metric, "route metric"), (isolated, "isolate"), (domain, "DNS domain"),
                                (noDNS, "DNS"), (internalNet, "internal")] {
            let before = try harness.state()
            assertRefused(.configuration, mentioning: what, what) {
                try harness.engine().podmanSetup(setup("c2", [(changed, "10.89.0.3")]))
            }
            try harness.assertUnchanged(since: before, what)
        }
        // The upstream servers are not compared: `update` changes them.
        var servers = a
        servers.dnsServers = [IPAddress("192.0.2.53")!]
        _ = try harness.engine().podmanSetup(setup("c2", [(servers, "10.89.0.3")]))
    }

    func testOnlyTheLastTeardownRemovesTheNetwork() throws {
        let a = spec("a", subnet: "10.89.0.0/24", bridge: "podman1")
        _ = try harness.engine().podmanSetup(setup("c1", [(a, "10.89.0.2")]))
        _ = try harness.engine().podmanSetup(setup("c2", [(a, "10.89.0.3")]))
        try harness.engine().podmanTeardown(teardown("c1", [a]))
        XCTAssertEqual(try harness.networkNames(), ["a"])
        XCTAssertNotNil(harness.driver.kernel.devices["podman1"])
        XCTAssertEqual(harness.nftables.networkNames, ["a"])
        harness.names.reset()
        try harness.engine().podmanTeardown(teardown("c2", [a]))
        XCTAssertEqual(try harness.networkNames(), [])
        XCTAssertNil(harness.driver.kernel.devices["podman1"])
        XCTAssertEqual(harness.nftables.networkNames, [])
        XCTAssertTrue(harness.names.calls.contains("removed a"), "\(harness.names.calls)")
        try harness.assertNoEndpointLeft()
        // Idempotent: again, and for a network Berth never saw.
        try harness.engine().podmanTeardown(teardown("c2", [a, spec("never", subnet: "10.91.0.0/24", bridge: "podman7")]))
    }

    func testTeardownWhenTheNamespaceIsGone() throws {
        harness.driver.canRetire(false)
        let a = spec("a", subnet: "10.89.0.0/24", bridge: "podman1")
        _ = try harness.engine().podmanSetup(setup("c1", [(a, "10.89.0.2")]))
        harness.namespaces.kill("/run/netns/c1")
        try harness.engine().podmanTeardown(teardown("c1", [a]))
        try harness.assertNoEndpointLeft()
        XCTAssertEqual(try harness.networkNames(), [])
    }

    func testAddresslessNetwork() throws {
        var none = NetworkSpec(name: "none", bridge: "podman3")
        none.owner = .podman
        none.addressless = true
        let done = try harness.engine().podmanSetup(PodmanSetup(
            containerID: "c1", containerName: "c1", namespacePath: "/run/netns/c1",
            networks: [PodmanAttachmentRequest(spec: none, ifname: "eth0")]))
        XCTAssertNil(done[0].endpoint.address)
        XCTAssertNil(done[0].endpoint.address6)
        XCTAssertEqual(done[0].defaultRoutes, [])
        let n = try XCTUnwrap(try harness.store().network(named: "none"))
        XCTAssertTrue(n.isAddressless)
        XCTAssertFalse(n.dns, "no name service without addresses")
        XCTAssertEqual(harness.nftables.networkNames, [], "no rules to render")
        XCTAssertNotNil(harness.driver.kernel.devices["podman3"])
        // A second container joins it as it is; the last teardown removes it.
        _ = try harness.engine().podmanSetup(PodmanSetup(
            containerID: "c2", containerName: "c2", namespacePath: "/run/netns/c2",
            networks: [PodmanAttachmentRequest(spec: none, ifname: "eth0")]))
        XCTAssertEqual(try harness.endpoints().count, 2)
        try harness.engine().podmanTeardown(PodmanTeardown(containerID: "c1", namespacePath: "/run/netns/c1", networks: [(spec: none, ifname: "eth0")]))
        try harness.engine().podmanTeardown(PodmanTeardown(containerID: "c2", namespacePath: "/run/netns/c2", networks: [(spec: none, ifname: "eth0")]))
        XCTAssertEqual(try harness.networkNames(), [])
        XCTAssertNil(harness.driver.kernel.devices["podman3"])
    }

    func testAddresslessRefusesAddressing() throws {
        var none = NetworkSpec(name: "none", subnet: IPv4Subnet("10.1.0.0/24"), bridge: "podman3")
        none.addressless = true
        assertRefused(.invalidArgument, mentioning: "no addresses") { try harness.engine().createNetwork(none) }
    }

    func testSetDNSServersIsAnnouncedAndUnknownNetworksRefused() throws {
        let a = spec("a", subnet: "10.89.0.0/24", bridge: "podman1")
        _ = try harness.engine().podmanSetup(setup("c1", [(a, "10.89.0.2")]))
        harness.names.reset()
        let servers = [IPAddress("192.0.2.53")!, IPAddress("2001:db8::53")!]
        try harness.engine().setDNSServers(network: "a", servers)
        XCTAssertEqual(try harness.store().network(named: "a")?.dnsServers, servers)
        XCTAssertEqual(harness.names.calls, ["network a"])
        try harness.engine().setDNSServers(network: "a", [])
        XCTAssertEqual(try harness.store().network(named: "a")?.dnsServers, [])
        assertRefused(.notFound, mentioning: "missing") { try harness.engine().setDNSServers(network: "missing", servers) }
    }

    func testPortsGoToTheFirstNetworkThatCanCarryThem() throws {
        var internalNet = spec("a", subnet: "10.89.0.0/24", bridge: "podman1")
        internalNet.isInternal = true
        let b = spec("b", subnet: "10.89.1.0/24", bridge: "podman2")
        var request = setup("c1", [(internalNet, "10.89.0.2"), (b, "10.89.1.2")])
        request.ports = [PortMapping(hostPort: 8080, containerPort: 80)]
        _ = try harness.engine().podmanSetup(request)
        let ports = try harness.ports()
        XCTAssertEqual(ports.map(\.network), ["b"])
    }
}
