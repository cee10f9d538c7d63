import BerthAddress
@testable import BerthStore
import XCTest
import BerthTestSupport

/// Schema version 6: the name service's columns, their round trip, the queries `berth-dns`
/// loads with, and the upgrade from version 5 (older versions go through version 5's rebuild,
/// which ``SchemaUpgradeTests`` and ``SchemaVersion5UpgradeTests`` cover).
final class SchemaVersion6DNSTests: XCTestCase {
    /// Version 5's tables as `Schema.swift` made them (new or upgraded).
    static let version5 = """
        CREATE TABLE networks (
            name TEXT PRIMARY KEY NOT NULL, id TEXT NOT NULL UNIQUE, bridge TEXT NOT NULL UNIQUE,
            subnet_address INTEGER, subnet_prefix INTEGER, gateway INTEGER, range_address INTEGER,
            range_prefix INTEGER, mtu INTEGER NOT NULL, internal INTEGER NOT NULL, masquerade INTEGER NOT NULL,
            icc INTEGER NOT NULL, isolated INTEGER NOT NULL, labels TEXT NOT NULL, created INTEGER NOT NULL,
            last_allocated INTEGER, driver TEXT NOT NULL DEFAULT 'bridge', firewall TEXT NOT NULL DEFAULT 'nftables',
            subnet6 TEXT, gateway6 TEXT, range6 TEXT, masquerade6 INTEGER NOT NULL DEFAULT 1, last_allocated6 TEXT
        ) WITHOUT ROWID;
        CREATE TABLE endpoints (
            id TEXT PRIMARY KEY NOT NULL, network TEXT NOT NULL REFERENCES networks(name) ON DELETE CASCADE,
            address INTEGER, address6 TEXT, prefix_length6 INTEGER NOT NULL DEFAULT 0, container_id TEXT NOT NULL,
            target TEXT NOT NULL, netns_path TEXT NOT NULL, netns_dev INTEGER NOT NULL, netns_ino INTEGER NOT NULL,
            ifname TEXT NOT NULL, host_ifname TEXT NOT NULL UNIQUE, prefix_length INTEGER NOT NULL,
            mac TEXT NOT NULL, state TEXT NOT NULL, created INTEGER NOT NULL,
            netns_cookie INTEGER NOT NULL DEFAULT 0, owner TEXT NOT NULL DEFAULT '',
            UNIQUE (netns_dev, netns_ino, ifname, network)
        ) WITHOUT ROWID;

        """ + Schema.endpointsIndex + Schema.ports2 + Schema.settingsTable

    private var dir: TemporaryDirectory!
    override func setUp() { dir = TemporaryDirectory() }
    override func tearDown() { dir.remove() }

    func testVersion5StoreGetsTheNameServiceColumnsWithTheirDefaults() throws {
        let db = try SQLiteConnection(path: dir.path + "/berth.db", busyTimeoutMilliseconds: 1000)
        try db.execute("PRAGMA page_size=1024; PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON")
        try db.execute(Self.version5)
        try db.execute("""
            PRAGMA user_version = 5;
            INSERT INTO networks (name, id, bridge, subnet_address, subnet_prefix, gateway, mtu, internal,
                masquerade, icc, isolated, labels, created, subnet6, gateway6)
            VALUES ('web', '0123456789abcdef', 'br-web', 176685056, 24, 176685057, 0, 0, 1, 1, 1, '{}',
                1700000000, 'fd00:88::/64', 'fd00:88::1');
            INSERT INTO endpoints (id, network, address, address6, prefix_length6, container_id, target,
                netns_path, netns_dev, netns_ino, ifname, host_ifname, prefix_length, mac, state, created)
            VALUES ('ep1', 'web', 176685058, 'fd00:88::2', 64, 'c1', 't1', '/run/netns/c1', 4, 100, 'eth0',
                'bvep1', 24, '02:00:00:00:00:02', 'active', 1700000001);
            """)
        db.close()

        let store = try Store(directory: dir.path)
        XCTAssertEqual(try store.db.query("PRAGMA user_version") { $0.int(0) }, [Schema.currentVersion])
        XCTAssertGreaterThanOrEqual(Schema.currentVersion, 6, "upgraded through version 6 (and on: SchemaVersion7Tests)")
        let web = try XCTUnwrap(try store.network(named: "web"))
        XCTAssertFalse(web.dns, "a network made before version 6 has no name service")
        XCTAssertEqual(web.dnsDomain, "berth.internal")
        XCTAssertEqual(web.dnsServers, [])
        XCTAssertEqual(web.gateway6, IPv6Address("fd00:88::1"), "the other values are kept")
        let ep1 = try XCTUnwrap(try store.endpoint(id: "ep1"))
        XCTAssertNil(ep1.dnsName)
        XCTAssertEqual(ep1.aliases, [])
        XCTAssertEqual(ep1.address6, IPv6Address("fd00:88::2"))
        XCTAssertEqual(try store.dnsNetworks(), [])

        // The upgraded tables take the new values.
        var named = Fixtures.endpoint("web", address: "10.136.0.3", netns: (4, 200))
        (named.dnsName, named.aliases) = ("api", ["a1", "a2"])
        try store.insertEndpoint(named)
        XCTAssertEqual(try store.endpoint(id: named.id), named)
    }

