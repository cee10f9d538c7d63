import XCTest
@testable import BerthEtcd

final class ResponseDecodingTests: XCTestCase {
    private func doc(_ text: String) throws -> BerthJSONObject { try EtcdDecoding.document(Array(text.utf8)) }

    func testRange() throws {
        let r = try EtcdDecoding.range(try doc(Captured.rangeTwo))
        XCTAssertEqual(r.header.revision, 3)
        XCTAssertEqual(r.kvs, [
            EtcdKeyValue(key: "/a/x", value: "v1", createRevision: 2, modRevision: 2, version: 1),
            EtcdKeyValue(key: "/a/y", value: "v2", createRevision: 3, modRevision: 3, version: 1),
        ])
        let empty = try EtcdDecoding.range(try doc(Captured.rangeEmpty))
        XCTAssertEqual(empty.kvs, [])
        XCTAssertEqual(empty.header.revision, 3)
        XCTAssertEqual(try EtcdDecoding.header(try doc(Captured.put)).revision, 2)
    }

    func testTxn() throws {
        let won = try EtcdDecoding.txn(try doc(Captured.txnSucceeded))
        XCTAssertTrue(won.succeeded)
        XCTAssertEqual(won.responses, [.put(EtcdResponseHeader(revision: 5))])
        // proto3 leaves `succeeded` out when it is false.
        let lost = try EtcdDecoding.txn(try doc(Captured.txnFailed))
        XCTAssertFalse(lost.succeeded)
        XCTAssertEqual(lost.responses, [.range(EtcdRangeResponse(header: EtcdResponseHeader(revision: 5), kvs: [
            EtcdKeyValue(key: "/a/new", value: "n", createRevision: 5, modRevision: 5, version: 1)]))])
        let deleted = try EtcdDecoding.txn(try doc(Captured.txnDelete))
        guard case .deleteRange(let d)? = deleted.responses.first else { return XCTFail() }
        XCTAssertEqual(d.deleted, 1)
        XCTAssertEqual(d.prevKvs.first?.value, "n")
        XCTAssertEqual(try EtcdDecoding.deleteRange(try doc(Captured.deleteRange)).deleted, 1)
    }

    func testLeases() throws {
        XCTAssertEqual(try EtcdDecoding.lease(try doc(Captured.leaseGrant)), EtcdLease(id: 7587899317478360842, ttl: 10))
        let ka = try EtcdDecoding.streamResult(try doc(Captured.keepAlive))
        XCTAssertEqual(try EtcdDecoding.int64(ka, "TTL"), 30)
        let gone = try EtcdDecoding.streamResult(try doc(Captured.keepAliveUnknown))
        XCTAssertEqual(try EtcdDecoding.int64(gone, "TTL"), 0)
        XCTAssertEqual(try EtcdDecoding.timeToLive(try doc(Captured.timeToLive)),
                       EtcdLeaseTimeToLive(id: 7587899317478360844, ttl: 29, grantedTTL: 30))
        XCTAssertEqual(try EtcdDecoding.timeToLive(try doc(Captured.timeToLiveUnknown)).ttl, -1)
    }

    func testWatchMessages() throws {
        let created = try EtcdDecoding.watch(try EtcdDecoding.streamResult(try doc(Captured.watchLines[0])))
        XCTAssertTrue(created.created)
        XCTAssertEqual(created.header.revision, 8)
        let history = try EtcdDecoding.watch(try EtcdDecoding.streamResult(try doc(Captured.watchLines[1])))
        XCTAssertEqual(history.events.count, 7)
        XCTAssertEqual(history.events[0], EtcdWatchEvent(kind: .put, kv: EtcdKeyValue(key: "/a/x", value: "v1", createRevision: 2, modRevision: 2, version: 1)))
        XCTAssertEqual(history.events[2].kv.lease, 7587899317478360844)
        XCTAssertEqual(history.events[6].kind, .delete)
        XCTAssertEqual(history.events[6].kv, EtcdKeyValue(key: "/a/zzz", value: "", modRevision: 8))
        XCTAssertEqual(history.events[6].prevKV?.value, "v3")
        let update = try EtcdDecoding.watch(try EtcdDecoding.streamResult(try doc(Captured.watchLines[2])))
        XCTAssertEqual(update.events.first?.prevKV?.value, "v1")
        XCTAssertEqual(update.events.first?.kv.value, "v9")
        let canceled = try EtcdDecoding.watch(try EtcdDecoding.streamResult(try doc(Captured.watchCompacted[1])))
        XCTAssertTrue(canceled.canceled)
        XCTAssertEqual(canceled.compactRevision, 8)
        XCTAssertEqual(canceled.header.revision, 0)
    }

    func testErrors() {
        XCTAssertEqual(EtcdDecoding.httpError(status: 400, body: Array(Captured.badJSON.utf8)),
                       .http(status: 400, code: 3, message: "unexpected EOF"))
        XCTAssertEqual(EtcdDecoding.httpError(status: 404, body: Array(Captured.leaseNotFound.utf8)), .leaseNotFound)
        XCTAssertEqual(EtcdDecoding.httpError(status: 400, body: Array(Captured.compactedRange.utf8)),
                       .http(status: 400, code: 11, message: "etcdserver: mvcc: required revision has been compacted"))
        XCTAssertEqual(EtcdDecoding.httpError(status: 502, body: Array("Bad Gateway".utf8)),
                       .http(status: 502, code: 0, message: "Bad Gateway"))
        XCTAssertThrowsError(try EtcdDecoding.range(try doc(#"{"kvs":[{"key":"!!"}]}"#)))
        XCTAssertThrowsError(try EtcdDecoding.header(try doc(#"{"header":{"revision":"x"}}"#)))
        XCTAssertThrowsError(try doc("[1]"))
        XCTAssertThrowsError(try EtcdDecoding.streamResult(try doc(#"{"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader"}}"#))) {
            XCTAssertEqual($0 as? EtcdError, .http(status: 503, code: 14, message: "etcdserver: no leader"))
        }
    }

    func testDescriptionsAreOneLine() {
        let all: [EtcdError] = [
            .unreachable(endpoints: ["http://198.51.100.100:2379", "http://198.51.100.101:2379"], reason: "connection refused"),
            .http(status: 400, code: 3, message: "bad"), .compacted(revision: 8), .leaseNotFound, .timeout,
            .malformed(reason: "x"),
        ]
        for e in all {
            XCTAssertFalse(e.description.contains("\n"))
            XCTAssertTrue(e.description.hasPrefix("etcd") || e.description.hasPrefix("unreadable"))
        }
        XCTAssertEqual(EtcdError.unreachable(endpoints: ["http://a:1", "http://b:2"], reason: "r").description,
                       "etcd unreachable at http://a:1,http://b:2: r")
    }
}

import BerthJSON
typealias BerthJSONObject = BerthJSON.JSONObject
