import BerthAddress
import BerthEtcd
import XCTest
@testable import BerthAgent
#if canImport(Glibc)
import Glibc
#endif

/// The registry over a real etcd through ``EtcdClient``: skipped unless BERTH_ETCD_ENDPOINTS
/// is set (run inside a throwaway network namespace with etcd, as for the client's live tests).
final class RegistryLiveEtcdTests: XCTestCase {
    func testHostsClaimingAtOnceOverRealEtcd() async throws {
        guard let p = getenv("BERTH_ETCD_ENDPOINTS"), !String(cString: p).isEmpty else { throw XCTSkip("BERTH_ETCD_ENDPOINTS not set") }
        let etcd = try EtcdClient(endpoints: String(cString: p).split(separator: ",").map(String.init))
        let keys = try OverlayKeys(prefix: "/berth-live-\(getpid())")
        let r = OverlayRegistry(store: etcd, keys: keys)
        let d = try await r.define(network: "ov", request: OverlayRequest(subnet: IPv4Subnet("10.250.0.0/20"), hostPrefix: 24))
        XCTAssertTrue(d.created)
        // Eight "hosts", each with its own client (own connections), all claiming at once.
        let blocks = try await withThrowingTaskGroup(of: (String, IPv4Subnet).self) { group in
            for i in 0..<8 {
                group.addTask {
                    let own = OverlayRegistry(store: try EtcdClient(endpoints: etcd.endpoints), keys: keys)
                    return ("h\(i)", try await own.claimBlock(network: "ov", hostID: "h\(i)", hostname: "host\(i)").block)
                }
            }
            var out: [String: IPv4Subnet] = [:]
            for try await (h, b) in group { out[h] = b }
            return out
        }
        XCTAssertEqual(Set(blocks.values).count, 8)
        XCTAssertEqual(Set(blocks.values), Set((0..<8).map { IPv4Subnet("10.250.\($0).0/24")! }))
        // Re-claim keeps the block; publishing with a lease; leave; forget refusal; exhaustion.
        let again = try await r.claimBlock(network: "ov", hostID: "h3", hostname: "host3")
        XCTAssertEqual(again, OverlayRegistry.Claim(block: blocks["h3"]!, reclaimed: true))
        let lease = try await etcd.leaseGrant(ttl: 30)
        try await r.publishPeer(network: "ov", block: blocks["h3"]!, record: OverlayPeerRecord(
            host: "h3", hostname: "host3", vtep: IPv4Address("198.51.100.13")!, mac: MACAddress("02:00:00:00:00:03")!, endpoints: 2), lease: lease.id)
        let snap = try await r.snapshot(network: "ov")
        XCTAssertEqual(snap.peers.map(\.lease), [lease.id])
        XCTAssertEqual(snap.reservedOnly.count, 7)
        do { try await r.forget(network: "ov", block: blocks["h3"]!); XCTFail("forgot a live block") } catch OverlayRegistryError.blockAlive {}
        for i in 8..<16 { _ = try await r.claimBlock(network: "ov", hostID: "x\(i)", hostname: "") }
        do { _ = try await r.claimBlock(network: "ov", hostID: "late", hostname: ""); XCTFail("claimed") } catch let e as OverlayRegistryError {
            print("exhausted: \(e)")
        }
        try await etcd.leaseRevoke(id: lease.id)
        try await r.leave(network: "ov", hostID: "h3", block: blocks["h3"]!)
        let listing = try await r.listAll()
        XCTAssertEqual(listing["ov"]?.reservations.count, 15)
        XCTAssertGreaterThan(listing.revision, 0)
        let removed = try await r.removeEverywhere(network: "ov")
        XCTAssertEqual(removed, 16)   // 15 reservations + config
        etcd.close()
    }
}
