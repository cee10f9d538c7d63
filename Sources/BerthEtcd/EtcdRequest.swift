import BerthJSON

/// One JSON-gateway call: the path to POST to and its JSON body, built byte for byte here so
/// tests can check exactly what goes on the wire. int64 fields are written as JSON strings
/// (proto3's JSON mapping), bytes fields as padded base64; defaults are left out.
struct EtcdRequest: Sendable, Equatable {
    var path: String
    var body: [UInt8]

    var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The end of the range holding every key that starts with `prefix`: the prefix with its
    /// last byte below 0xFF incremented (and what follows it dropped); `[0]` — every key — when
    /// there is no such byte.
    static func prefixEnd(_ prefix: [UInt8]) -> [UInt8] {
        var end = prefix
        while let last = end.last {
            if last < 0xFF {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return [0]
    }

    private static func writeKey(_ w: JSONWriter, _ key: String, prefix: Bool) {
        let bytes = Array(key.utf8)
        w.field("key", Base64.encode(bytes))
        if prefix { w.field("range_end", Base64.encode(prefixEnd(bytes))) }
    }

    private static func make(_ path: String, _ body: (JSONWriter) -> Void) -> EtcdRequest {
        let w = JSONWriter(style: .compact, capacity: 256)
        w.object { body(w) }
        return EtcdRequest(path: path, body: w.bytes)
    }

    private static func rangeFields(_ w: JSONWriter, key: String, prefix: Bool) {
        writeKey(w, key, prefix: prefix)
    }

    private static func putFields(_ w: JSONWriter, key: String, value: String, lease: Int64) {
        writeKey(w, key, prefix: false)
        w.field("value", Base64.encode(Array(value.utf8)))
        if lease != 0 { w.field("lease", String(lease)) }
    }

    private static func deleteFields(_ w: JSONWriter, key: String, prefix: Bool) {
        writeKey(w, key, prefix: prefix)
    }

    static func range(key: String, prefix: Bool) -> EtcdRequest {
        make("/v3/kv/range") { rangeFields($0, key: key, prefix: prefix) }
    }

    static func put(key: String, value: String, lease: Int64) -> EtcdRequest {
        make("/v3/kv/put") { putFields($0, key: key, value: value, lease: lease) }
    }

    static func deleteRange(key: String, prefix: Bool) -> EtcdRequest {
        make("/v3/kv/deleterange") { deleteFields($0, key: key, prefix: prefix) }
    }

    static func txn(compare: [EtcdCompare], success: [EtcdOperation], failure: [EtcdOperation]) -> EtcdRequest {
        make("/v3/kv/txn") { w in
            if !compare.isEmpty { w.array("compare") { for c in compare { writeCompare(w, c) } } }
            if !success.isEmpty { w.array("success") { for op in success { writeOperation(w, op) } } }
            if !failure.isEmpty { w.array("failure") { for op in failure { writeOperation(w, op) } } }
        }
    }

    private static func writeCompare(_ w: JSONWriter, _ c: EtcdCompare) {
        w.object {
            writeKey(w, c.key, prefix: false)
            switch c.target {
            case .version(let v): w.field("target", "VERSION"); w.field("result", c.result.rawValue); w.field("version", String(v))
            case .value(let v): w.field("target", "VALUE"); w.field("result", c.result.rawValue); w.field("value", Base64.encode(Array(v.utf8)))
            case .createRevision(let v): w.field("target", "CREATE"); w.field("result", c.result.rawValue); w.field("create_revision", String(v))
            case .modRevision(let v): w.field("target", "MOD"); w.field("result", c.result.rawValue); w.field("mod_revision", String(v))
            case .lease(let v): w.field("target", "LEASE"); w.field("result", c.result.rawValue); w.field("lease", String(v))
            }
        }
    }

    private static func writeOperation(_ w: JSONWriter, _ op: EtcdOperation) {
        w.object {
            switch op {
            case .put(let key, let value, let lease): w.object("request_put") { putFields(w, key: key, value: value, lease: lease) }
            case .range(let key, let prefix): w.object("request_range") { rangeFields(w, key: key, prefix: prefix) }
            case .deleteRange(let key, let prefix): w.object("request_delete_range") { deleteFields(w, key: key, prefix: prefix) }
            }
        }
    }

    static func leaseGrant(ttl: Int64) -> EtcdRequest {
        make("/v3/lease/grant") { $0.field("TTL", String(ttl)) }
    }

    static func leaseKeepAlive(id: Int64) -> EtcdRequest {
        make("/v3/lease/keepalive") { $0.field("ID", String(id)) }
    }

    static func leaseRevoke(id: Int64) -> EtcdRequest {
        make("/v3/lease/revoke") { $0.field("ID", String(id)) }
    }

    static func leaseTimeToLive(id: Int64) -> EtcdRequest {
        make("/v3/lease/timetolive") { $0.field("ID", String(id)) }
    }

    static func watch(prefix: String, startRevision: Int64, prevKV: Bool) -> EtcdRequest {
        make("/v3/watch") { w in
            w.object("create_request") {
                writeKey(w, prefix, prefix: true)
                if startRevision != 0 { w.field("start_revision", String(startRevision)) }
                if prevKV { w.field("prev_kv", true) }
            }
        }
    }
}
