import XCTest
@testable import BerthEtcd

/// The client against a real etcd: skipped unless BERTH_ETCD_ENDPOINTS names one (comma-
/// separated URLs), as tests/integration/test_etcd_client.sh does inside a throwaway network
/// namespace. BERTH_ETCD_CACERT, BERTH_ETCD_CERT and BERTH_ETCD_KEY give TLS files.
final class LiveEtcdTests: XCTestCase {
    private func env(_ name: String) -> String? {
        guard let p = getenv(name) else { return nil }
        let s = String(cString: p)
        return s.isEmpty ? nil : s
    }

    private func client(endpoints extra: [String] = []) throws -> EtcdClient {
        guard let list = env("BERTH_ETCD_ENDPOINTS") else { throw XCTSkip("BERTH_ETCD_ENDPOINTS not set") }
        let tls = env("BERTH_ETCD_CACERT").map { EtcdTLS(caFile: $0, certFile: env("BERTH_ETCD_CERT"), keyFile: env("BERTH_ETCD_KEY")) }
        return try EtcdClient(endpoints: extra + list.split(separator: ",").map(String.init), tls: tls, requestTimeout: .seconds(3))
    }

    private var unique: String { "/berth-live-\(getpid())-\(UInt32.random(in: 0...UInt32.max))/" }

    func testKVAndTxn() async throws {
        let etcd = try client()
        let p = unique
        try await etcd.put(key: p + "a", value: "1")
        try await etcd.put(key: p + "b", value: "{\"x\":2}")
        let all = try await etcd.range(key: p, prefix: true)
        XCTAssertEqual(all.kvs.map(\.key), [p + "a", p + "b"])
        XCTAssertEqual(all.kvs.map(\.value), ["1", "{\"x\":2}"])
        XCTAssertEqual(all.kvs[0].version, 1)
        XCTAssertGreaterThan(all.header.revision, 0)
        let none = try await etcd.range(key: p + "zz")
        XCTAssertEqual(none.kvs, [])
        let first = try await etcd.txn(compare: [.absent(p + "c")], success: [.put(key: p + "c", value: "mine")], failure: [.range(key: p + "c")])
        XCTAssertTrue(first.succeeded)
        let second = try await etcd.txn(compare: [.absent(p + "c")], success: [.put(key: p + "c", value: "theirs")], failure: [.range(key: p + "c")])
        XCTAssertFalse(second.succeeded)
        guard case .range(let r)? = second.responses.first else { return XCTFail("\(second)") }
        XCTAssertEqual(r.kvs.first?.value, "mine")
        let c = try await etcd.range(key: p + "c").kvs[0]
        let byMod = try await etcd.txn(compare: [EtcdCompare(key: p + "c", .equal, .modRevision(c.modRevision)), .valueEquals(p + "c", "mine")],
                                       success: [.deleteRange(key: p + "c")], failure: [])
        XCTAssertTrue(byMod.succeeded)
        let deleted = try await etcd.deleteRange(key: p, prefix: true)
        XCTAssertEqual(deleted.deleted, 2)
        etcd.close()
    }

    func testLeases() async throws {
        let etcd = try client()
        let p = unique
        let lease = try await etcd.leaseGrant(ttl: 30)
        XCTAssertEqual(lease.ttl, 30)
        try await etcd.put(key: p + "leased", value: "x", lease: lease.id)
        let leasedKey = try await etcd.range(key: p + "leased").kvs.first
        XCTAssertEqual(leasedKey?.lease, lease.id)
        let ttl = try await etcd.leaseKeepAlive(id: lease.id)
        XCTAssertEqual(ttl, 30)
        let left = try await etcd.leaseTimeToLive(id: lease.id)
        XCTAssertEqual(left.grantedTTL, 30)
        try await etcd.leaseRevoke(id: lease.id)
        let afterRevoke = try await etcd.range(key: p + "leased").kvs
        XCTAssertEqual(afterRevoke, [])
        for call in ["keepalive", "ttl", "revoke"] {
            do {
                switch call {
                case "keepalive": _ = try await etcd.leaseKeepAlive(id: lease.id)
                case "ttl": _ = try await etcd.leaseTimeToLive(id: lease.id)
                default: try await etcd.leaseRevoke(id: lease.id)
                }
                XCTFail("\(call) of a revoked lease succeeded")
            } catch let e as EtcdError {
                XCTAssertEqual(e, .leaseNotFound, call)
            }
        }
    }

