import BerthAddress
@testable import BerthStore
import XCTest
import BerthTestSupport

/// Schema version 7: a network's owner, parent device, driver options and route metric; the
/// upgrade from version 6; and networks and endpoints without addresses (Podman's IPAM
/// `none`), which the tables already take.
final class SchemaVersion7Tests: XCTestCase {
    private var dir: TemporaryDirectory!
    override func setUp() { dir = TemporaryDirectory() }
    override func tearDown() { dir.remove() }

    func testVersion6StoreGetsTheVersion7ColumnsWithTheirDefaults() throws {
        let db = try SQLiteConnection(path: dir.path + "/berth.db", busyTimeoutMilliseconds: 1000)
        try db.execute("PRAGMA page_size=1024; PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON")
        try db.execute(SchemaVersion6DNSTests.version5 + Schema.upgrade5to6)
        try db.execute("""
            PRAGMA user_version = 6;
            INSERT INTO networks (name, id, bridge, subnet_address, subnet_prefix, gateway, mtu, internal,
                masquerade, icc, isolated, labels, created, dns, dns_domain, dns_servers)
            VALUES ('web', '0123456789abcdef', 'br-web', 176685056, 24, 176685057, 0, 0, 1, 1, 1, '{}',
                1700000000, 1, 'corp.example', '192.0.2.53');
            INSERT INTO endpoints (id, network, address, container_id, target, netns_path, netns_dev,
                netns_ino, ifname, host_ifname, prefix_length, mac, state, created, dns_name)
            VALUES ('ep1', 'web', 176685058, 'c1', 't1', '/run/netns/c1', 4, 100, 'eth0',
                'bvep1', 24, '02:00:00:00:00:02', 'active', 1700000001, 'api');
            """)
        db.close()

        let store = try Store(directory: dir.path)
        XCTAssertEqual(try store.db.query("PRAGMA user_version") { $0.int(0) }, [7])
        XCTAssertEqual(Schema.currentVersion, 7)
        let web = try XCTUnwrap(try store.network(named: "web"))
        XCTAssertEqual(web.owner, .unknown, "a network made before version 7 has no recorded owner")
        XCTAssertEqual(web.parent, "")
        XCTAssertEqual(web.driverOptions, [:])
        XCTAssertEqual(web.routeMetric, 0, "no metric: the kernel's default, as before")
        XCTAssertEqual(web.dnsDomain, "corp.example", "the version 6 values are kept")
        XCTAssertEqual(web.dnsServers, [IPAddress("192.0.2.53")!])
        XCTAssertEqual(try store.endpoint(id: "ep1")?.dnsName, "api")

        // The upgraded table takes the new values.
        var podman = Fixtures.network("podman", subnet: "10.89.0.0/24", bridge: "podman1")
        podman.owner = .podman
        podman.routeMetric = 100
        podman.driverOptions = ["mode": "bridge"]
        podman.parent = "eth9"
        try store.insertNetwork(podman)
        XCTAssertEqual(try store.network(named: "podman"), podman)
    }

    func testAddresslessNetworkAndEndpointRoundTrip() throws {
        let store = try Store(directory: dir.path)
        var n = Fixtures.network("none", bridge: "podman9")
        (n.subnet, n.gateway, n.owner) = (nil, nil, .podman)
        try store.insertNetwork(n)
        XCTAssertEqual(try store.network(named: "none"), n)
        var a = Fixtures.endpoint("none", address: "10.0.0.1", id: "e1", netns: (4, 1))
        (a.address, a.prefixLength) = (nil, 0)
        var b = Fixtures.endpoint("none", address: "10.0.0.2", id: "e2", netns: (4, 2))
        (b.address, b.prefixLength) = (nil, 0)
        // Two endpoints with neither address: the unique address indexes skip NULLs.
        try store.insertEndpoint(a)
        try store.insertEndpoint(b)
        XCTAssertEqual(try store.endpoint(id: "e1"), a)
        XCTAssertEqual(try store.endpoint(id: "e2")?.address6, nil)
        XCTAssertEqual(try store.endpointCount(network: "none"), 2)
    }

    func testSetDNSServersUpdatesOnlyAnExistingNetwork() throws {
        let store = try Store(directory: dir.path)
        try store.insertNetwork(Fixtures.network("n"))
        XCTAssertTrue(try store.setDNSServers(network: "n", [IPAddress("192.0.2.1")!, IPAddress("2001:db8::1")!]))
        XCTAssertEqual(try store.network(named: "n")?.dnsServers, [IPAddress("192.0.2.1")!, IPAddress("2001:db8::1")!])
        XCTAssertTrue(try store.setDNSServers(network: "n", []))
        XCTAssertEqual(try store.network(named: "n")?.dnsServers, [])
        XCTAssertFalse(try store.setDNSServers(network: "missing", []))
    }
}
