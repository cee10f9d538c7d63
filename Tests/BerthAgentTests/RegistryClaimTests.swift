import BerthAddress
import BerthEtcd
import XCTest
@testable import BerthAgent

final class RegistryClaimTests: XCTestCase {
    let block0 = IPv4Subnet("10.240.0.0/24")!
    let block1 = IPv4Subnet("10.240.1.0/24")!
    let block2 = IPv4Subnet("10.240.2.0/24")!

    func setUp(_ request: OverlayRequest = OverlayRequest()) async throws -> (RegistryFakeStore, OverlayRegistry) {
        let store = RegistryFakeStore()
        let r = OverlayRegistry(store: store, keys: try OverlayKeys())
        _ = try await r.define(network: "ov", request: request)
        return (store, r)
    }

    func testLowestFreeThenReclaimAfterRestart() async throws {
        let (store, r) = try await setUp()
        let a = try await r.claimBlock(network: "ov", hostID: "aaaa", hostname: "host-a")
        XCTAssertEqual(a, OverlayRegistry.Claim(block: block0, reclaimed: false))
        let b = try await r.claimBlock(network: "ov", hostID: "bbbb", hostname: "host-b")
        XCTAssertEqual(b.block, block1)
        let stored = await store.value("/berth/overlay/ov/reservations/10.240.0.0-24")
        XCTAssertEqual(stored, #"{"host":"aaaa","hostname":"host-a"}"#)
        // Host a restarts (even under a new hostname): same block, nothing written.
        let before = await store.revision
        let again = try await r.claimBlock(network: "ov", hostID: "aaaa", hostname: "renamed")
        XCTAssertEqual(again, OverlayRegistry.Claim(block: block0, reclaimed: true))
        let after = await store.revision
        XCTAssertEqual(before, after)
    }

    func testTwoHostsClaimingAtOnceGetDistinctBlocks() async throws {
        let (store, r) = try await setUp()
        // Deterministic race: both read the same free list, the other host's txn lands first.
        await store.setBeforeTxn { n, s in
            if n == 2 { await s.set("/berth/overlay/ov/reservations/10.240.0.0-24", #"{"host":"other","hostname":"x"}"#) }
        }
        let mine = try await r.claimBlock(network: "ov", hostID: "mine", hostname: "m")
        XCTAssertEqual(mine.block, block1)
        await store.setBeforeTxn(nil)
        // And truly concurrent claims by many hosts.
        let claims = try await withThrowingTaskGroup(of: IPv4Subnet.self) { group in
            for i in 0..<20 { group.addTask { try await r.claimBlock(network: "ov", hostID: "h\(i)", hostname: "h\(i)").block } }
            var out: [IPv4Subnet] = []
            for try await b in group { out.append(b) }
            return out
        }
        XCTAssertEqual(Set(claims).count, 20)
        XCTAssertFalse(claims.contains(block0) || claims.contains(block1))
        let reservations = try await r.reservations(network: "ov")
        XCTAssertEqual(reservations.count, 22)
    }

    func testTimedOutTxnThatWonIsKept() async throws {
        let (store, r) = try await setUp()
        await store.setTimeOut([2])   // txn 1 was the definition
        let c = try await r.claimBlock(network: "ov", hostID: "aaaa", hostname: "a")
        XCTAssertEqual(c.block, block0)
        let keys = await store.keys.filter { $0.contains("reservations") }
        XCTAssertEqual(keys.count, 1)
    }

    func testTimedOutTxnThatWasNotAppliedRetriesTheSameBlock() async throws {
        let (store, r) = try await setUp()
        await store.setDrop([2])
        let c = try await r.claimBlock(network: "ov", hostID: "aaaa", hostname: "a")
        XCTAssertEqual(c.block, block0)
    }

    func testTimedOutTxnLostToAnotherHostMovesOn() async throws {
        let (store, r) = try await setUp()
        await store.setBeforeTxn { n, s in
            if n == 2 { await s.set("/berth/overlay/ov/reservations/10.240.0.0-24", #"{"host":"other","hostname":"x"}"#) }
        }
        await store.setTimeOut([2])
        let c = try await r.claimBlock(network: "ov", hostID: "aaaa", hostname: "a")
        XCTAssertEqual(c.block, block1)
    }

    func testAvoidsLocalSubnets() async throws {
        let (_, r) = try await setUp()
        let c = try await r.claimBlock(network: "ov", hostID: "a", hostname: "a", avoiding: [IPv4Subnet("10.240.0.0/23")!])
        XCTAssertEqual(c.block, block2)
    }

    func testExhaustionNamesDeadReservationsAndForget() async throws {
        let (store, r) = try await setUp(OverlayRequest(subnet: IPv4Subnet("10.250.0.0/23"), hostPrefix: 24))
        let a = try await r.claimBlock(network: "ov", hostID: "aaaa", hostname: "alive")
        _ = try await r.claimBlock(network: "ov", hostID: "dddd", hostname: "dead")
        let lease = await store.grant(ttl: 60)
        try await r.publishPeer(network: "ov", block: a.block, record: OverlayPeerRecord(
            host: "aaaa", hostname: "alive", vtep: IPv4Address("198.51.100.11")!, mac: MACAddress("02:00:00:00:00:0a")!, endpoints: 1), lease: lease)
        do {
            _ = try await r.claimBlock(network: "ov", hostID: "cccc", hostname: "new")
            XCTFail("claimed")
        } catch let e as OverlayRegistryError {
            XCTAssertEqual(e.description, "overlay network 'ov' has no free /24 block left in 10.250.0.0/23; reserved by hosts without a live agent: 10.250.1.0/24 (host dddd dead); free one with `berth overlay forget ov BLOCK`")
        }
        // Forget is refused while the block's agent is alive…
        do {
            try await r.forget(network: "ov", block: a.block)
            XCTFail("forgot a live block")
        } catch let e as OverlayRegistryError {
            XCTAssertEqual(e.description, "block 10.250.0.0/24 of overlay network 'ov' has a live agent (host aaaa alive, VTEP 198.51.100.11): stop it or run `berth network rm ov` on that host")
        }
        // …allowed for the dead one, and then the block is free.
        try await r.forget(network: "ov", block: IPv4Subnet("10.250.1.0/24")!)
        let c = try await r.claimBlock(network: "ov", hostID: "cccc", hostname: "new")
        XCTAssertEqual(c.block, IPv4Subnet("10.250.1.0/24"))
        do { try await r.forget(network: "ov", block: IPv4Subnet("10.250.9.0/24")!); XCTFail() } catch let e as OverlayRegistryError {
            XCTAssertEqual(e, .noReservation(network: "ov", block: IPv4Subnet("10.250.9.0/24")!))
        }
        // When the live host's lease expires, its block can be forgotten too.
        await store.expire(lease: lease)
        try await r.forget(network: "ov", block: a.block)
    }

    func testClaimOnUndefinedNetwork() async throws {
        let r = OverlayRegistry(store: RegistryFakeStore(), keys: try OverlayKeys())
        do { _ = try await r.claimBlock(network: "nope", hostID: "a", hostname: "a"); XCTFail() } catch let e as OverlayRegistryError {
            XCTAssertEqual(e.description, "overlay network 'nope' is not defined in etcd")
        }
    }
}
