import BerthAddress
import BerthDNSCore
import BerthDNSWire
import XCTest

/// Costs printed, not asserted (debug builds and shared machines vary): the figures the
/// report quotes come from these.
final class PerformanceTests: XCTestCase {
    /// 1,000 endpoints with a name and an alias each on one network (2,000 names), plus a client.
    private static func large() -> DNSSnapshot {
        let network = DNSNetworkEntry(name: "big", subnet: IPv4Subnet("10.64.0.0/16"), gateway: IPv4Address(10, 64, 0, 1))
        let endpoints = (0..<1000).map { (i: Int) -> DNSEndpointEntry in
            DNSEndpointEntry(id: "endpoint-\(i)", network: "big", container: DNSContainerKey(device: 1, inode: UInt64(i)),
                             name: "container-\(i)", aliases: ["alias-\(i)"], address: address(i))
        }
        return DNSSnapshot(generation: 1, networks: [network], endpoints: endpoints)
    }

    func testUpdatesCostNamesTouchedNotARebuild() {
        var snapshot = Self.large()
        XCTAssertEqual(snapshot.nameCount, 2000)
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for i in 0..<1000 {
                let id = "endpoint-\(i % 1000)"
                let moved = DNSEndpointEntry(id: id, network: "big", container: DNSContainerKey(device: 1, inode: UInt64(i)),
                                             name: "container-\(i)", aliases: ["renamed-\(i)"],
                                             address: Self.address(i))
                snapshot = snapshot.updating(endpoint: moved, id: id, generation: UInt64(2 + i))
            }
        }
        XCTAssertEqual(snapshot.endpointCount, 1000)
        XCTAssertEqual(snapshot.nameCount, 2000)
        XCTAssertEqual(snapshot.generation, 1001)
        print("DNSSnapshot.updating(endpoint:), 1,000 endpoints: \(Self.micros(elapsed, 1000)) µs per update")
    }

    func testDecideThroughputForALocalAQuery() {
        let snapshot = Self.large()
        let query = DNSMessage(id: 1, recursionDesired: true,
                               questions: [DNSQuestion(name: try! DNSName("container-500.berth.internal"), type: .a)]).serialize()
        let client = IPAddress.v4(IPv4Address(10, 64, 1, 1))
        let count = 20_000
        var answered = 0
        let elapsed = ContinuousClock().measure {
            for i in 0..<count {
                let (decision, _) = DNSResolver.decide(query, from: client, listenerNetwork: "big", transport: .udp,
                                                       snapshot: snapshot, rotation: i)
                if case .respond = decision { answered += 1 }
            }
        }
        XCTAssertEqual(answered, count)
        print("DNSResolver.decide, local A query: \(Self.micros(elapsed, count)) µs per query")
    }

    /// The address of endpoint `i`: 10.64.1.1 onwards, 250 to a /24.
    private static func address(_ i: Int) -> IPv4Address {
        let third = UInt8(1 + i / 250), fourth = UInt8(1 + i % 250)
        return IPv4Address(10, 64, third, fourth)
    }

    private static func micros(_ duration: Duration, _ count: Int) -> String {
        let (seconds, attoseconds) = duration.components
        let total = Double(seconds) * 1e6 + Double(attoseconds) / 1e12
        return "\(Double(Int(total / Double(count) * 100)) / 100)"
    }
}
