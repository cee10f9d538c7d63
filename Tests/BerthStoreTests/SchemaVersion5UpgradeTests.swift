import BerthAddress
@testable import BerthStore
import XCTest
import BerthTestSupport

/// A version 4 store (IPv4 only: networks' IPv4 columns required, endpoints keyed by (network,
/// address)) is rebuilt as version 5 when it is opened: every row and value kept, the cascades
/// in force, and IPv6 networks, endpoints and ports accepted from then on.
final class SchemaVersion5UpgradeTests: XCTestCase {
    /// The tables of schema version 4: version 3's (``SchemaUpgradeTests/version3Networks``,
    /// ``SchemaUpgradeTests/version3Endpoints``, ports unchanged since version 2), networks with
    /// the driver and firewall columns last (as `Schema.swift` made them, new or upgraded).
    static let version4 = SchemaUpgradeTests.version3Networks + SchemaUpgradeTests.version3Endpoints + Schema.ports2 + """

        ALTER TABLE networks ADD COLUMN driver TEXT NOT NULL DEFAULT 'bridge';
        ALTER TABLE networks ADD COLUMN firewall TEXT NOT NULL DEFAULT 'nftables';
        """

    private var dir: TemporaryDirectory!
    override func setUp() { dir = TemporaryDirectory() }
    override func tearDown() { dir.remove() }

    /// Two networks (one with every optional value set, and a driver and firewall other than the
    /// defaults), three endpoints, four port rows (any address, one IPv4 address, a range).
    private func writeVersion4Store() throws {
        let db = try SQLiteConnection(path: dir.path + "/berth.db", busyTimeoutMilliseconds: 1000)
        defer { db.close() }
        try db.execute("PRAGMA page_size=1024; PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON")
        try db.execute(Self.version4)
        try db.execute("""
            PRAGMA user_version = 4;
            INSERT INTO networks (name, id, bridge, subnet_address, subnet_prefix, gateway, range_address,
                range_prefix, mtu, internal, masquerade, icc, isolated, labels, created, last_allocated,
                driver, firewall)
            VALUES ('web', '0123456789abcdef', 'br-web', 176685056, 24, 176685057, 176685184, 25, 1400,
                0, 1, 0, 0, '{"team":"blue"}', 1700000000, 176685185, 'macvlan', 'none'),
                   ('db', 'fedcba9876543210', 'br-db', 176685312, 24, 176685313, NULL, NULL, 0,
                1, 0, 1, 1, '{}', 1700000005, NULL, 'bridge', 'nftables');
            INSERT INTO endpoints (network, address, id, container_id, target, netns_path, netns_dev,
                netns_ino, ifname, host_ifname, prefix_length, mac, state, created, netns_cookie, owner)
            VALUES ('web', 176685186, 'ep1', 'c1', 't1', '/run/netns/c1', 4, 100, 'eth0', 'bvep1', 24,
                '02:00:00:00:00:02', 'active', 1700000001, 77, 'cni'),
                   ('web', 176685187, 'ep2', 'c2', '4242', '/proc/4242/ns/net', 4, 200, 'eth1', 'bvep2', 24,
                '02:00:00:00:00:03', 'creating', 1700000002, 0, 'cli'),
                   ('db', 176685314, 'ep3', 'c1', 't1', '/run/netns/c1', 4, 100, 'eth0', 'bvep3', 24,
                '02:00:00:00:00:04', 'removing', 1700000003, 0, '');
            INSERT INTO ports (protocol, host_port, host_ip, endpoint, container_port)
            VALUES ('tcp', 8080, 0, 'ep1', 80), ('udp', 53, 3221225994, 'ep1', 5353),
                   ('tcp', 9000, 0, 'ep2', 7000), ('tcp', 9001, 0, 'ep2', 7001);
            """)
    }

