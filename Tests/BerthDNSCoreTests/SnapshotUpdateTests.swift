import BerthAddress
import BerthDNSCore
import BerthDNSWire
import XCTest

/// Changes make new snapshots; the old ones stay as they were.
final class SnapshotUpdateTests: XCTestCase {
    private let base = Fixture.snapshot

    private func endpoint(_ id: String, _ name: String?, aliases: [String] = [], address: String,
                          network: String = "frontend", container: UInt64 = 50) -> DNSEndpointEntry {
        DNSEndpointEntry(id: id, network: network, container: Fixture.key(container), name: name,
                         aliases: aliases, address: Fixture.v4(address))
    }

    func testCounts() {
        XCTAssertEqual(base.generation, 7)
        XCTAssertEqual(base.endpointCount, 11)
        // frontend: client web www cache-1 cache cache-2 api = 7; backend: api db database = 3;
        // secure: vault agent = 2; other: secret = 1 ("Cache" and "cache" are one name).
        XCTAssertEqual(base.nameCount, 13)
        XCTAssertEqual(Set(base.networks.keys), ["frontend", "backend", "secure", "other"])
        XCTAssertEqual(base.networks["backend"], Fixture.backend)
        XCTAssertEqual(DNSSnapshot.empty.endpointCount, 0)
        XCTAssertEqual(DNSSnapshot.empty.generation, 0)
    }

    func testAddReplaceAndRemoveAnEndpoint() throws {
        let added = base.updating(endpoint: endpoint("e-new", "new", aliases: ["fresh"], address: "10.88.0.50"),
                                  id: "e-new", generation: 8)
        XCTAssertEqual(added.generation, 8)
        XCTAssertEqual(added.endpointCount, 12)
        XCTAssertEqual(Fixture.addresses(try Fixture.ask("fresh.frontend", snapshot: added).0), ["10.88.0.50"])
        XCTAssertEqual(try Fixture.ask("new.berth.internal", snapshot: base).1, .nxdomain, "the old snapshot is unchanged")
        XCTAssertEqual(base.endpointCount, 11)

        let replaced = added.updating(endpoint: endpoint("e-new", "new", aliases: ["renewed"], address: "10.88.0.51"),
                                      id: "e-new", generation: 9)
        XCTAssertEqual(replaced.endpointCount, 12)
        XCTAssertEqual(Fixture.addresses(try Fixture.ask("new", snapshot: replaced).0), ["10.88.0.51"])
        XCTAssertEqual(Fixture.addresses(try Fixture.ask("renewed", snapshot: replaced).0), ["10.88.0.51"])
        XCTAssertEqual(try Fixture.ask("fresh.frontend", snapshot: replaced).1, .nxdomain)
        let (oldPTR, _) = try Fixture.ask(DNSName(reverseOf: Fixture.v4("10.88.0.50")).description, .ptr, snapshot: replaced)
        XCTAssertEqual(oldPTR.rcode, .nameError)
        XCTAssertEqual(Fixture.addresses(try Fixture.ask("fresh.frontend", snapshot: added).0), ["10.88.0.50"])

        let removed = replaced.updating(endpoint: nil, id: "e-new", generation: 10)
        XCTAssertEqual(removed.endpointCount, 11)
        XCTAssertEqual(removed.nameCount, base.nameCount)
        XCTAssertEqual(try Fixture.ask("new.frontend", snapshot: removed).1, .nxdomain)
        XCTAssertEqual(Fixture.decide(Fixture.query("new", .a), snapshot: removed).1, .forwarded)
        XCTAssertEqual(base.updating(endpoint: nil, id: "nosuch", generation: 8).endpointCount, 11)
    }

    func testRemovingOneSharerKeepsTheOther() throws {
        let snapshot = base.updating(endpoint: nil, id: "e-cache1", generation: 8)
        XCTAssertEqual(Fixture.addresses(try Fixture.ask("cache", snapshot: snapshot).0), ["10.88.0.7"])
    }

