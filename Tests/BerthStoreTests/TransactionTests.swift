import XCTest
import Dispatch
import Synchronization
import BerthAddress
@testable import BerthStore
import BerthTestSupport
#if canImport(Glibc)
import Glibc
#endif

final class TransactionTests: XCTestCase {
    private struct Abort: Error {}
    private var dir: TemporaryDirectory!
    override func setUp() { dir = TemporaryDirectory() }
    override func tearDown() { dir.remove() }

    func testCommitReturnsValueAndPersists() throws {
        let store = try Store(directory: dir.path)
        let name = try store.transaction { () throws -> String in
            try store.insertNetwork(Fixtures.network("web"))
            return "web"
        }
        XCTAssertEqual(name, "web")
        XCTAssertNotNil(try Store(directory: dir.path).network(named: "web"))
    }

    func testThrowRollsBack() throws {
        let store = try Store(directory: dir.path)
        XCTAssertThrowsError(try store.transaction {
            try store.insertNetwork(Fixtures.network("web"))
            try store.insertEndpoint(Fixtures.endpoint("web", address: "10.88.0.2"))
            throw Abort()
        }) { XCTAssertTrue($0 is Abort) }
        XCTAssertEqual(try store.networks(), [])
        XCTAssertEqual(try store.endpoints(), [])
        // The store is still usable afterwards.
        try store.transaction { try store.insertNetwork(Fixtures.network("web")) }
        XCTAssertEqual(try store.networks().count, 1)
    }

    func testConflictInsideTransactionRollsBackEarlierWrites() throws {
        let store = try Store(directory: dir.path)
        try store.insertNetwork(Fixtures.network("web", bridge: "br0"))
        XCTAssertThrowsError(try store.transaction {
            try store.insertNetwork(Fixtures.network("db", subnet: "10.1.0.0/24"))
            try store.insertNetwork(Fixtures.network("other", subnet: "10.2.0.0/24", bridge: "br0"))
        })
        XCTAssertEqual(try store.networks().map(\.name), ["web"])
    }

    func testNestedTransactionIsASavepoint() throws {
        let store = try Store(directory: dir.path)
        try store.transaction {
            try store.insertNetwork(Fixtures.network("outer"))
            XCTAssertThrowsError(try store.transaction {
                try store.insertNetwork(Fixtures.network("inner", subnet: "10.1.0.0/24"))
                throw Abort()
            })
            try store.transaction { try store.insertNetwork(Fixtures.network("kept", subnet: "10.2.0.0/24")) }
        }
        XCTAssertEqual(try store.networks().map(\.name), ["kept", "outer"])
    }

    func testTwoStoresSeeEachOthersWrites() throws {
        let a = try Store(directory: dir.path)
        let b = try Store(directory: dir.path)
        try a.insertNetwork(Fixtures.network("web"))
        XCTAssertNotNil(try b.network(named: "web"))
        try b.insertEndpoint(Fixtures.endpoint("web", address: "10.88.0.2"))
        XCTAssertTrue(try a.isAddressTaken(network: "web", address: IPv4Address("10.88.0.2")!))
        try b.transaction { try b.setCursor(network: "web", lastAllocated: IPv4Address("10.88.0.2")!) }
        XCTAssertEqual(try a.network(named: "web")?.lastAllocated, IPv4Address("10.88.0.2"))
        XCTAssertTrue(try a.deleteNetwork(named: "web"))
        XCTAssertEqual(try b.endpoints(), [])
    }

    /// A second store's transaction starts only once the first has committed. The other writer
    /// first checks, on a connection that never waits, that the write lock is held, and says so:
    /// only then does the first transaction go on to commit (no sleeping on either side).
    func testWriterWaitsForAnotherStoresTransaction() throws {
        let path = dir.path
        let store = try Store(directory: path)
        try store.insertNetwork(Fixtures.network("web"))
        let log = Mutex<[String]>([])
        let lockSeenHeld = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        try store.transaction {
            try store.insertEndpoint(Fixtures.endpoint("web", address: "10.88.0.2"))
            DispatchQueue.global().async(group: group) {
                do {
                    let other = try Store(directory: path)
                    do {
                        let probe = try SQLiteConnection(path: path + "/berth.db", busyTimeoutMilliseconds: 0)
                        defer { probe.close() }
                        if (try? probe.execute("BEGIN IMMEDIATE")) != nil {
                            log.withLock { $0.append("other took the write lock during the first transaction") }
                            try probe.execute("ROLLBACK")
                        }
                    }
                    lockSeenHeld.signal()
                    try other.transaction {
                        // Inside the lock the first transaction must already be committed.
                        let seen = try other.isAddressTaken(network: "web", address: IPv4Address("10.88.0.2")!)
                        log.withLock { $0.append("other saw first: \(seen)") }
                        try other.insertEndpoint(Fixtures.endpoint("web", address: "10.88.0.3", containerID: "c2", netns: (4, 2)))
                    }
                } catch {
                    lockSeenHeld.signal()
                    log.withLock { $0.append("other failed: \(error)") }
                }
            }
            lockSeenHeld.wait()
            log.withLock { $0.append("first committing") }
        }
        group.wait()
        XCTAssertEqual(log.withLock { $0 }, ["first committing", "other saw first: true"])
        XCTAssertEqual(try store.endpointCount(network: "web"), 2)
    }
}