    func testNameServiceValuesRoundTrip() throws {
        let store = try Store(directory: dir.path)
        var n = Fixtures.network6("app", subnet6: "fd00:77::/64", subnet: "10.77.0.0/24")
        n.dns = true
        n.dnsDomain = "corp.example"
        n.dnsServers = [IPAddress("192.0.2.53")!, IPAddress("2001:db8::53")!]
        try store.insertNetwork(n)
        XCTAssertEqual(try store.network(named: "app"), n)
        var e = Fixtures.endpoint("app", address: "10.77.0.2")
        e.dnsName = "Web"
        e.aliases = ["www", "front.end"]
        try store.insertEndpoint(e)
        XCTAssertEqual(try store.endpoint(id: e.id), e)
        let raw = try store.db.queryFirst("SELECT n.dns_servers, e.aliases FROM networks n JOIN endpoints e ON e.network = n.name WHERE e.id = ?1", [.text(e.id)]) {
            [$0.text(0), $0.text(1)]
        }
        XCTAssertEqual(raw, ["192.0.2.53,2001:db8::53", "www,front.end"], "comma-separated, as docs/dns.md says")
    }

    func testDNSQueriesSelectDNSNetworksAndTheirActiveEndpoints() throws {
        let store = try Store(directory: dir.path)
        var a = Fixtures.network("a", subnet: "10.1.0.0/24")
        a.dns = true
        let b = Fixtures.network("b", subnet: "10.2.0.0/24")
        var c = Fixtures.network("c", subnet: "10.3.0.0/24")
        c.dns = true
        for n in [c, b, a] { try store.insertNetwork(n) }
        XCTAssertEqual(try store.dnsNetworks().map(\.name), ["a", "c"])

        let active = Fixtures.endpoint("a", address: "10.1.0.2", id: "e1", netns: (4, 1), created: 1)
        let creating = Fixtures.endpoint("a", address: "10.1.0.3", id: "e2", netns: (4, 2), state: .creating, created: 2)
        let removing = Fixtures.endpoint("c", address: "10.3.0.2", id: "e3", netns: (4, 3), state: .removing, created: 3)
        let other = Fixtures.endpoint("b", address: "10.2.0.2", id: "e4", netns: (4, 4), created: 4)
        let activeC = Fixtures.endpoint("c", address: "10.3.0.3", id: "e5", netns: (4, 5), created: 5)
        for e in [active, creating, removing, other, activeC] { try store.insertEndpoint(e) }
        XCTAssertEqual(try store.dnsEndpoints().map(\.id), ["e1", "e5"])
    }

    func testDataVersionChangesWhenAnotherConnectionCommits() throws {
        let reader = try Store(directory: dir.path)
        let writer = try Store(directory: dir.path)
        let before = try reader.dataVersion()
        XCTAssertEqual(try reader.dataVersion(), before, "steady without commits")
        try writer.insertNetwork(Fixtures.network("n"))
        XCTAssertNotEqual(try reader.dataVersion(), before)
    }
}
