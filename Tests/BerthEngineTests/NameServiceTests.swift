@testable import BerthEngine
import BerthAddress
import BerthStore
import XCTest

/// When the engine tells the name service (docs/dns.md, "When it is called"): after a DNS
/// network is created (a refusal undoes the creation), removed, and after each connect and
/// disconnect on one; never for a network without DNS. And what it records for it.
final class NameServiceTests: EngineTestCase {
    private func spec(_ name: String, dns: Bool = true, domain: String? = nil, servers: [String] = []) -> NetworkSpec {
        var spec = NetworkSpec(name: name, subnet: IPv4Subnet("10.88.0.0/24"))
        spec.dns = dns
        if let domain { spec.dnsDomain = domain }
        spec.dnsServers = servers.compactMap { IPAddress($0) }
        return spec
    }

    private func connect(_ container: String, to network: String, name: String? = nil,
                         aliases: [String] = []) throws -> Attachment {
        var request = ConnectRequest(network: .named(network), target: .user(container), containerID: container)
        request.dnsName = name
        request.aliases = aliases
        return try harness.engine().connect(request)
    }

    func testCreateRecordsTheDNSSettingsAndTellsTheServer() throws {
        let info = try harness.engine().createNetwork(spec("web", domain: "Corp.Example.", servers: ["192.0.2.53", "2001:db8::53"]))
        XCTAssertTrue(info.dns)
        XCTAssertEqual(info.dnsDomain, "corp.example", "lowercased, no trailing dot")
        XCTAssertEqual(info.dnsServers, [IPAddress("192.0.2.53")!, IPAddress("2001:db8::53")!])
        XCTAssertEqual(info.nameservers, [IPAddress("10.88.0.1")!])
        let stored = try XCTUnwrap(try harness.store().network(named: "web"))
        XCTAssertEqual([stored.dns ? "on" : "off", stored.dnsDomain], ["on", "corp.example"])
        XCTAssertEqual(harness.names.calls, ["network web"], "after the commit")
    }

    func testDefaultsAreOnWithTheBerthDomainButTheDefaultNetworkHasNone() throws {
        XCTAssertEqual(try harness.engine().createNetwork(spec("web")).dnsDomain, "berth.internal")
        harness.names.reset()
        let attachment = try harness.connect("c1", to: NetworkSpec.defaultNetworkName)
        XCTAssertFalse(attachment.network.dns)
        XCTAssertEqual(attachment.network.nameservers, [])
        XCTAssertEqual(harness.names.calls, [], "the default network is not the name service's")
    }

    func testNetworkWithoutDNSIsNeverAnnounced() throws {
        try harness.engine().createNetwork(spec("plain", dns: false))
        let attachment = try connect("c1", to: "plain", name: "c1")
        try harness.engine().disconnect(network: "plain", target: "c1", ifname: attachment.endpoint.ifname)
        try harness.engine().removeNetworks(["plain"], force: false)
        XCTAssertEqual(harness.names.calls, [])
    }

    func testARefusalUndoesTheCreation() throws {
        let before = try harness.state()
        harness.names.refusal.withLock { $0 = "bind 10.88.0.1:53: address in use" }
        assertRefused(.other, mentioning: "address in use") { try harness.engine().createNetwork(spec("web")) }
        XCTAssertEqual(harness.names.calls, ["network web"])
        XCTAssertEqual(try harness.networkNames(), [])
        XCTAssertEqual(harness.nftables.rules.networks.map(\.name), [], "rules rendered without it")
        XCTAssertNil(NetworkHint.load(network: "web", directory: harness.stateDirectory))
        XCTAssertEqual(harness.driver.kernel.devices.count, before.kernel.devices.count, "the bridge is gone again")
    }

    func testBadDNSInputChangesNothing() throws {
        let before = try harness.state()
        for domain in ["-bad.example", "a..b", "under_score.example", String(repeating: "a", count: 64) + ".example", ""] {
            assertRefused(.invalidArgument, mentioning: "DNS domain", domain) { try harness.engine().createNetwork(spec("web", domain: domain)) }
        }
        assertRefused(.invalidArgument, mentioning: "DNS server") { try harness.engine().createNetwork(spec("web", servers: ["0.0.0.0"])) }
        assertRefused(.invalidArgument, mentioning: "DNS server") { try harness.engine().createNetwork(spec("web", servers: ["ff02::1"])) }
        try harness.assertUnchanged(since: before)
        XCTAssertEqual(harness.names.calls, [])

        try harness.engine().createNetwork(spec("web"))
        let created = try harness.state()
        for alias in ["bad alias", "-x", "a..b", String(repeating: "b", count: 64)] {
            assertRefused(.invalidArgument, mentioning: "alias", alias) { try connect("c1", to: "web", aliases: [alias]) }
        }
        try harness.assertUnchanged(since: created)
    }

