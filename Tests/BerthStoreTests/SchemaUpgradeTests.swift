import BerthAddress
@testable import BerthStore
import Glibc
import XCTest
import BerthTestSupport

/// A store written by an earlier Berth (schema versions 1 to 3) is upgraded in place when it is
/// opened: every row kept, the cascades (network → endpoints → ports) still in force.
final class SchemaUpgradeTests: XCTestCase {
    /// The schema Berth wrote up to version 1 (as `Schema.swift` had it then).
    static let version1 = """
        CREATE TABLE IF NOT EXISTS networks ( name TEXT PRIMARY KEY NOT NULL, id TEXT NOT NULL UNIQUE,
            bridge TEXT NOT NULL UNIQUE, subnet_address INTEGER NOT NULL, subnet_prefix INTEGER NOT NULL,
            gateway INTEGER NOT NULL, range_address INTEGER, range_prefix INTEGER,
            mtu INTEGER NOT NULL DEFAULT 0, internal INTEGER NOT NULL DEFAULT 0,
            masquerade INTEGER NOT NULL DEFAULT 1, icc INTEGER NOT NULL DEFAULT 1,
            isolated INTEGER NOT NULL DEFAULT 1, labels TEXT NOT NULL DEFAULT '{}', created INTEGER NOT NULL,
            last_allocated INTEGER );
        CREATE TABLE IF NOT EXISTS endpoints ( id TEXT PRIMARY KEY NOT NULL,
            network TEXT NOT NULL REFERENCES networks(name) ON DELETE CASCADE, container_id TEXT NOT NULL,
            target TEXT NOT NULL, netns_path TEXT NOT NULL, netns_dev INTEGER NOT NULL,
            netns_ino INTEGER NOT NULL, ifname TEXT NOT NULL, host_ifname TEXT NOT NULL UNIQUE,
            address INTEGER NOT NULL, prefix_length INTEGER NOT NULL, mac TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('creating', 'active', 'removing')),
            created INTEGER NOT NULL, UNIQUE (network, address), UNIQUE (network, netns_dev, netns_ino,
            ifname) );
        CREATE INDEX IF NOT EXISTS endpoints_by_netns ON endpoints (netns_dev, netns_ino, ifname);
        CREATE INDEX IF NOT EXISTS endpoints_by_container ON endpoints (network, container_id);
        CREATE TABLE IF NOT EXISTS ports ( protocol TEXT NOT NULL CHECK (protocol IN ('tcp', 'udp')),
            host_port INTEGER NOT NULL CHECK (host_port BETWEEN 1 AND 65535), host_ip INTEGER NOT NULL,
            endpoint TEXT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
            container_port INTEGER NOT NULL CHECK (container_port BETWEEN 1 AND 65535),
            PRIMARY KEY (protocol, host_port, host_ip) ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ports_by_endpoint ON ports (endpoint);
        """


    private var dir: TemporaryDirectory!
    override func setUp() { dir = TemporaryDirectory() }
    override func tearDown() { dir.remove() }

    /// Builds a version 1 database with one network, two endpoints and one published port.
    private func writeVersion1Store() throws {
        let db = try SQLiteConnection(path: dir.path + "/berth.db", busyTimeoutMilliseconds: 1000)
        try db.execute("PRAGMA page_size=1024; PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON")
        try db.execute(Self.version1)
        try db.execute("""
            PRAGMA user_version = 1;
            INSERT INTO networks (name, id, bridge, subnet_address, subnet_prefix, gateway, range_address,
                range_prefix, mtu, internal, masquerade, icc, isolated, labels, created, last_allocated)
            VALUES ('web', '0123456789abcdef', 'br-web', 176685056, 24, 176685057, NULL, NULL, 1400,
                0, 1, 1, 1, '{"team":"blue"}', 1700000000, 176685059);
            INSERT INTO endpoints (id, network, container_id, target, netns_path, netns_dev, netns_ino,
                ifname, host_ifname, address, prefix_length, mac, state, created)
            VALUES ('ep1', 'web', 'c1', 't1', '/run/netns/c1', 4, 100, 'eth0', 'bvep1', 176685058, 24,
                '02:00:00:00:00:02', 'active', 1700000001),
                   ('ep2', 'web', 'c2', 't2', '/run/netns/c2', 4, 200, 'eth0', 'bvep2', 176685059, 24,
                '02:00:00:00:00:03', 'active', 1700000002);
            INSERT INTO ports (protocol, host_port, host_ip, endpoint, container_port) VALUES ('tcp', 8080, 0, 'ep1', 80);
            """)
    }