    func testVersion4StoreKeepsEveryRowAndValue() throws {
        try writeVersion4Store()
        let store = try Store(directory: dir.path)
        XCTAssertEqual(try store.db.query("PRAGMA user_version") { $0.int(0) }, [Schema.currentVersion])

        let web = NetworkRecord(
            name: "web", id: "0123456789abcdef", bridge: "br-web", subnet: IPv4Subnet("10.136.0.0/24"),
            gateway: IPv4Address("10.136.0.1"), ipRange: IPv4Subnet("10.136.0.128/25"), mtu: 1400,
            isInternal: false, masquerade: true, labels: ["team": "blue"], created: 1_700_000_000,
            lastAllocated: IPv4Address("10.136.0.129"), icc: false, isolated: false, driver: "macvlan", firewall: "none",
            owner: .unknown)   // made before version 7 recorded owners
        let db = NetworkRecord(
            name: "db", id: "fedcba9876543210", bridge: "br-db", subnet: IPv4Subnet("10.136.1.0/24"),
            gateway: IPv4Address("10.136.1.1"), ipRange: nil, mtu: 0, isInternal: true, masquerade: false,
            labels: [:], created: 1_700_000_005, owner: .unknown)
        XCTAssertEqual(try store.networks(), [db, web])
        XCTAssertEqual(try store.networks().map(\.families), [[.ipv4], [.ipv4]], "no network had IPv6 before")
        XCTAssertEqual(try store.networks().map(\.masquerade6), [true, true], "the IPv6 NAT default")

        func endpoint(_ id: String, _ network: String, _ address: String, container: String, target: String,
                      path: String, inode: UInt64, ifname: String, mac: String, state: EndpointState, created: Int64,
                      cookie: UInt64, owner: EndpointOwner) -> EndpointRecord {
            EndpointRecord(id: id, network: network, containerID: container, target: target, netnsPath: path,
                           netnsDevice: 4, netnsInode: inode, ifname: ifname, hostIfname: "bv" + id,
                           address: IPv4Address(address), prefixLength: 24, mac: MACAddress(mac)!, state: state,
                           created: created, netnsCookie: cookie, owner: owner)
        }
        let ep1 = endpoint("ep1", "web", "10.136.0.130", container: "c1", target: "t1", path: "/run/netns/c1",
                           inode: 100, ifname: "eth0", mac: "02:00:00:00:00:02", state: .active, created: 1_700_000_001,
                           cookie: 77, owner: .cni)
        let ep2 = endpoint("ep2", "web", "10.136.0.131", container: "c2", target: "4242", path: "/proc/4242/ns/net",
                           inode: 200, ifname: "eth1", mac: "02:00:00:00:00:03", state: .creating, created: 1_700_000_002,
                           cookie: 0, owner: .cli)
        let ep3 = endpoint("ep3", "db", "10.136.1.2", container: "c1", target: "t1", path: "/run/netns/c1",
                           inode: 100, ifname: "eth0", mac: "02:00:00:00:00:04", state: .removing, created: 1_700_000_003,
                           cookie: 0, owner: .unknown)
        XCTAssertEqual(try store.endpoints(), [ep3, ep1, ep2])
        XCTAssertEqual(try store.connectedNetwork(netnsDevice: 4, netnsInode: 200, ifname: "eth1"), "web")
        XCTAssertTrue(try store.isAddressTaken(network: "db", address: IPv4Address("10.136.1.2")!))

        let ports = try store.ports()
        XCTAssertEqual(ports.map(\.endpoint), ["ep1", "ep1", "ep2", "ep2"])
        XCTAssertEqual(ports.map(\.proto), [.tcp, .udp, .tcp, .tcp])
        XCTAssertEqual(ports.map(\.hostIP), [nil, .v4(IPv4Address("192.0.2.10")!), nil, nil],
                       "integer host addresses read as before: 0 every address, else one IPv4 address")
        XCTAssertEqual(ports.map(\.hostPort), [8080, 53, 9000, 9001])
        XCTAssertEqual(ports.map(\.containerPort), [80, 5353, 7000, 7001])
        XCTAssertEqual(ports.map(\.containerAddress), [ep1.address, ep1.address, ep2.address, ep2.address])
        XCTAssertEqual(ports.map(\.containerAddress6), [nil, nil, nil, nil])
    }

    /// The rebuilt tables enforce what the old ones did, and take what only version 5 can hold.
    func testUpgradedStoreEnforcesAndAcceptsIPv6() throws {
        try writeVersion4Store()
        let store = try Store(directory: dir.path)
        XCTAssertEqual(try store.db.query("PRAGMA foreign_key_check") { $0.text(0) }, [])
        let indexes = try store.db.query("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name") { $0.text(0) }
        XCTAssertEqual(indexes, ["endpoints_by_address", "endpoints_by_address6", "endpoints_by_container", "ports_by_endpoint"])

        XCTAssertThrowsError(try store.insertEndpoint(Fixtures.endpoint("web", address: "10.136.0.130", netns: (4, 300)))) {
            XCTAssertEqual($0 as? StoreError, .conflict("address 10.136.0.130 is already in use on network 'web' by endpoint ep1 (container c1)"))
        }
        // An endpoint without an IPv4 address (which version 4's key required), on an old network…
        let old6 = Fixtures.endpoint6("web", address6: "fd00:88::2", containerID: "c4", netns: (4, 400))
        try store.insertEndpoint(old6)
        XCTAssertEqual(try store.endpoint(id: old6.id), old6)
        // …and an IPv6-only network (no IPv4 subnet, which version 4 required) with one.
        let v6 = Fixtures.network6("v6", subnet6: "fd00:99::/64")
        try store.insertNetwork(v6)
        XCTAssertEqual(try store.network(named: "v6"), v6)
        let new6 = Fixtures.endpoint6("v6", address6: "fd00:99::2", containerID: "c5", netns: (4, 500))
        try store.insertEndpoint(new6)
        func publish(_ hostPort: UInt16) throws {
            try store.transaction {
                try store.publishPorts(endpoint: new6.id, [PortMapping(hostIP: .v6(.unspecified), hostPort: hostPort, containerPort: 80)])
            }
        }
        XCTAssertThrowsError(try publish(8080), "an old row's every address (0) is both families'") {
            XCTAssertEqual("\($0)", "host port *:8080/tcp is already published by container 'c1' (endpoint ep1) on network 'web'")
        }
        try publish(8443)
        XCTAssertEqual(try store.ports(endpoint: new6.id).map(\.containerAddress6), [new6.address6])
        let globalID = try store.transaction { try store.ulaGlobalID() }
        XCTAssertEqual(try store.ulaGlobalID(), globalID, "kept in the new settings table")

        XCTAssertTrue(try store.deleteNetwork(named: "web"))
        XCTAssertEqual(try store.endpoints().map(\.id).sorted(), ["ep3", new6.id].sorted(), "endpoints still go with their network")
        XCTAssertEqual(Set(try store.ports().map(\.endpoint)), [new6.id], "and ports with their endpoints")
    }
}
