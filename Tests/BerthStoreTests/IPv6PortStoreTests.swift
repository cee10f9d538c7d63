import XCTest
import BerthAddress
import BerthStore
import BerthTestSupport

/// Published ports on host addresses of either family: every address of both families (nil)
/// clashes with everything, `0.0.0.0` and `::` each with their own family only.
final class IPv6PortStoreTests: XCTestCase {
    private var dir: TemporaryDirectory!
    private var store: Store!
    private let a = Fixtures.endpoint6("web", address6: "fd00:88::2", address: "10.88.0.2", containerID: "alpha", netns: (4, 100))
    private let b = Fixtures.endpoint6("web", address6: "fd00:88::3", address: "10.88.0.3", containerID: "beta", netns: (4, 200))
    private let c = Fixtures.endpoint6("web", address6: "fd00:88::4", containerID: "gamma", netns: (4, 300))

    private static let any4 = IPAddress.v4(IPv4Address(0))
    private static let any6 = IPAddress.v6(.unspecified)
    private static let host6 = IPAddress.v6(IPv6Address("2001:db8::10")!)

    override func setUpWithError() throws {
        dir = TemporaryDirectory()
        store = try Store(directory: dir.path)
        try store.insertNetwork(Fixtures.network6("web", subnet6: "fd00:88::/64", subnet: "10.88.0.0/24"))
        for e in [a, b, c] { try store.insertEndpoint(e) }
    }

    override func tearDown() {
        store = nil
        dir.remove()
    }

    private func publish(_ e: EndpointRecord, _ hostIP: IPAddress?, _ hostPort: UInt16) throws {
        try store.transaction {
            try store.publishPorts(endpoint: e.id, [PortMapping(hostIP: hostIP, hostPort: hostPort, containerPort: 80)])
        }
    }

    func testEachFamilysEveryAddressIsItsOwn() throws {
        try publish(a, Self.any6, 8080)
        try publish(b, Self.any4, 8080)
        XCTAssertEqual(try store.ports().count, 2)

        XCTAssertThrowsError(try publish(c, nil, 8080), "every address of both families") {
            XCTAssertTrue("\($0)".contains(":8080/tcp is already published"), "\($0)")
        }
        XCTAssertThrowsError(try publish(c, Self.any6, 8080)) {
            XCTAssertEqual("\($0)", "host port [::]:8080/tcp is already published by container 'alpha' (endpoint \(a.id)) on network 'web'")
        }
        XCTAssertThrowsError(try publish(c, Self.any4, 8080)) {
            XCTAssertEqual("\($0)", "host port 0.0.0.0:8080/tcp is already published by container 'beta' (endpoint \(b.id)) on network 'web'")
        }
        XCTAssertEqual(try store.ports(endpoint: c.id), [])
    }

    func testEveryAddressClashesWithEitherFamily() throws {
        try publish(a, nil, 8080)
        for hostIP in [Self.any4, Self.any6, Self.host6, IPAddress.v4(IPv4Address("192.0.2.10")!)] {
            XCTAssertThrowsError(try publish(b, hostIP, 8080), "\(hostIP)") {
                XCTAssertEqual("\($0)", "host port *:8080/tcp is already published by container 'alpha' (endpoint \(a.id)) on network 'web'")
            }
        }
        XCTAssertEqual(try store.ports().count, 1)
    }

    func testOneIPv6AddressClashesWithItsFamilyOnly() throws {
        try publish(a, Self.any6, 9090)
        XCTAssertThrowsError(try publish(b, Self.host6, 9090)) {
            XCTAssertEqual("\($0)", "host port [::]:9090/tcp is already published by container 'alpha' (endpoint \(a.id)) on network 'web'")
        }
        try publish(a, Self.any4, 9091)
        try publish(b, Self.host6, 9091)
        XCTAssertThrowsError(try publish(c, Self.host6, 9091)) {
            XCTAssertEqual("\($0)", "host port [2001:db8::10]:9091/tcp is already published by container 'beta' (endpoint \(b.id)) on network 'web'")
        }
        try publish(c, .v6(IPv6Address("2001:db8::11")!), 9091)
        XCTAssertEqual(try store.ports().count, 4)
    }

    func testHostAddressesOverlap() {
        let v4 = IPAddress.v4(IPv4Address("192.0.2.10")!)
        let cases: [(IPAddress?, IPAddress?, Bool)] = [
            (nil, nil, true), (nil, Self.any6, true), (Self.any4, nil, true), (nil, Self.host6, true),
            (Self.any4, Self.any6, false), (Self.any4, Self.host6, false), (v4, Self.any6, false), (v4, Self.host6, false),
            (Self.any6, Self.host6, true), (Self.host6, Self.any6, true), (Self.any4, v4, true),
            (Self.host6, Self.host6, true), (Self.host6, .v6(IPv6Address("2001:db8::11")!), false),
        ]
        for (x, y, overlap) in cases {
            XCTAssertEqual(Store.hostAddressesOverlap(x, y), overlap, "\(String(describing: x)) \(String(describing: y))")
        }
    }

    /// Rows read back with their host address as published (one family's every address is not
    /// nil) and both of the endpoint's addresses.
    func testIPv6RowsReadBack() throws {
        try publish(a, Self.any6, 8080)
        try publish(a, Self.any4, 8081)
        try publish(a, Self.host6, 8082)
        try publish(c, nil, 8083)

        let rows = try store.ports().sorted { $0.hostPort < $1.hostPort }
        XCTAssertEqual(rows.map(\.hostPort), [8080, 8081, 8082, 8083])
        XCTAssertEqual(rows.map(\.hostIP), [Self.any6, Self.any4, Self.host6, nil])
        XCTAssertEqual(rows.map(\.containerAddress), [a.address, a.address, a.address, nil])
        XCTAssertEqual(rows.map(\.containerAddress6), [a.address6, a.address6, a.address6, c.address6])
        XCTAssertEqual(Set(PortRecord.mappings(try store.ports(endpoint: a.id)).map(\.mapping)), [
            PortMapping(hostIP: Self.any6, hostPort: 8080, containerPort: 80),
            PortMapping(hostIP: Self.any4, hostPort: 8081, containerPort: 80),
            PortMapping(hostIP: Self.host6, hostPort: 8082, containerPort: 80),
        ])
    }
}
