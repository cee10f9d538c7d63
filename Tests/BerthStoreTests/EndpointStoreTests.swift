import XCTest
import BerthAddress
import BerthStore
import BerthTestSupport

final class EndpointStoreTests: XCTestCase {
    private var dir: TemporaryDirectory!
    private var store: Store!

    override func setUpWithError() throws {
        dir = TemporaryDirectory()
        store = try Store(directory: dir.path)
        try store.insertNetwork(Fixtures.network("web"))
        try store.insertNetwork(Fixtures.network("db", subnet: "10.89.0.0/24"))
    }

    override func tearDown() {
        store = nil
        dir.remove()
    }

    func testEndpointRoundTripIncludingFullWidthInode() throws {
        var e = Fixtures.endpoint("web", address: "10.88.0.2", netns: (UInt64.max, 1 << 63 | 77), state: .creating)
        e.netnsPath = ""
        try store.insertEndpoint(e)
        XCTAssertEqual(try store.endpoint(id: e.id), e)
        XCTAssertNil(try store.endpoint(id: "0000000000000000"))
        XCTAssertEqual(try store.endpoint(network: "web", netnsDevice: UInt64.max, netnsInode: 1 << 63 | 77, ifname: "eth0"), e)
    }

    func testLookups() throws {
        let a = Fixtures.endpoint("web", address: "10.88.0.2", containerID: "alpha", netns: (4, 100), created: 10)
        let b = Fixtures.endpoint("web", address: "10.88.0.3", containerID: "beta", netns: (4, 200), created: 5)
        let c = Fixtures.endpoint("db", address: "10.89.0.2", containerID: "alpha", netns: (4, 100), ifname: "eth1")
        let d = Fixtures.endpoint("db", address: "10.89.0.3", containerID: "alpha", netns: (4, 100), ifname: "eth0", created: 1)
        for e in [a, b, c, d] { try store.insertEndpoint(e) }

        XCTAssertEqual(try store.endpoints(), [d, c, b, a], "ordered by network, created, id")
        XCTAssertEqual(try store.endpoints(network: "web"), [b, a])
        XCTAssertEqual(try store.endpoints(network: "web", containerID: "alpha"), [a])
        XCTAssertEqual(try store.endpoints(network: "db", containerID: "alpha"), [d, c])
        XCTAssertEqual(try store.endpoints(netnsDevice: 4, netnsInode: 100, ifname: "eth0"), [d, a])
        XCTAssertEqual(try store.endpoint(network: "db", netnsDevice: 4, netnsInode: 100, ifname: "eth1"), c)
        XCTAssertNil(try store.endpoint(network: "web", netnsDevice: 4, netnsInode: 100, ifname: "eth1"))
        XCTAssertTrue(try store.isAddressTaken(network: "web", address: IPv4Address("10.88.0.3")!))
        XCTAssertFalse(try store.isAddressTaken(network: "web", address: IPv4Address("10.88.0.4")!))
        XCTAssertFalse(try store.isAddressTaken(network: "db", address: IPv4Address("10.88.0.3")!))
        XCTAssertEqual(try store.endpointCount(network: "web"), 2)
        XCTAssertEqual(try store.endpointCount(network: "nope"), 0)
    }

    func testStateChangeAndDelete() throws {
        let e = Fixtures.endpoint("web", address: "10.88.0.2", state: .creating)
        try store.insertEndpoint(e)
        XCTAssertTrue(try store.setState(endpoint: e.id, .active))
        XCTAssertEqual(try store.endpoint(id: e.id)?.state, .active)
        XCTAssertTrue(try store.setState(endpoint: e.id, .removing))
        XCTAssertEqual(try store.endpoint(id: e.id)?.state, .removing)
        XCTAssertFalse(try store.setState(endpoint: "missing", .active))
        XCTAssertTrue(try store.deleteEndpoint(id: e.id))
        XCTAssertFalse(try store.deleteEndpoint(id: e.id))
        XCTAssertFalse(try store.isAddressTaken(network: "web", address: e.address!))
    }

    func testConflicts() throws {
        let first = Fixtures.endpoint("web", address: "10.88.0.2", containerID: "alpha", netns: (4, 100), hostIfname: "vethA")
        try store.insertEndpoint(first)

        let sameAddress = Fixtures.endpoint("web", address: "10.88.0.2", containerID: "beta", netns: (4, 200))
        XCTAssertThrowsError(try store.insertEndpoint(sameAddress)) {
            XCTAssertEqual($0 as? StoreError,
                           .conflict("address 10.88.0.2 is already in use on network 'web' by endpoint \(first.id) (container alpha)"))
        }
        // The same address on another network is fine.
        try store.insertEndpoint(Fixtures.endpoint("db", address: "10.88.0.2", containerID: "beta", netns: (4, 200)))

        let sameIfname = Fixtures.endpoint("web", address: "10.88.0.3", containerID: "alpha", netns: (4, 100))
        XCTAssertThrowsError(try store.insertEndpoint(sameIfname)) {
            XCTAssertEqual($0 as? StoreError,
                           .conflict("the target's network namespace already has interface 'eth0' on network 'web'"))
        }

        let sameVeth = Fixtures.endpoint("web", address: "10.88.0.4", containerID: "gamma", netns: (4, 300), hostIfname: "vethA")
        XCTAssertThrowsError(try store.insertEndpoint(sameVeth)) {
            XCTAssertEqual($0 as? StoreError, .conflict("host interface 'vethA' is already used by endpoint \(first.id)"))
        }

        let sameID = Fixtures.endpoint("web", address: "10.88.0.5", id: first.id, containerID: "delta", netns: (4, 400), hostIfname: "vethD")
        XCTAssertThrowsError(try store.insertEndpoint(sameID)) {
            XCTAssertEqual($0 as? StoreError, .conflict("endpoint id \(first.id) is already in use"))
        }

        let noNetwork = Fixtures.endpoint("ghost", address: "10.88.0.6", netns: (4, 500))
        XCTAssertThrowsError(try store.insertEndpoint(noNetwork)) {
            XCTAssertEqual($0 as? StoreError, .conflict("no network named 'ghost'"))
        }
        XCTAssertEqual(try store.endpointCount(network: "web"), 1)
    }
}
