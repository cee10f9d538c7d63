import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 exchange in progress: its connection and the response as it arrives.
struct EtcdExchange: Sendable {
    let channel: any Channel
    let events: AsyncThrowingStream<HTTPEvent, Error>
    let endpoint: EtcdEndpoint
}

/// Opens one connection per request and sends it, trying each endpoint in order until one
/// takes the whole request. A connection per request keeps the client simple and stateless
/// between calls: the agent makes a handful of calls a minute, and a broken connection never
/// poisons the next call.
final class EtcdTransport: Sendable {
    let endpoints: [EtcdEndpoint]
    let requestTimeout: Duration
    private let sslContext: NIOSSLContext?
    private let group: any EventLoopGroup
    /// Open connections, so `close()` can end them (a watch's especially); and whether the
    /// client was closed.
    private let state = Mutex<(closed: Bool, channels: [ObjectIdentifier: any Channel])>((false, [:]))

    init(endpoints: [EtcdEndpoint], tls: EtcdTLS?, requestTimeout: Duration) throws {
        self.endpoints = endpoints
        self.requestTimeout = requestTimeout
        self.group = MultiThreadedEventLoopGroup.singleton
        if endpoints.contains(where: \.secure) {
            sslContext = try EtcdTransport.makeSSLContext(tls ?? EtcdTLS())
        } else {
            sslContext = nil
        }
    }

    static func makeSSLContext(_ tls: EtcdTLS) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        do {
            if let ca = tls.caFile { configuration.trustRoots = .file(ca) }
            if let cert = tls.certFile {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) }
            }
            if let key = tls.keyFile { configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)) }
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw EtcdError.malformed(reason: "TLS files unusable: \(error)")
        }
    }

    /// Sends `request` to the first endpoint that accepts it. Throws `unreachable` when none did
    /// (nothing was sent anywhere).
    func open(_ request: EtcdRequest) async throws -> EtcdExchange {
        if state.withLock({ $0.closed }) { throw EtcdError.unreachable(endpoints: endpoints.map(\.url), reason: "client closed") }
        var failures: [String] = []
        for endpoint in endpoints {
            do {
                return try await open(request, at: endpoint)
            } catch {
                failures.append("\(endpoint.url): \(EtcdTransport.describe(error))")
            }
        }
        throw EtcdError.unreachable(endpoints: endpoints.map(\.url), reason: failures.joined(separator: "; "))
    }

    private func open(_ request: EtcdRequest, at endpoint: EtcdEndpoint) async throws -> EtcdExchange {
        let (events, continuation) = AsyncThrowingStream<HTTPEvent, Error>.makeStream()
        let ssl = endpoint.secure ? sslContext : nil
        let serverName = endpoint.hostIsAddress ? nil : endpoint.host
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(Int64(requestTimeout.components.seconds) * 1_000_000_000
                                         + requestTimeout.components.attoseconds / 1_000_000_000))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let ssl {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: ssl, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(HTTPResponseHandler(continuation: continuation))
                }
            }
            .connect(host: endpoint.host, port: endpoint.port).get()
        register(channel)
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: request.path)
        head.headers.add(name: "Host", value: endpoint.hostHeader)
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Content-Length", value: String(request.body.count))
        do {
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            channel.write(HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(bytes: request.body))), promise: nil)
            try await channel.writeAndFlush(HTTPClientRequestPart.end(nil)).get()
        } catch {
            // The handler saw the real cause (a TLS alert, say) before the write failed.
            var cause: Error = error
            do { for try await _ in events {} } catch let first { cause = first }
            release(channel)
            throw cause
        }
        return EtcdExchange(channel: channel, events: events, endpoint: endpoint)
    }

    func register(_ channel: any Channel) {
        let closed = state.withLock { s -> Bool in
            if !s.closed { s.channels[ObjectIdentifier(channel)] = channel }
            return s.closed
        }
        if closed { channel.close(promise: nil) }
    }

    /// Closes `channel` (if still open) and forgets it.
    func release(_ channel: any Channel) {
        _ = state.withLock { $0.channels.removeValue(forKey: ObjectIdentifier(channel)) }
        channel.close(promise: nil)
    }

    /// Closes every open connection; later requests fail as unreachable.
    func close() {
        let channels = state.withLock { s -> [any Channel] in
            s.closed = true
            defer { s.channels = [:] }
            return Array(s.channels.values)
        }
        for channel in channels { channel.close(promise: nil) }
    }

    /// A short reason for a connection failure.
    static func describe(_ error: Error) -> String {
        if let e = error as? NIOConnectionError {
            if let first = e.connectionErrors.first { return describe(first.error) }
            if let dns = e.dnsAError ?? e.dnsAAAAError { return "cannot resolve \(e.host): \(dns)" }
            return "cannot connect to \(e.host):\(e.port)"
        }
        if let e = error as? ChannelError, case .connectTimeout = e { return "connect timed out" }
        if let e = error as? IOError { return String(cString: strerror(e.errnoCode)) }
        if error is NIOSSLError || error is BoringSSLError { return "TLS: \(tlsReason(error))" }
        return String(describing: error)
    }

    /// Whether `error` comes from TLS: a handshake etcd refused (a missing client certificate
    /// shows only after the client has sent its request, with TLS 1.3) means the request was
    /// never processed.
    static func isTLS(_ error: Error) -> Bool { error is NIOSSLError || error is BoringSSLError }

    /// BoringSSL's reason (`CERTIFICATE_VERIFY_FAILED`, …) rather than its source location.
    private static func tlsReason(_ error: Error) -> String {
        let text = String(describing: error)
        guard let range = text.firstRange(of: "OPENSSL_internal:") else { return text }
        return String(text[range.upperBound...].prefix { $0 != " " && $0 != "]" && $0 != ")" })
    }
}
