import XCTest
import BerthAddress
import BerthStore
import BerthTestSupport

final class PortStoreTests: XCTestCase {
    private var dir: TemporaryDirectory!
    private var store: Store!
    private let a = Fixtures.endpoint("web", address: "10.88.0.2", containerID: "alpha", netns: (4, 100))
    private let b = Fixtures.endpoint("web", address: "10.88.0.3", containerID: "beta", netns: (4, 200))

    override func setUpWithError() throws {
        dir = TemporaryDirectory()
        store = try Store(directory: dir.path)
        try store.insertNetwork(Fixtures.network("web"))
        try store.insertEndpoint(a)
        try store.insertEndpoint(b)
    }

    override func tearDown() {
        store = nil
        dir.remove()
    }

    private func publish(_ e: EndpointRecord, _ m: PortMapping) throws {
        try store.transaction { try store.publishPorts(endpoint: e.id, [m]) }
    }

    func testRangeIsOneRowPerPortAndFoldsBack() throws {
        try publish(a, PortMapping(hostPort: 9000, containerPort: 7000, count: 3))
        let rows = try store.ports(endpoint: a.id)
        XCTAssertEqual(rows.map(\.hostPort), [9000, 9001, 9002])
        XCTAssertEqual(rows.map(\.containerPort), [7000, 7001, 7002])
        XCTAssertEqual(rows.first?.containerAddress, a.address)
        XCTAssertEqual(rows.first?.containerID, "alpha")
        XCTAssertEqual(PortRecord.mappings(rows).map(\.mapping), [PortMapping(hostPort: 9000, containerPort: 7000, count: 3)])
    }

    func testDuplicateRefusedNamingTheOwner() throws {
        try publish(a, PortMapping(hostPort: 8080, containerPort: 80))
        XCTAssertThrowsError(try publish(b, PortMapping(hostPort: 8080, containerPort: 81))) { error in
            XCTAssertEqual("\(error)", "host port *:8080/tcp is already published by container 'alpha' (endpoint \(a.id)) on network 'web'")
        }
        // any-address vs one address, both ways; a range overlapping it
        XCTAssertThrowsError(try publish(b, PortMapping(hostIP: .v4(IPv4Address("203.0.113.2")!), hostPort: 8080, containerPort: 80)))
        XCTAssertThrowsError(try publish(b, PortMapping(hostPort: 8079, containerPort: 80, count: 2)))
        try publish(a, PortMapping(hostIP: .v4(IPv4Address("203.0.113.2")!), hostPort: 9090, containerPort: 80))
        XCTAssertThrowsError(try publish(b, PortMapping(hostPort: 9090, containerPort: 80)))
        // a refused range claims nothing
        XCTAssertEqual(try store.ports(endpoint: b.id), [])
        // other protocol, other address: free
        try publish(b, PortMapping(hostPort: 8080, containerPort: 80, proto: .udp))
        try publish(b, PortMapping(hostIP: .v4(IPv4Address("203.0.113.3")!), hostPort: 9090, containerPort: 80))
        XCTAssertEqual(try store.ports().count, 4)
    }

    func testPortsGoWithTheirEndpoint() throws {
        try publish(a, PortMapping(hostPort: 8080, containerPort: 80))
        try publish(b, PortMapping(hostPort: 8081, containerPort: 80))
        try store.deleteEndpoint(id: a.id)
        XCTAssertEqual(try store.ports().map(\.endpoint), [b.id])
        try store.deleteNetwork(named: "web")
        XCTAssertEqual(try store.ports(), [])
    }

    func testNetworkOptionsRoundTrip() throws {
        var n = Fixtures.network("quiet", subnet: "10.90.0.0/24")
        n.icc = false
        n.isolated = false
        try store.insertNetwork(n)
        XCTAssertEqual(try store.network(named: "quiet"), n)
        XCTAssertEqual(try store.network(named: "web")?.icc, true)
        XCTAssertEqual(try store.network(named: "web")?.isolated, true)
    }
}
