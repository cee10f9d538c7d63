import BerthAddress
import BerthDNSCore
import BerthDNSWire
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// One forwarded query driven through its `UpstreamPlan` with real time (docs/dns.md
/// "Forwarding"): each attempt its own connected UDP socket (a random source port from the
/// kernel, a random id); an ICMP error (ECONNREFUSED), SERVFAIL or REFUSED moves on to the next
/// upstream at once; silence moves on after the per-attempt timeout while the earlier attempts
/// stay open, and the first good answer wins; TC retries that upstream over TCP; nothing good by
/// 3.5 s answers SERVFAIL. Runs on the server's event loop only.
final class ForwardJob {
    private let state: ServerState
    private let query: DNSMessage
    private let transport: DNSTransport
    private var plan: UpstreamPlan
    private let reply: ([UInt8]) -> Void
    /// Attempts started and not yet failed.
    private var pending = 0
    private var channels: [ObjectIdentifier: Channel] = [:]
    private var deadline: Scheduled<Void>?
    private var nextAttempt: Scheduled<Void>?
    private var done = false

    static let upstreamPort = 53

    init(state: ServerState, query: DNSMessage, upstreams: [IPAddress], transport: DNSTransport,
         reply: @escaping ([UInt8]) -> Void) {
        self.state = state
        self.query = query
        self.transport = transport
        self.plan = UpstreamPlan(upstreams: upstreams)
        self.reply = reply
    }

    func start() {
        deadline = state.loop.assumeIsolated().scheduleTask(in: UpstreamPlan.overallDeadline.timeAmount) {
            self.finishWithFailure()
        }
        launchNext()
    }

    /// Starts the next upstream's attempt, or gives up when every attempt has failed.
    private func launchNext() {
        nextAttempt?.cancel()
        nextAttempt = nil
        guard !done else { return }
        guard let upstream = plan.nextUpstream() else {
            if pending == 0 { finishWithFailure() }
            return
        }
        pending += 1
        sendOverUDP(to: upstream)
        nextAttempt = state.loop.assumeIsolated().scheduleTask(in: plan.perAttemptTimeout.timeAmount) {
            self.launchNext()
        }
    }

    /// The query as sent upstream: a fresh random id, everything else as the client asked.
    private func upstreamQuery() -> (id: UInt16, bytes: [UInt8]) {
        var message = query
        message.id = UInt16.random(in: .min ... .max)
        return (message.id, message.serialize())
    }

    private func sendOverUDP(to upstream: IPAddress) {
        let (id, bytes) = upstreamQuery()
        DatagramBootstrap(group: state.loop)
            .connect(to: upstream.socketAddress(port: Self.upstreamPort))
            .assumeIsolated()
            .whenComplete { result in
                self.adopt(result, payload: bytes) { UpstreamUDPHandler(job: self, id: id, upstream: upstream) }
            }
    }

    private func sendOverTCP(to upstream: IPAddress) {
        let (id, bytes) = upstreamQuery()
        guard let framed = try? DNSTCPFraming.frame(bytes) else {
            attemptFailed(nil)
            return
        }
        ClientBootstrap(group: state.loop)
            .connectTimeout(.seconds(1))
            .connect(to: upstream.socketAddress(port: Self.upstreamPort))
            .assumeIsolated()
            .whenComplete { result in
                self.adopt(result, payload: framed) { UpstreamTCPHandler(job: self, id: id) }
            }
    }

    /// Takes a newly connected upstream channel into the job: its reply handler added, the query
    /// sent. A channel that connects after the job has ended is closed at once.
    private func adopt(_ result: Result<Channel, any Error>, payload: [UInt8],
                       handler: () -> any ChannelHandler) {
        switch result {
        case .failure:
            attemptFailed(nil)
        case .success(let channel):
            guard !done else {
                channel.close(promise: nil)
                return
            }
            channels[ObjectIdentifier(channel)] = channel
            do {
                try channel.pipeline.syncOperations.addHandler(handler())
            } catch {
                attemptFailed(channel)
                return
            }
            channel.writeAndFlush(channel.allocator.buffer(bytes: payload), promise: nil)
        }
    }

    /// An upstream's reply that matched the query (id and question).
    fileprivate func received(_ message: DNSMessage, on channel: Channel, from upstream: IPAddress?) {
        guard !done else { return }
        switch UpstreamPlan.judge(message) {
        case .accept:
            finish(DNSResolver.relay(message, to: query, transport: transport))
        case .retryOverTCP where upstream != nil:
            forget(channel)
            sendOverTCP(to: upstream!)
        case .retryOverTCP:
            // Truncated over TCP as well: the best there is.
            finish(DNSResolver.relay(message, to: query, transport: transport))
        case .tryNext:
            attemptFailed(channel)
        }
    }

    /// Whether `message` answers what was sent with `id`.
    fileprivate func matches(_ message: DNSMessage, id: UInt16) -> Bool {
        message.isResponse && message.id == id && message.questions == query.questions
    }

    /// One attempt ended without an answer: go on with the next upstream at once.
    /// Counted once per attempt: a channel already forgotten (a second ICMP error) is ignored.
    fileprivate func attemptFailed(_ channel: Channel?) {
        if let channel {
            guard channels.removeValue(forKey: ObjectIdentifier(channel)) != nil else { return }
            channel.close(promise: nil)
        }
        guard !done else { return }
        pending -= 1
        launchNext()
    }

    private func forget(_ channel: Channel) {
        if channels.removeValue(forKey: ObjectIdentifier(channel)) != nil { channel.close(promise: nil) }
    }

    private func finishWithFailure() {
        guard !done else { return }
        state.counters.servfail += 1
        finish(DNSResolver.serverFailure(for: query, transport: transport))
    }

    private func finish(_ bytes: [UInt8]) {
        guard !done else { return }
        done = true
        deadline?.cancel()
        nextAttempt?.cancel()
        for channel in channels.values { channel.close(promise: nil) }
        channels = [:]
        reply(bytes)
    }
}

/// Reads one forward attempt's connected UDP socket.
private final class UpstreamUDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let job: ForwardJob
    private let id: UInt16
    private let upstream: IPAddress

    init(job: ForwardJob, id: UInt16, upstream: IPAddress) {
        self.job = job
        self.id = id
        self.upstream = upstream
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        // Anything that does not parse or match (a late or spoofed datagram) is ignored.
        guard let message = try? DNSMessage(parsing: Array(envelope.data.readableBytesView)),
              job.matches(message, id: id) else { return }
        job.received(message, on: context.channel, from: upstream)
    }

    /// ECONNREFUSED: the upstream's host answered with an ICMP error (nothing listens there).
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        job.attemptFailed(context.channel)
    }
}

/// Reads the TCP retry of a truncated answer.
private final class UpstreamTCPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let job: ForwardJob
    private let id: UInt16
    private var parser = DNSTCPStreamParser()
    private var answered = false

    init(job: ForwardJob, id: UInt16) {
        self.job = job
        self.id = id
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        parser.append(unwrapInboundIn(data).readableBytesView)
        while let bytes = try? parser.next() {
            guard let message = try? DNSMessage(parsing: bytes), job.matches(message, id: id) else { continue }
            answered = true
            job.received(message, on: context.channel, from: nil)
            return
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !answered { job.attemptFailed(context.channel) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
