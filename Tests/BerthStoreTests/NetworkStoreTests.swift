import XCTest
import BerthAddress
import BerthStore
import BerthTestSupport
#if canImport(Glibc)
import Glibc
#endif

final class NetworkStoreTests: XCTestCase {
    private var dir: TemporaryDirectory!
    override func setUp() { dir = TemporaryDirectory() }
    override func tearDown() { dir.remove() }

    func testCreatesMissingDirectoryPrivately() throws {
        let nested = dir.path + "/state/berth"
        let store = try Store(directory: nested)
        XCTAssertEqual(store.path, nested + "/berth.db")
        var info = stat()
        XCTAssertEqual(stat(nested, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o700)
        XCTAssertEqual(access(nested + "/berth.db", F_OK), 0)
    }

    func testNetworkRoundTrip() throws {
        let store = try Store(directory: dir.path)
        var web = Fixtures.network("web", subnet: "172.17.0.0/24", labels: ["team": "a\"b", "env": "prod"],
                                   ipRange: "172.17.0.128/25")
        web.mtu = 1450
        web.isInternal = true
        web.masquerade = false
        try store.insertNetwork(web)
        try store.insertNetwork(Fixtures.network("db", subnet: "172.17.1.0/24"))
        XCTAssertEqual(try store.network(named: "web"), web)
        XCTAssertNil(try store.network(named: "nope"))
        XCTAssertEqual(try store.networks().map(\.name), ["db", "web"])
        XCTAssertEqual(try store.networks().first?.labels, [:])
    }

    func testCursor() throws {
        let store = try Store(directory: dir.path)
        try store.insertNetwork(Fixtures.network("web"))
        XCTAssertNil(try store.network(named: "web")?.lastAllocated)
        XCTAssertTrue(try store.setCursor(network: "web", lastAllocated: IPv4Address("10.88.0.9")!))
        XCTAssertEqual(try store.network(named: "web")?.lastAllocated, IPv4Address("10.88.0.9"))
        XCTAssertFalse(try store.setCursor(network: "nope", lastAllocated: IPv4Address("10.88.0.9")!))
    }

    func testDuplicateNameAndBridgeConflict() throws {
        let store = try Store(directory: dir.path)
        try store.insertNetwork(Fixtures.network("web", bridge: "br0"))
        XCTAssertThrowsError(try store.insertNetwork(Fixtures.network("web", subnet: "10.1.0.0/24", bridge: "br1"))) {
            XCTAssertEqual($0 as? StoreError, .conflict("a network named 'web' already exists"))
        }
        XCTAssertThrowsError(try store.insertNetwork(Fixtures.network("db", subnet: "10.1.0.0/24", bridge: "br0"))) {
            XCTAssertEqual($0 as? StoreError, .conflict("bridge 'br0' is already used by network 'web'"))
        }
        XCTAssertEqual(try store.networks().count, 1)
    }

    func testDeleteNetworkCascadesToEndpoints() throws {
        let store = try Store(directory: dir.path)
        try store.insertNetwork(Fixtures.network("web"))
        try store.insertNetwork(Fixtures.network("db", subnet: "10.89.0.0/24"))
        try store.insertEndpoint(Fixtures.endpoint("web", address: "10.88.0.2"))
        try store.insertEndpoint(Fixtures.endpoint("web", address: "10.88.0.3", containerID: "c2", netns: (4, 2)))
        try store.insertEndpoint(Fixtures.endpoint("db", address: "10.89.0.2"))
        XCTAssertTrue(try store.deleteNetwork(named: "web"))
        XCTAssertNil(try store.network(named: "web"))
        XCTAssertEqual(try store.endpoints().map(\.network), ["db"])
        XCTAssertEqual(try store.endpointCount(network: "web"), 0)
        XCTAssertFalse(try store.deleteNetwork(named: "web"), "deleting twice is not an error")
    }

    func testRandomID() {
        let ids = (0..<1000).map { _ in Store.randomID() }
        XCTAssertEqual(Set(ids).count, ids.count)
        for id in ids {
            XCTAssertEqual(id.count, 16)
            XCTAssertTrue(id.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }, id)
        }
    }
}