    func testARemovedClientIsRefused() throws {
        let snapshot = base.updating(endpoint: nil, id: "e-client", generation: 8)
        XCTAssertEqual(try Fixture.ask("web", snapshot: snapshot).1, .refused)
    }

    func testMultiHomingFollowsTheContainersEndpoints() throws {
        let clientOnBackend = endpoint("e-client-b", "client", address: "10.89.0.10", network: "backend", container: 1)
        let joined = base.updating(endpoint: clientOnBackend, id: "e-client-b", generation: 8)
        XCTAssertEqual(Fixture.addresses(try Fixture.ask("db", snapshot: joined).0), ["10.89.0.3"])
        let left = joined.updating(endpoint: nil, id: "e-client-b", generation: 9)
        XCTAssertEqual(try Fixture.ask("db.berth.internal", snapshot: left).1, .nxdomain)
        let (decision, _) = Fixture.decide(Fixture.query("db", .a), snapshot: left)
        guard case .forward = decision else { return XCTFail("\(decision)") }
    }

    func testNetworksAddedReplacedAndRemoved() throws {
        var extra = DNSNetworkEntry(name: "extra", domain: "extra.test", subnet: IPv4Subnet("10.92.0.0/16"))
        let orphan = endpoint("e-orphan", "orphan", address: "10.93.0.2", network: "nosuch")
        XCTAssertEqual(base.updating(endpoint: orphan, id: orphan.id, generation: 8).endpointCount, 11,
                       "an endpoint of a network the snapshot lacks is left out")

        let added = base.updating(network: extra, named: "extra", generation: 8)
            .updating(endpoint: endpoint("e-x", "x", address: "10.92.0.2", network: "extra", container: 60), id: "e-x", generation: 9)
            .updating(endpoint: endpoint("e-y", "y", address: "10.92.0.3", network: "extra", container: 61), id: "e-y", generation: 10)
        XCTAssertEqual(Fixture.addresses(try Fixture.ask("x.extra.test", from: "10.92.0.3", on: "extra", snapshot: added).0),
                       ["10.92.0.2"])

        extra.isInternal = true
        extra.domain = "renamed.test"
        let replaced = added.updating(network: extra, named: "extra", generation: 11)
        XCTAssertEqual(replaced.endpointCount, 13)
        XCTAssertEqual(try Fixture.ask("example.com", from: "10.92.0.3", on: "extra", snapshot: replaced).1, .refused)
        XCTAssertEqual(Fixture.addresses(try Fixture.ask("x.renamed.test", from: "10.92.0.3", on: "extra", snapshot: replaced).0),
                       ["10.92.0.2"])
        XCTAssertEqual(try Fixture.ask("x.extra.test", from: "10.92.0.3", on: "extra", snapshot: replaced).1, .refused)

        let removed = replaced.updating(network: nil, named: "extra", generation: 12)
        XCTAssertEqual(removed.endpointCount, 11)
        XCTAssertEqual(removed.nameCount, base.nameCount)
        XCTAssertNil(removed.networks["extra"])
        XCTAssertEqual(try Fixture.ask("x", from: "10.92.0.3", on: "extra", snapshot: removed).1, .refused)
        XCTAssertEqual(removed.generation, 12)

        let frontendGone = base.updating(network: nil, named: "frontend", generation: 8)
        XCTAssertEqual(frontendGone.endpointCount, 6)
        XCTAssertEqual(try Fixture.ask("db", from: "10.89.0.4", on: "backend", snapshot: frontendGone).1, .local)
        XCTAssertEqual(Fixture.decide(Fixture.query("web", .a), from: "10.89.0.4", on: "backend", snapshot: frontendGone).1,
                       .forwarded, "web went with frontend")
        XCTAssertEqual(try Fixture.ask("web", snapshot: frontendGone).1, .refused, "the listener's network is gone")
    }
}
