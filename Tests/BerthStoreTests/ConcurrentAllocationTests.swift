import XCTest
import Dispatch
import Synchronization
import BerthAddress
import BerthIPAM
import BerthStore
import BerthTestSupport

/// Several writers, each with its own `Store` (as separate `berth` processes would have), allocate
/// addresses with read-decide-write transactions. None may hand out the same address twice.
final class ConcurrentAllocationTests: XCTestCase {
    private var dir: TemporaryDirectory!
    override func setUp() { dir = TemporaryDirectory() }
    override func tearDown() { dir.remove() }

    func testConcurrentAllocatorsNeverCollide() throws {
        let path = dir.path
        let setup = try Store(directory: path)
        try setup.insertNetwork(Fixtures.network("web", subnet: "10.88.0.0/24"))

        let writers = 4, perWriter = 40
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        for writer in 0..<writers {
            DispatchQueue.global().async(group: group) {
                do {
                    let store = try Store(directory: path)
                    for n in 0..<perWriter {
                        try store.transaction {
                            let network = try store.network(named: "web")!
                            guard let address = try AddressAllocator.next(
                                subnet: network.subnet!, range: network.ipRange, gateway: network.gateway!,
                                after: network.lastAllocated,
                                isTaken: { try store.isAddressTaken(network: "web", address: $0) }) else {
                                throw StoreError.conflict("exhausted")
                            }
                            try store.insertEndpoint(Fixtures.endpoint(
                                "web", address: address.description, containerID: "w\(writer)-\(n)",
                                netns: (4, UInt64(writer * 1000 + n))))
                            try store.setCursor(network: "web", lastAllocated: address)
                        }
                    }
                } catch {
                    failures.withLock { $0.append("writer \(writer): \(error)") }
                }
            }
        }
        group.wait()

        XCTAssertEqual(failures.withLock { $0 }, [])
        let endpoints = try setup.endpoints(network: "web")
        XCTAssertEqual(endpoints.count, writers * perWriter)
        XCTAssertEqual(Set(endpoints.map(\.address)).count, endpoints.count, "duplicate address handed out")
        // Round-robin across processes: the allocations are exactly .2 … .161, in some order.
        XCTAssertEqual(endpoints.map(\.address!.value).min(), IPv4Address("10.88.0.2")!.value)
        XCTAssertEqual(endpoints.map(\.address!.value).max(), IPv4Address("10.88.0.161")!.value)
        XCTAssertEqual(try setup.network(named: "web")?.lastAllocated, IPv4Address("10.88.0.161"))
    }
}
