import XCTest
@testable import BerthEtcd

final class RequestEncodingTests: XCTestCase {
    func testRangeAndPrefix() {
        let single = EtcdRequest.range(key: "/a/x", prefix: false)
        XCTAssertEqual(single.path, "/v3/kv/range")
        XCTAssertEqual(single.bodyText, #"{"key":"L2EveA=="}"#)
        let prefix = EtcdRequest.range(key: "/a/", prefix: true)
        XCTAssertEqual(prefix.bodyText, #"{"key":"L2Ev","range_end":"L2Ew"}"#)
    }

    func testPrefixEnd() {
        XCTAssertEqual(EtcdRequest.prefixEnd(Array("/a/".utf8)), Array("/a0".utf8))
        XCTAssertEqual(EtcdRequest.prefixEnd([0x61, 0xFF, 0xFF]), [0x62])
        XCTAssertEqual(EtcdRequest.prefixEnd([0xFF]), [0])
        XCTAssertEqual(EtcdRequest.prefixEnd([]), [0])
    }

    func testPut() {
        XCTAssertEqual(EtcdRequest.put(key: "/a/x", value: "v1", lease: 0).bodyText, #"{"key":"L2EveA==","value":"djE="}"#)
        let leased = EtcdRequest.put(key: "/a/zzz", value: "v3", lease: 7587899317478360844)
        XCTAssertEqual(leased.path, "/v3/kv/put")
        XCTAssertEqual(leased.bodyText, #"{"key":"L2Evenp6","value":"djM=","lease":"7587899317478360844"}"#)
    }

    func testTxnCreateIfAbsent() {
        let r = EtcdRequest.txn(compare: [.absent("/a/new")], success: [.put(key: "/a/new", value: "n")],
                                failure: [.range(key: "/a/new")])
        XCTAssertEqual(r.path, "/v3/kv/txn")
        XCTAssertEqual(r.bodyText, #"{"compare":[{"key":"L2EvbmV3","target":"VERSION","result":"EQUAL","version":"0"}],"success":[{"request_put":{"key":"L2EvbmV3","value":"bg=="}}],"failure":[{"request_range":{"key":"L2EvbmV3"}}]}"#)
    }

    func testTxnTargets() {
        let r = EtcdRequest.txn(compare: [
            .valueEquals("/a/new", "n"),
            EtcdCompare(key: "/k", .notEqual, .createRevision(5)),
            EtcdCompare(key: "/k", .greater, .modRevision(6)),
            EtcdCompare(key: "/k", .less, .lease(7)),
        ], success: [.deleteRange(key: "/a/", prefix: true)], failure: [])
        XCTAssertEqual(r.bodyText, #"{"compare":[{"key":"L2EvbmV3","target":"VALUE","result":"EQUAL","value":"bg=="},{"key":"L2s=","target":"CREATE","result":"NOT_EQUAL","create_revision":"5"},{"key":"L2s=","target":"MOD","result":"GREATER","mod_revision":"6"},{"key":"L2s=","target":"LEASE","result":"LESS","lease":"7"}],"success":[{"request_delete_range":{"key":"L2Ev","range_end":"L2Ew"}}]}"#)
    }

    func testLeaseAndDelete() {
        XCTAssertEqual(EtcdRequest.leaseGrant(ttl: 10).bodyText, #"{"TTL":"10"}"#)
        XCTAssertEqual(EtcdRequest.leaseGrant(ttl: 10).path, "/v3/lease/grant")
        XCTAssertEqual(EtcdRequest.leaseKeepAlive(id: 12345).bodyText, #"{"ID":"12345"}"#)
        XCTAssertEqual(EtcdRequest.leaseKeepAlive(id: 1).path, "/v3/lease/keepalive")
        XCTAssertEqual(EtcdRequest.leaseRevoke(id: 1).path, "/v3/lease/revoke")
        XCTAssertEqual(EtcdRequest.leaseTimeToLive(id: 1).path, "/v3/lease/timetolive")
        XCTAssertEqual(EtcdRequest.deleteRange(key: "/a/y", prefix: false).bodyText, #"{"key":"L2EveQ=="}"#)
        XCTAssertEqual(EtcdRequest.deleteRange(key: "/a/y", prefix: false).path, "/v3/kv/deleterange")
    }

    func testWatch() {
        let w = EtcdRequest.watch(prefix: "/a/", startRevision: 2, prevKV: true)
        XCTAssertEqual(w.path, "/v3/watch")
        XCTAssertEqual(w.bodyText, #"{"create_request":{"key":"L2Ev","range_end":"L2Ew","start_revision":"2","prev_kv":true}}"#)
        XCTAssertEqual(EtcdRequest.watch(prefix: "/a/", startRevision: 0, prevKV: false).bodyText,
                       #"{"create_request":{"key":"L2Ev","range_end":"L2Ew"}}"#)
    }

    func testBase64() {
        for text in ["", "f", "fo", "foo", "foob", "fooba", "foobar", "/berth/overlay/n/config"] {
            let encoded = Base64.encode(Array(text.utf8))
            XCTAssertEqual(Base64.decode(encoded), Array(text.utf8), text)
        }
        XCTAssertEqual(Base64.encode(Array("foobar".utf8)), "Zm9vYmFy")
        XCTAssertEqual(Base64.encode(Array("fo".utf8)), "Zm8=")
        XCTAssertEqual(Base64.encode([0xFB, 0xFF]), "+/8=")
        XCTAssertNil(Base64.decode("Zm8"))
        XCTAssertNil(Base64.decode("Zm!="))
    }

    func testEndpoints() throws {
        let e = try EtcdEndpoint("http://198.51.100.100:2379")
        XCTAssertEqual(e.host, "198.51.100.100"); XCTAssertEqual(e.port, 2379); XCTAssertFalse(e.secure)
        XCTAssertTrue(e.hostIsAddress)
        let s = try EtcdEndpoint("https://etcd.example:2400/")
        XCTAssertTrue(s.secure); XCTAssertEqual(s.port, 2400); XCTAssertFalse(s.hostIsAddress)
        XCTAssertEqual(s.hostHeader, "etcd.example:2400")
        let v6 = try EtcdEndpoint("http://[2001:db8::1]")
        XCTAssertEqual(v6.host, "2001:db8::1"); XCTAssertEqual(v6.port, 2379); XCTAssertEqual(v6.hostHeader, "[2001:db8::1]:2379")
        XCTAssertThrowsError(try EtcdEndpoint("198.51.100.100:2379"))
        XCTAssertThrowsError(try EtcdEndpoint("http://host:99999"))
        XCTAssertThrowsError(try EtcdEndpoint("http://host:2379/v3"))
        XCTAssertThrowsError(try EtcdClient(endpoints: []))
    }
}