    func testVersion1StoreIsUpgradedWithEveryRow() throws {
        try writeVersion1Store()
        let store = try Store(directory: dir.path)
        let version = try SQLiteConnection(path: dir.path + "/berth.db", busyTimeoutMilliseconds: 1000)
            .query("PRAGMA user_version") { $0.int(0) }.first
        XCTAssertEqual(version, Schema.currentVersion)

        let network = try XCTUnwrap(try store.network(named: "web"))
        XCTAssertEqual(network.bridge, "br-web")
        XCTAssertEqual(network.subnet?.description, "10.136.0.0/24")
        XCTAssertEqual(network.mtu, 1400)
        XCTAssertEqual(network.labels, ["team": "blue"])
        XCTAssertEqual(network.lastAllocated?.description, "10.136.0.3")
        XCTAssertEqual(network.driver, "bridge")
        XCTAssertEqual(network.firewall, "nftables")
        XCTAssertEqual(try store.endpoints().map(\.id), ["ep1", "ep2"])
        XCTAssertEqual(try store.endpoints().map { $0.address?.description }, ["10.136.0.2", "10.136.0.3"])
        XCTAssertEqual(try store.connectedNetwork(netnsDevice: 4, netnsInode: 200, ifname: "eth0"), "web")
        XCTAssertEqual(try store.ports(endpoint: "ep1").count, 1)

        // The upgraded tables enforce what the old ones did.
        XCTAssertThrowsError(try store.insertEndpoint(Fixtures.endpoint("web", address: "10.136.0.2")),
                             "an address is still unique per network")
        XCTAssertTrue(try store.deleteNetwork(named: "web"))
        XCTAssertEqual(try store.endpoints(), [], "endpoints still go with their network")
        XCTAssertEqual(try store.ports().count, 0, "and ports with their endpoints")
    }

    /// The networks table of schema versions 2 and 3 (as `Schema.swift` had it then); ports have
    /// not changed since version 2 (``Schema/ports2``).
    static let version3Networks = """
        CREATE TABLE networks ( name TEXT PRIMARY KEY NOT NULL, id TEXT NOT NULL UNIQUE,
            bridge TEXT NOT NULL UNIQUE, subnet_address INTEGER NOT NULL, subnet_prefix INTEGER NOT NULL,
            gateway INTEGER NOT NULL, range_address INTEGER, range_prefix INTEGER, mtu INTEGER NOT NULL,
            internal INTEGER NOT NULL, masquerade INTEGER NOT NULL, icc INTEGER NOT NULL,
            isolated INTEGER NOT NULL, labels TEXT NOT NULL, created INTEGER NOT NULL,
            last_allocated INTEGER ) WITHOUT ROWID;

        """

    /// The endpoints table of schema version 2 (as `Schema.swift` had it then).
    static let version2Endpoints = """
        CREATE TABLE endpoints ( network TEXT NOT NULL REFERENCES networks(name) ON DELETE CASCADE,
            address INTEGER NOT NULL, id TEXT NOT NULL UNIQUE, container_id TEXT NOT NULL,
            target TEXT NOT NULL, netns_path TEXT NOT NULL, netns_dev INTEGER NOT NULL,
            netns_ino INTEGER NOT NULL, ifname TEXT NOT NULL, host_ifname TEXT NOT NULL UNIQUE,
            prefix_length INTEGER NOT NULL, mac TEXT NOT NULL, state TEXT NOT NULL,
            created INTEGER NOT NULL, PRIMARY KEY (network, address),
            UNIQUE (netns_dev, netns_ino, ifname, network) ) WITHOUT ROWID;
        CREATE INDEX endpoints_by_container ON endpoints (network, container_id);

        """