    func testConnectAndDisconnectAreAnnouncedAfterTheCommit() throws {
        try harness.engine().createNetwork(spec("web"))
        harness.names.reset()
        let attachment = try connect("c1", to: "web", name: "api", aliases: ["www", "front.end", "WWW"])
        let stored = try XCTUnwrap(try harness.store().endpoint(id: attachment.endpoint.id))
        XCTAssertEqual(stored.state, .active)
        XCTAssertEqual(stored.dnsName, "api")
        XCTAssertEqual(stored.aliases, ["www", "front.end"], "duplicates (in any case) once")
        XCTAssertEqual(attachment.endpoint.aliases, ["www", "front.end"])
        XCTAssertEqual(try harness.store().dnsEndpoints().map(\.id), [attachment.endpoint.id])
        XCTAssertEqual(harness.names.calls, ["endpoint \(attachment.endpoint.id)"])

        try harness.engine().disconnect(network: "web", target: "c1", ifname: "eth0")
        XCTAssertEqual(harness.names.calls, ["endpoint \(attachment.endpoint.id)", "endpoint \(attachment.endpoint.id)"])
        try harness.engine().removeNetworks(["web"], force: false)
        XCTAssertEqual(harness.names.calls.last, "removed web")
    }

    func testAContainerNameThatIsNoDNSNameIsNotRecorded() throws {
        try harness.engine().createNetwork(spec("web"))
        let attachment = try connect("c1", to: "web", name: "my:container")
        XCTAssertNil(try harness.store().endpoint(id: attachment.endpoint.id)?.dnsName)
        XCTAssertEqual(attachment.endpoint.containerID, "c1", "the container id is unchanged")
    }

    func testNoAcknowledgementStillConnects() throws {
        try harness.engine().createNetwork(spec("web"))
        harness.names.acknowledges.store(false, ordering: .relaxed)
        let attachment = try connect("c1", to: "web", name: "api")
        XCTAssertEqual(try harness.store().endpoint(id: attachment.endpoint.id)?.state, .active)
        try harness.engine().disconnect(network: "web", target: "c1", ifname: "eth0")
        XCTAssertEqual(try harness.endpoints(), [])
    }

    func testRuntimeDetachAndDisconnectAllAreAnnounced() throws {
        try harness.engine().createNetwork(spec("web"))
        let a = try connect("c1", to: "web")
        _ = try connect("c2", to: "web")
        harness.names.reset()
        XCTAssertTrue(try harness.engine().detach(network: "web", containerID: "c1", ifname: "eth0"))
        XCTAssertEqual(harness.names.calls, ["endpoint \(a.endpoint.id)"])
        harness.names.reset()
        XCTAssertEqual(try harness.engine().disconnectAll(network: "web"), 1)
        XCTAssertEqual(harness.names.calls, ["network web"], "one refresh for the whole network")
    }

    func testGarbageCollectionAndDoctorStartAMissingServer() throws {
        try harness.engine().createNetwork(spec("web"))
        harness.names.running.store(false, ordering: .relaxed)
        harness.names.reset()
        let dry = try harness.engine().collectGarbage(dryRun: true)
        XCTAssertEqual(dry.filter { $0.kind == "dns" }.count, 1)
        XCTAssertEqual(harness.names.calls, [], "a dry run starts nothing")
        let actions = try harness.engine().collectGarbage(dryRun: false)
        XCTAssertEqual(actions.filter { $0.kind == "dns" }.map(\.description), ["started the name service (berth-dns) for 1 DNS network(s)"])
        XCTAssertEqual(harness.names.calls, ["ensure"])
        XCTAssertEqual(try harness.engine().collectGarbage(dryRun: false).filter { $0.kind == "dns" }.count, 0, "running now")

        harness.names.running.store(false, ordering: .relaxed)
        let findings = try harness.engine().diagnose().filter { $0.problem.contains("berth-dns") }
        XCTAssertEqual(findings.map(\.fix), ["repaired: started it"])
        XCTAssertEqual(try harness.engine().diagnose().filter { $0.problem.contains("berth-dns") }.count, 0)
    }

    func testNoDNSNetworkNoServer() throws {
        try harness.engine().createNetwork(spec("plain", dns: false))
        XCTAssertEqual(try harness.engine().collectGarbage(dryRun: false).filter { $0.kind == "dns" }.count, 0)
        XCTAssertEqual(try harness.engine().diagnose().filter { $0.problem.contains("berth-dns") }.count, 0)
        XCTAssertEqual(harness.names.calls, [])
    }
}
