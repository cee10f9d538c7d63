/// An etcd v3 client over etcd's JSON gateway (HTTP/1.1 POST with JSON bodies; `https://`
/// with a CA and a client certificate). Every call opens its own connection, trying the
/// endpoints in order until one accepts it.
///
/// Errors are ``EtcdError``s. Reads and lease calls are safe to retry; for a write that threw
/// ``EtcdError/timeout`` the outcome is unknown (re-read the key before acting).
///
/// ```swift
/// let etcd = try EtcdClient(endpoints: ["http://198.51.100.100:2379"])
/// let won = try await etcd.txn(compare: [.absent("/k")], success: [.put(key: "/k", value: "v")]).succeeded
/// ```
public final class EtcdClient: Sendable {
    let transport: EtcdTransport

    /// A client for `endpoints` (`http://HOST:PORT` or `https://HOST:PORT`, tried in this
    /// order). `tls` applies to the `https://` ones (nil: the system trust roots, no client
    /// certificate). `requestTimeout` bounds connecting and each request (a watch only while
    /// it is being set up). Throws ``EtcdError/malformed(reason:)`` for a bad URL or unusable
    /// TLS files.
    public init(endpoints: [String], tls: EtcdTLS? = nil, requestTimeout: Duration = .seconds(5)) throws {
        guard !endpoints.isEmpty else { throw EtcdError.malformed(reason: "no etcd endpoint given") }
        transport = try EtcdTransport(endpoints: try endpoints.map(EtcdEndpoint.init), tls: tls,
                                      requestTimeout: requestTimeout)
    }

    /// The endpoint URLs, in the order they are tried.
    public var endpoints: [String] { transport.endpoints.map(\.url) }

    /// The value of `key`, or with `prefix` every key starting with `key`, in key order.
    public func range(key: String, prefix: Bool = false) async throws -> EtcdRangeResponse {
        try EtcdDecoding.range(try await call(.range(key: key, prefix: prefix)))
    }

    /// Sets `key` to `value`, attached to `lease` (0: none).
    @discardableResult
    public func put(key: String, value: String, lease: Int64 = 0) async throws -> EtcdResponseHeader {
        try EtcdDecoding.header(try await call(.put(key: key, value: value, lease: lease)))
    }

    /// Runs `success` if every condition in `compare` holds, else `failure`, atomically.
    public func txn(compare: [EtcdCompare], success: [EtcdOperation], failure: [EtcdOperation] = []) async throws -> EtcdTxnResponse {
        try EtcdDecoding.txn(try await call(.txn(compare: compare, success: success, failure: failure)))
    }

    /// Deletes `key`, or with `prefix` every key starting with `key`.
    @discardableResult
    public func deleteRange(key: String, prefix: Bool = false) async throws -> EtcdDeleteResponse {
        try EtcdDecoding.deleteRange(try await call(.deleteRange(key: key, prefix: prefix)))
    }

    /// A new lease of `ttl` seconds.
    public func leaseGrant(ttl: Int64) async throws -> EtcdLease {
        try EtcdDecoding.lease(try await call(.leaseGrant(ttl: ttl)))
    }

    /// Renews lease `id` once; returns its TTL again. Throws ``EtcdError/leaseNotFound`` when
    /// the lease is gone (etcd answers a TTL of 0).
    @discardableResult
    public func leaseKeepAlive(id: Int64) async throws -> Int64 {
        let result = try EtcdDecoding.streamResult(try await call(.leaseKeepAlive(id: id), streamed: true))
        let ttl = try EtcdDecoding.int64(result, "TTL")
        guard ttl > 0 else { throw EtcdError.leaseNotFound }
        return ttl
    }

    /// Revokes lease `id`, deleting every key attached to it. Throws
    /// ``EtcdError/leaseNotFound`` if it was already gone.
    public func leaseRevoke(id: Int64) async throws {
        _ = try await call(.leaseRevoke(id: id))
    }

    /// What is left of lease `id`. Throws ``EtcdError/leaseNotFound`` when it is gone.
    public func leaseTimeToLive(id: Int64) async throws -> EtcdLeaseTimeToLive {
        let answer = try EtcdDecoding.timeToLive(try await call(.leaseTimeToLive(id: id)))
        guard answer.ttl >= 0 else { throw EtcdError.leaseNotFound }
        return answer
    }

    /// Watches every key starting with `prefix` from `startRevision` (0: from now), each event
    /// with the previous value when `prevKV`. The first response has `created == true`.
    ///
    /// The stream ends by throwing: ``EtcdError/compacted(revision:)`` when `startRevision` was
    /// compacted (re-list and watch again from the list's revision), ``EtcdError/unreachable(endpoints:reason:)``
    /// when no endpoint answered or the connection was lost, ``EtcdError/http(status:code:message:)``
    /// when etcd refused or canceled it. Ending the iteration (or `close()`) closes the connection.
    public func watch(prefix: String, startRevision: Int64 = 0, prevKV: Bool = true) -> AsyncThrowingStream<EtcdWatchResponse, Error> {
        EtcdWatchStream.start(transport: transport, request: .watch(prefix: prefix, startRevision: startRevision, prevKV: prevKV))
    }

    /// Closes every open connection (ending watches); later calls fail as unreachable.
    public func close() {
        transport.close()
    }

    /// Sends `request`; returns the answer's JSON object (with `streamed`, the first object of
    /// the stream, as keepalive answers with `{"result":…}` in a stream).
    func call(_ request: EtcdRequest, streamed: Bool = false) async throws -> BerthJSON.JSONObject {
        let exchange = try await transport.open(request)
        defer { transport.release(exchange.channel) }
        let timeout = transport.requestTimeout
        let (status, body) = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            group.addTask { try await EtcdClient.collect(exchange) }
            group.addTask {
                try await Task.sleep(for: timeout)
                exchange.channel.close(promise: nil)
                throw EtcdError.timeout
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
        guard status == 200 else { throw EtcdDecoding.httpError(status: status, body: body) }
        if streamed {
            var splitter = JSONStreamSplitter()
            guard let first = try splitter.append(body).first else { throw EtcdError.malformed(reason: "empty stream") }
            return try EtcdDecoding.document(first)
        }
        return try EtcdDecoding.document(body)
    }

    /// The whole response: status and body. A connection lost after the request was sent is a
    /// ``EtcdError/timeout``: etcd may have applied it.
    static func collect(_ exchange: EtcdExchange) async throws -> (Int, [UInt8]) {
        var status = 0
        var body: [UInt8] = []
        do {
            for try await event in exchange.events {
                switch event {
                case .head(let s): status = s
                case .body(let bytes): body += bytes
                case .end: return (status, body)
                }
            }
        } catch let e as EtcdError {
            throw e
        } catch where EtcdTransport.isTLS(error) {
            throw EtcdError.unreachable(endpoints: [exchange.endpoint.url], reason: EtcdTransport.describe(error))
        } catch {
            throw EtcdError.timeout
        }
        throw EtcdError.timeout
    }
}

import BerthJSON