    /// The endpoints table of schema version 3: version 2's with the namespace cookie and owner.
    static let version3Endpoints = """
        CREATE TABLE endpoints ( network TEXT NOT NULL REFERENCES networks(name) ON DELETE CASCADE,
            address INTEGER NOT NULL, id TEXT NOT NULL UNIQUE, container_id TEXT NOT NULL,
            target TEXT NOT NULL, netns_path TEXT NOT NULL, netns_dev INTEGER NOT NULL,
            netns_ino INTEGER NOT NULL, ifname TEXT NOT NULL, host_ifname TEXT NOT NULL UNIQUE,
            prefix_length INTEGER NOT NULL, mac TEXT NOT NULL, state TEXT NOT NULL,
            created INTEGER NOT NULL, netns_cookie INTEGER NOT NULL DEFAULT 0,
            owner TEXT NOT NULL DEFAULT '', PRIMARY KEY (network, address),
            UNIQUE (netns_dev, netns_ino, ifname, network) ) WITHOUT ROWID;
        CREATE INDEX endpoints_by_container ON endpoints (network, container_id);

        """

    func testVersion2EndpointsGetNoCookieAndAnUnknownOwner() throws {
        let db = try SQLiteConnection(path: dir.path + "/berth.db", busyTimeoutMilliseconds: 1000)
        try db.execute("PRAGMA page_size=1024; PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON")
        try db.execute(Self.version3Networks + Self.version2Endpoints + Schema.ports2)
        try db.execute("""
            PRAGMA user_version = 2;
            INSERT INTO networks (name, id, bridge, subnet_address, subnet_prefix, gateway, range_address,
                range_prefix, mtu, internal, masquerade, icc, isolated, labels, created, last_allocated)
            VALUES ('web', '0123456789abcdef', 'br-web', 176685056, 24, 176685057, NULL, NULL, 0,
                0, 1, 1, 1, '{}', 1700000000, NULL);
            INSERT INTO endpoints (network, address, id, container_id, target, netns_path, netns_dev,
                netns_ino, ifname, host_ifname, prefix_length, mac, state, created)
            VALUES ('web', 176685058, 'ep1', 'c1', 't1', '/run/netns/c1', 4, 100, 'eth0', 'bvep1', 24,
                '02:00:00:00:00:02', 'active', 1700000001);
            """)
        db.close()
        chmod(dir.path + "/berth.db", 0o644)   // as stores before version 3 were made

        let store = try Store(directory: dir.path)
        var info = stat()
        XCTAssertEqual(stat(dir.path + "/berth.db", &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600, "the upgrade makes the database private")
        let old = try XCTUnwrap(try store.endpoint(id: "ep1"))
        XCTAssertEqual(old.netnsCookie, 0, "no cookie was recorded before version 3")
        XCTAssertEqual(old.owner, .unknown)
        XCTAssertTrue(try store.activate(endpoint: "ep1", netnsCookie: 4242))
        XCTAssertEqual(try store.endpoint(id: "ep1")?.netnsCookie, 4242)

        var new = Fixtures.endpoint("web", address: "10.136.0.9", netns: (4, 300))
        new.owner = .cni
        new.state = .creating
        try store.insertEndpoint(new)
        XCTAssertEqual(try store.endpoint(id: new.id)?.owner, .cni)
        XCTAssertEqual(try store.endpoint(id: new.id)?.netnsCookie, 0, "unknown until the endpoint is active")
        XCTAssertEqual(try store.network(named: "web")?.driver, "bridge", "version 2 goes straight to today's")
    }

    /// Every network made before version 4 was a bridge whose rules nftables rendered.
    func testVersion3NetworksAreBridgesWithNftables() throws {
        let db = try SQLiteConnection(path: dir.path + "/berth.db", busyTimeoutMilliseconds: 1000)
        try db.execute("PRAGMA page_size=1024; PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON")
        try db.execute(Self.version3Networks + Self.version3Endpoints + Schema.ports2)
        try db.execute("""
            PRAGMA user_version = 3;
            INSERT INTO networks (name, id, bridge, subnet_address, subnet_prefix, gateway, range_address,
                range_prefix, mtu, internal, masquerade, icc, isolated, labels, created, last_allocated)
            VALUES ('db', 'fedcba9876543210', 'br-db', 176685312, 24, 176685313, NULL, NULL, 0,
                1, 0, 0, 1, '{}', 1700000000, NULL),
                   ('web', '0123456789abcdef', 'br-web', 176685056, 24, 176685057, 176685184, 25, 1400,
                0, 1, 1, 0, '{"team":"blue"}', 1700000000, 176685185);
            INSERT INTO endpoints (network, address, id, container_id, target, netns_path, netns_dev,
                netns_ino, ifname, host_ifname, prefix_length, mac, state, created, netns_cookie, owner)
            VALUES ('web', 176685185, 'ep1', 'c1', 't1', '/run/netns/c1', 4, 100, 'eth0', 'bvep1', 24,
                '02:00:00:00:00:02', 'active', 1700000001, 77, 'cni');
            INSERT INTO ports (protocol, host_port, host_ip, endpoint, container_port) VALUES ('tcp', 8080, 0, 'ep1', 80);
            """)
        db.close()

        let store = try Store(directory: dir.path)
        XCTAssertEqual(try store.db.query("PRAGMA user_version") { $0.int(0) }, [Schema.currentVersion])
        let networks = try store.networks()
        XCTAssertEqual(networks.map(\.name), ["db", "web"])
        XCTAssertEqual(networks.map(\.driver), ["bridge", "bridge"])
        XCTAssertEqual(networks.map(\.firewall), ["nftables", "nftables"])
        let web = try XCTUnwrap(try store.network(named: "web"))
        XCTAssertEqual(web.driver, "bridge")
        XCTAssertEqual(web.firewall, "nftables")
        XCTAssertEqual(web.ipRange?.description, "10.136.0.128/25")
        XCTAssertEqual(web.labels, ["team": "blue"])
        XCTAssertFalse(web.isolated)
        XCTAssertTrue(try XCTUnwrap(try store.network(named: "db")).isInternal)

        let endpoint = try XCTUnwrap(try store.endpoint(id: "ep1"))
        XCTAssertEqual(endpoint.netnsCookie, 77)
        XCTAssertEqual(endpoint.owner, .cni)
        XCTAssertTrue(try store.deleteNetwork(named: "web"))
        XCTAssertEqual(try store.endpoints(), [], "endpoints still go with their network")
        XCTAssertEqual(try store.ports().count, 0, "and ports with their endpoints")
    }

    /// Driver and firewall are stored as given, not only as their defaults.
    func testDriverAndFirewallRoundTrip() throws {
        let store = try Store(directory: dir.path)
        var macvlan = Fixtures.network("lan", subnet: "192.168.50.0/24")
        macvlan.driver = "macvlan"
        macvlan.firewall = "none"
        try store.insertNetwork(macvlan)
        try store.insertNetwork(Fixtures.network("web"))

        XCTAssertEqual(try store.network(named: "lan"), macvlan)
        let read = try store.networks()
        XCTAssertEqual(read.map(\.driver), ["macvlan", "bridge"])
        XCTAssertEqual(read.map(\.firewall), ["none", "nftables"])
    }

    func testNewStoreStartsAtTheCurrentVersion() throws {
        _ = try Store(directory: dir.path)
        let db = try SQLiteConnection(path: dir.path + "/berth.db", busyTimeoutMilliseconds: 1000)
        XCTAssertEqual(try db.query("PRAGMA user_version") { $0.int(0) }.first, Schema.currentVersion)
        let tables = try db.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") { $0.text(0) }
        XCTAssertEqual(tables, ["endpoints", "networks", "ports", "settings"])
    }
}
