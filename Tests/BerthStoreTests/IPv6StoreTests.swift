import XCTest
import BerthAddress
import BerthStore
import BerthTestSupport

/// IPv6 networks and endpoints in the store: round trips, the per-family uniqueness of
/// addresses, the IPv6 lookup and the IPv6 allocation cursor.
final class IPv6StoreTests: XCTestCase {
    private var dir: TemporaryDirectory!
    private var store: Store!

    override func setUpWithError() throws {
        dir = TemporaryDirectory()
        store = try Store(directory: dir.path)
        try store.insertNetwork(Fixtures.network6("dual", subnet6: "fd00:88::/64", subnet: "10.88.0.0/24"))
        try store.insertNetwork(Fixtures.network6("v6", subnet6: "fd00:89::/64"))
    }

    override func tearDown() {
        store = nil
        dir.remove()
    }

    func testNetworkRoundTrip() throws {
        var ranged = Fixtures.network6("ranged", subnet6: "2001:db8:1::/48", subnet: "10.90.0.0/24")
        ranged.ipRange6 = IPv6Subnet("2001:db8:1:2::/64")
        ranged.gateway6 = IPv6Address("2001:db8:1::fe")
        ranged.masquerade6 = false
        ranged.lastAllocated6 = IPv6Address("2001:db8:1:2::9")
        try store.insertNetwork(ranged)

        XCTAssertEqual(try store.network(named: "ranged"), ranged)
        let v6 = try XCTUnwrap(try store.network(named: "v6"))
        XCTAssertNil(v6.subnet)
        XCTAssertNil(v6.gateway)
        XCTAssertEqual(v6.subnet6, IPv6Subnet("fd00:89::/64"))
        XCTAssertEqual(v6.gateway6, IPv6Address("fd00:89::1"))
        XCTAssertEqual(v6.families, [.ipv6])
        XCTAssertEqual(try store.network(named: "dual")?.families, [.ipv4, .ipv6])
    }

    func testEndpointRoundTrip() throws {
        let dual = Fixtures.endpoint6("dual", address6: "fd00:88::2", address: "10.88.0.2", netns: (4, 100))
        let only6 = Fixtures.endpoint6("v6", address6: "fd00:89::ffff:ffff:ffff:fffe", netns: (4, 100), ifname: "eth1")
        try store.insertEndpoint(dual)
        try store.insertEndpoint(only6)

        XCTAssertEqual(try store.endpoint(id: dual.id), dual)
        XCTAssertEqual(try store.endpoint(id: only6.id), only6)
        XCTAssertEqual(try store.endpoint(id: only6.id)?.address, nil)
        XCTAssertEqual(try store.endpoint(id: only6.id)?.interface6?.description, "fd00:89::ffff:ffff:ffff:fffe/64")
        XCTAssertEqual(try store.endpoints(network: "v6"), [only6])
        XCTAssertEqual(try store.endpoint(network: "dual", netnsDevice: 4, netnsInode: 100, ifname: "eth0"), dual)
        XCTAssertEqual(try store.endpoints(netnsDevice: 4, netnsInode: 100, ifname: "eth1"), [only6])
    }

    /// The (network, address6) index refuses a second holder, naming the first.
    func testSameIPv6AddressConflictNamesTheHolder() throws {
        let first = Fixtures.endpoint6("dual", address6: "fd00:88::5", address: "10.88.0.5", containerID: "alpha", netns: (4, 100))
        try store.insertEndpoint(first)

        // Written another way, the same address.
        let again = Fixtures.endpoint6("dual", address6: "fd00:88:0:0::0005", address: "10.88.0.6", containerID: "beta", netns: (4, 200))
        XCTAssertThrowsError(try store.insertEndpoint(again)) {
            XCTAssertEqual($0 as? StoreError,
                           .conflict("address fd00:88::5 is already in use on network 'dual' by endpoint \(first.id) (container alpha)"))
        }
        // On another network, it is free.
        try store.insertEndpoint(Fixtures.endpoint6("v6", address6: "fd00:88::5", containerID: "beta", netns: (4, 200)))
        XCTAssertEqual(try store.endpointCount(network: "dual"), 1)
    }

    /// Endpoints of one family each leave the other family's column NULL, and NULLs never clash.
    func testSingleFamilyEndpointsCoexist() throws {
        var v4a = Fixtures.endpoint("dual", address: "10.88.0.2", netns: (4, 100))
        var v4b = Fixtures.endpoint("dual", address: "10.88.0.3", netns: (4, 200))
        var v6a = Fixtures.endpoint6("dual", address6: "fd00:88::2", netns: (4, 300))
        var v6b = Fixtures.endpoint6("dual", address6: "fd00:88::3", netns: (4, 400))
        (v4a.created, v4b.created, v6a.created, v6b.created) = (1, 2, 3, 4)
        for e in [v4a, v4b, v6a, v6b] { try store.insertEndpoint(e) }

        XCTAssertEqual(try store.endpoints(network: "dual").map(\.id), [v4a, v4b, v6a, v6b].map(\.id))
        XCTAssertEqual(try store.endpoints(network: "dual").map(\.address), [v4a.address, v4b.address, nil, nil])
        XCTAssertEqual(try store.endpoints(network: "dual").map(\.address6), [nil, nil, v6a.address6, v6b.address6])
    }

    func testIsIPv6AddressTaken() throws {
        let e = Fixtures.endpoint6("dual", address6: "fd00:88::a", address: "10.88.0.10")
        try store.insertEndpoint(e)

        XCTAssertTrue(try store.isAddressTaken(network: "dual", address6: IPv6Address("fd00:88::a")!))
        XCTAssertTrue(try store.isAddressTaken(network: "dual", address6: IPv6Address("fd00:88:0:0:0:0:0:a")!))
        XCTAssertFalse(try store.isAddressTaken(network: "dual", address6: IPv6Address("fd00:88::b")!))
        XCTAssertFalse(try store.isAddressTaken(network: "v6", address6: IPv6Address("fd00:88::a")!))
        XCTAssertTrue(try store.deleteEndpoint(id: e.id))
        XCTAssertFalse(try store.isAddressTaken(network: "dual", address6: IPv6Address("fd00:88::a")!), "released with the endpoint")
    }

    /// The IPv6 cursor is a column of its own: setting it leaves the IPv4 one alone.
    func testIPv6Cursor() throws {
        XCTAssertNil(try store.network(named: "dual")?.lastAllocated6)
        XCTAssertTrue(try store.setCursor(network: "dual", lastAllocated: IPv4Address("10.88.0.7")!))
        XCTAssertTrue(try store.setCursor(network: "dual", lastAllocated6: IPv6Address("fd00:88::1:7")!))

        let dual = try XCTUnwrap(try store.network(named: "dual"))
        XCTAssertEqual(dual.lastAllocated6, IPv6Address("fd00:88::1:7"))
        XCTAssertEqual(dual.lastAllocated, IPv4Address("10.88.0.7"))
        XCTAssertNil(try store.network(named: "v6")?.lastAllocated6, "one network's cursor only")
        XCTAssertFalse(try store.setCursor(network: "nope", lastAllocated6: IPv6Address("fd00:88::1")!))
    }
}
