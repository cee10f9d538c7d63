import BerthJSON

/// Reads the JSON gateway's answers. proto3 leaves out fields at their defaults (no
/// `succeeded` on a failed txn, no `kvs` on an empty range, no `type` on a PUT event), so a
/// missing field reads as its default; int64 fields come as strings, bytes as base64.
enum EtcdDecoding {
    static func document(_ bytes: [UInt8]) throws -> JSONObject {
        let node: JSONNode
        do { node = try JSONParser.parse(bytes) } catch let e as JSONSyntaxError {
            throw EtcdError.malformed(reason: e.description)
        }
        guard case .object(let object) = node else { throw EtcdError.malformed(reason: "expected a JSON object") }
        return object
    }

    static func int64(_ object: JSONObject, _ name: String) throws -> Int64 {
        switch object[name] {
        case nil, .null?: return 0
        case .string(let s)?:
            guard let v = Int64(s) else { throw EtcdError.malformed(reason: "\(name) is not an integer: \(s)") }
            return v
        case .number(let d)?:
            guard let v = Int64(exactly: d) else { throw EtcdError.malformed(reason: "\(name) is not an integer") }
            return v
        default: throw EtcdError.malformed(reason: "\(name) is not an integer")
        }
    }

    static func bool(_ object: JSONObject, _ name: String) throws -> Bool {
        switch object[name] {
        case nil, .null?: return false
        case .bool(let b)?: return b
        default: throw EtcdError.malformed(reason: "\(name) is not a boolean")
        }
    }

    static func string(_ object: JSONObject, _ name: String) throws -> String {
        switch object[name] {
        case nil, .null?: return ""
        case .string(let s)?: return s
        default: throw EtcdError.malformed(reason: "\(name) is not a string")
        }
    }

    static func bytesText(_ object: JSONObject, _ name: String) throws -> String {
        let encoded = try string(object, name)
        guard let bytes = Base64.decode(encoded) else { throw EtcdError.malformed(reason: "\(name) is not base64") }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func object(_ object: JSONObject, _ name: String) throws -> JSONObject? {
        switch object[name] {
        case nil, .null?: return nil
        case .object(let o)?: return o
        default: throw EtcdError.malformed(reason: "\(name) is not an object")
        }
    }

    static func objects(_ object: JSONObject, _ name: String) throws -> [JSONObject] {
        switch object[name] {
        case nil, .null?: return []
        case .array(let items)?:
            return try items.map {
                guard case .object(let o) = $0 else { throw EtcdError.malformed(reason: "\(name) holds a non-object") }
                return o
            }
        default: throw EtcdError.malformed(reason: "\(name) is not an array")
        }
    }

    static func header(_ o: JSONObject) throws -> EtcdResponseHeader {
        EtcdResponseHeader(revision: try object(o, "header").map { try int64($0, "revision") } ?? 0)
    }

    static func keyValue(_ o: JSONObject) throws -> EtcdKeyValue {
        EtcdKeyValue(key: try bytesText(o, "key"), value: try bytesText(o, "value"),
                     createRevision: try int64(o, "create_revision"), modRevision: try int64(o, "mod_revision"),
                     version: try int64(o, "version"), lease: try int64(o, "lease"))
    }

    static func range(_ o: JSONObject) throws -> EtcdRangeResponse {
        EtcdRangeResponse(header: try header(o), kvs: try objects(o, "kvs").map(keyValue))
    }

    static func deleteRange(_ o: JSONObject) throws -> EtcdDeleteResponse {
        EtcdDeleteResponse(header: try header(o), deleted: try int64(o, "deleted"),
                           prevKvs: try objects(o, "prev_kvs").map(keyValue))
    }

    static func txn(_ o: JSONObject) throws -> EtcdTxnResponse {
        let responses: [EtcdOperationResponse] = try objects(o, "responses").map { r in
            if let put = try object(r, "response_put") { return .put(try header(put)) }
            if let range = try object(r, "response_range") { return .range(try self.range(range)) }
            if let delete = try object(r, "response_delete_range") { return .deleteRange(try deleteRange(delete)) }
            throw EtcdError.malformed(reason: "unknown txn response \(r.names)")
        }
        return EtcdTxnResponse(header: try header(o), succeeded: try bool(o, "succeeded"), responses: responses)
    }

    static func lease(_ o: JSONObject) throws -> EtcdLease {
        EtcdLease(id: try int64(o, "ID"), ttl: try int64(o, "TTL"))
    }

    static func timeToLive(_ o: JSONObject) throws -> EtcdLeaseTimeToLive {
        EtcdLeaseTimeToLive(id: try int64(o, "ID"), ttl: try int64(o, "TTL"), grantedTTL: try int64(o, "grantedTTL"))
    }

    static func event(_ o: JSONObject) throws -> EtcdWatchEvent {
        let kind: EtcdWatchEvent.Kind
        switch try string(o, "type") {
        case "", "PUT": kind = .put
        case "DELETE": kind = .delete
        case let other: throw EtcdError.malformed(reason: "unknown event type \(other)")
        }
        guard let kv = try object(o, "kv") else { throw EtcdError.malformed(reason: "watch event without kv") }
        return EtcdWatchEvent(kind: kind, kv: try keyValue(kv), prevKV: try object(o, "prev_kv").map(keyValue))
    }

    static func watch(_ o: JSONObject) throws -> EtcdWatchResponse {
        EtcdWatchResponse(header: try header(o), created: try bool(o, "created"), canceled: try bool(o, "canceled"),
                          compactRevision: try int64(o, "compact_revision"),
                          cancelReason: try string(o, "cancel_reason"),
                          events: try objects(o, "events").map(event))
    }

    /// A streamed message (`{"result":{…}}` or `{"error":{…}}`): the result, or the error it
    /// carries thrown.
    static func streamResult(_ o: JSONObject) throws -> JSONObject {
        if let result = try object(o, "result") { return result }
        if let error = try object(o, "error") {
            throw EtcdError.http(status: Int(try int64(error, "http_code")), code: Int(try int64(error, "grpc_code")),
                                 message: try string(error, "message"))
        }
        throw EtcdError.malformed(reason: "stream message without result")
    }

    /// The error a non-200 answer carries: `{"error":…,"message":…,"code":N}`.
    static func httpError(status: Int, body: [UInt8]) -> EtcdError {
        guard let o = try? document(body) else {
            let text = String(decoding: body.prefix(200), as: UTF8.self)
            return .http(status: status, code: 0, message: text.isEmpty ? "no message" : text)
        }
        let code = Int((try? int64(o, "code")) ?? 0)
        var message = (try? string(o, "message")) ?? ""
        if message.isEmpty { message = (try? string(o, "error")) ?? "" }
        if code == 5, message.contains("lease not found") { return .leaseNotFound }
        return .http(status: status, code: code, message: message)
    }
}
