import BerthAddress
import BerthEtcd
import XCTest
@testable import BerthAgent

final class RegistryPeerTests: XCTestCase {
    func record(_ host: String, _ n: UInt8) -> OverlayPeerRecord {
        OverlayPeerRecord(host: host, hostname: "host-\(host)", vtep: IPv4Address(198, 51, 100, 10 + n),
                          mac: MACAddress(bytes: [2, 0, 0, 0, 0, n])!, endpoints: Int(n))
    }

    func testPublishSnapshotLeaveAndRemoveEverywhere() async throws {
        let store = RegistryFakeStore()
        let r = OverlayRegistry(store: store, keys: try OverlayKeys())
        _ = try await r.define(network: "ov", request: OverlayRequest())
        _ = try await r.define(network: "other", request: OverlayRequest())
        let lease = await store.grant(ttl: 60)
        var blocks: [String: IPv4Subnet] = [:]
        for (i, host) in ["a", "b", "c"].enumerated() {
            let claim = try await r.claimBlock(network: "ov", hostID: host, hostname: "host-\(host)")
            blocks[host] = claim.block
            try await r.publishPeer(network: "ov", block: claim.block, record: record(host, UInt8(i + 1)), lease: lease)
        }
        let peerValue = await store.value("/berth/overlay/ov/peers/10.240.0.0-24")
        XCTAssertEqual(peerValue, #"{"host":"a","hostname":"host-a","vtep":"198.51.100.11","mac":"02:00:00:00:00:01","endpoints":1}"#)

        let snap = try await r.snapshot(network: "ov")
        XCTAssertEqual(snap.config?.vni, 4096)
        XCTAssertEqual(snap.reservations.map(\.host), ["a", "b", "c"])
        XCTAssertEqual(snap.peers.map(\.lease), [lease, lease, lease])
        XCTAssertEqual(snap.remotePeers(excludingHost: "b").map(\.record.host), ["a", "c"])
        XCTAssertEqual(snap.remotePeers(excludingHost: "b").map(\.block), [blocks["a"]!, blocks["c"]!])

        let all = try await r.listAll()
        XCTAssertEqual(all.networks.map(\.name), ["other", "ov"])
        XCTAssertEqual(all["other"]?.config?.vni, 4097)
        let rev = await store.revision
        XCTAssertEqual(all.revision, rev)

        // b leaves: its peer and reservation go, nothing else.
        try await r.leave(network: "ov", hostID: "b", block: blocks["b"]!)
        let afterLeave = try await r.snapshot(network: "ov")
        XCTAssertEqual(afterLeave.peers.map(\.record.host), ["a", "c"])
        XCTAssertEqual(afterLeave.reservations.map(\.host), ["a", "c"])
        // Leaving with another host's block changes nothing.
        try await r.leave(network: "ov", hostID: "b", block: blocks["a"]!)
        let unchanged = try await r.snapshot(network: "ov")
        XCTAssertEqual(unchanged, afterLeave)

        // A lease that expires takes the peers away; reservations stay.
        await store.expire(lease: lease)
        let expired = try await r.snapshot(network: "ov")
        XCTAssertEqual(expired.peers, [])
        XCTAssertEqual(expired.reservedOnly.map(\.host), ["a", "c"])

        let deleted = try await r.removeEverywhere(network: "ov")
        XCTAssertEqual(deleted, 3)
        let left = await store.keys
        XCTAssertEqual(left, ["/berth/overlay/other/config"])
    }

    func testPublishRefusedWhenReservationIsNotOurs() async throws {
        let store = RegistryFakeStore()
        let r = OverlayRegistry(store: store, keys: try OverlayKeys())
        _ = try await r.define(network: "ov", request: OverlayRequest())
        let a = try await r.claimBlock(network: "ov", hostID: "a", hostname: "a")
        // An operator forgot a's block and b took it.
        try await r.forget(network: "ov", block: a.block)
        let b = try await r.claimBlock(network: "ov", hostID: "b", hostname: "b")
        XCTAssertEqual(a.block, b.block)
        do {
            try await r.publishPeer(network: "ov", block: a.block, record: record("a", 1), lease: 0)
            XCTFail("published over b's block")
        } catch let e as OverlayRegistryError {
            XCTAssertEqual(e, .reservationLost(network: "ov", block: a.block))
        }
        // The reservation changing between the read and the txn is caught by the txn.
        await store.setBeforeTxn { _, s in
            await s.set("/berth/overlay/ov/reservations/10.240.0.0-24", #"{"host":"c","hostname":"c"}"#)
        }
        do {
            try await r.publishPeer(network: "ov", block: b.block, record: record("b", 2), lease: 0)
            XCTFail("published after the reservation changed")
        } catch let e as OverlayRegistryError {
            XCTAssertEqual(e, .reservationLost(network: "ov", block: b.block))
        }
        let peers = await store.keys.filter { $0.contains("/peers/") }
        XCTAssertEqual(peers, [])
    }

    func testUnreadableValuesAreListedNotThrown() async throws {
        let store = RegistryFakeStore()
        let r = OverlayRegistry(store: store, keys: try OverlayKeys())
        _ = try await r.define(network: "ov", request: OverlayRequest())
        await store.set("/berth/overlay/ov/peers/10.240.5.0-24", "garbage")
        let snap = try await r.snapshot(network: "ov")
        XCTAssertEqual(snap.unreadable, ["/berth/overlay/ov/peers/10.240.5.0-24"])
        XCTAssertNotNil(snap.config)
    }
}