    func testWatchSeesPutAndDeleteWithPrevKV() async throws {
        let etcd = try client()
        let p = unique
        try await etcd.put(key: p + "before", value: "0")
        let start = try await etcd.range(key: p, prefix: true).header.revision
        let stream = etcd.watch(prefix: p, startRevision: start + 1, prevKV: true)
        var iterator = stream.makeAsyncIterator()
        let created = try await iterator.next()
        XCTAssertEqual(created?.created, true)
        try await etcd.put(key: p + "k", value: "v1")
        try await etcd.put(key: p + "k", value: "v2")
        try await etcd.deleteRange(key: p + "k")
        var events: [EtcdWatchEvent] = []
        var revision: Int64 = 0
        while events.count < 3, let response = try await iterator.next() {
            events += response.events
            revision = response.header.revision
        }
        XCTAssertEqual(events.map(\.kind), [.put, .put, .delete])
        XCTAssertEqual(events.map(\.kv.value), ["v1", "v2", ""])
        XCTAssertEqual(events[1].prevKV?.value, "v1")
        XCTAssertEqual(events[2].prevKV?.value, "v2")
        XCTAssertEqual(revision, events[2].kv.modRevision)
        etcd.close()
        // close() ends the stream.
        do { while try await iterator.next() != nil {} } catch {}
        try await client().deleteRange(key: p, prefix: true)
    }

    func testWatchFromCompactedRevision() async throws {
        guard let rev = env("BERTH_ETCD_COMPACTED").flatMap({ Int64($0) }) else { throw XCTSkip("BERTH_ETCD_COMPACTED not set") }
        let etcd = try client()
        do {
            for try await response in etcd.watch(prefix: "/", startRevision: 1) { XCTAssertTrue(response.created) }
            XCTFail("watch ended without error")
        } catch let e as EtcdError {
            XCTAssertEqual(e, .compacted(revision: rev))
        }
    }

    func testTimeoutWhenNobodyAnswers() async throws {
        guard let hole = env("BERTH_ETCD_BLACKHOLE") else { throw XCTSkip("BERTH_ETCD_BLACKHOLE not set") }
        // A socket that accepts connections and never answers: the request goes out, no answer comes.
        let etcd = try EtcdClient(endpoints: [hole], requestTimeout: .milliseconds(500))
        let start = ContinuousClock.now
        do {
            _ = try await etcd.txn(compare: [.absent("/k")], success: [.put(key: "/k", value: "v")])
            XCTFail("answered")
        } catch let e as EtcdError {
            XCTAssertEqual(e, .timeout)
        }
        let elapsed = ContinuousClock.now - start
        XCTAssertLessThan(elapsed, .seconds(2))
        print("timeout after \(elapsed)")
    }

    func testFailoverAndUnreachable() async throws {
        // Port 1 on loopback: refused at once; the client moves on to the real endpoint.
        let etcd = try client(endpoints: ["http://127.0.0.1:1"])
        _ = try await etcd.range(key: "/nothing")
        let dead = try EtcdClient(endpoints: ["http://127.0.0.1:1", "http://127.0.0.1:2"], requestTimeout: .seconds(2))
        do {
            _ = try await dead.range(key: "/nothing")
            XCTFail("reached a closed port")
        } catch let e as EtcdError {
            guard case .unreachable(let endpoints, let reason) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(endpoints, ["http://127.0.0.1:1", "http://127.0.0.1:2"])
            XCTAssertTrue(reason.contains("refused"), reason)
            XCTAssertFalse(e.description.contains("\n"))
            print("unreachable: \(e)")
        }
        var watchError: Error?
        do { for try await _ in dead.watch(prefix: "/") {} } catch { watchError = error }
        guard case .unreachable? = watchError as? EtcdError else { return XCTFail("\(String(describing: watchError))") }
    }
}

#if canImport(Glibc)
import Glibc
#endif
