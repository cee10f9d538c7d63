import BerthAddress
import BerthDNSCore
import BerthDNSWire
import NIOCore

/// One client's DNS-over-TCP connection: pipelined queries answered in order (a forwarded one
/// holds back the answers after it), closed after 10 s without a query in progress or a byte
/// received. The server keeps at most `ServerState.maxTCPConnections`, evicting the one idle
/// longest, so idle connections cannot exhaust descriptors or memory.
final class TCPQueryHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let state: ServerState
    private let network: String
    private var parser = DNSTCPStreamParser()
    /// Answers in query order; nil while the query is being forwarded.
    private var answers: [[UInt8]?] = []
    /// Index in the connection's query sequence of `answers.first`.
    private var firstAnswer = 0
    private var channel: Channel?
    private var client: IPAddress?
    private var idleTimer: Scheduled<Void>?
    private(set) var lastActivity = NIODeadline.now()

    static let idleTimeout = TimeAmount.seconds(10)

    init(state: ServerState, network: String) {
        self.state = state
        self.network = network
    }

    /// No query in progress: may be evicted.
    var isIdle: Bool { answers.isEmpty }

    func channelActive(context: ChannelHandlerContext) {
        channel = context.channel
        client = IPAddress(context.channel.remoteAddress)
        guard client != nil, state.makeRoomForTCPConnection() else {
            context.close(promise: nil)
            return
        }
        state.tcpConnections[ObjectIdentifier(self)] = self
        armIdleTimer()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.tcpConnections[ObjectIdentifier(self)] = nil
        idleTimer?.cancel()
        idleTimer = nil
        channel = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        lastActivity = .now()
        parser.append(buffer.readableBytesView)
        guard let client else { return }
        do {
            while let message = try parser.next() {
                let index = firstAnswer + answers.count
                let decision = message.withUnsafeBytes {
                    state.decide($0, from: client, listenerNetwork: network, transport: .tcp)
                }
                switch decision {
                case .respond(let reply):
                    answers.append(reply)
                case .forward(let query, let upstreams):
                    answers.append(nil)
                    state.forward(query, upstreams: upstreams, transport: .tcp) { [weak self] reply in
                        self?.complete(index, reply)
                    }
                case .drop:
                    // Keeps the order: nothing to send for this one.
                    answers.append([])
                }
            }
        } catch {
            // A zero length prefix: nothing after it can be framed.
            context.close(promise: nil)
            return
        }
        writeReadyAnswers()
    }

    private func complete(_ index: Int, _ reply: [UInt8]) {
        let slot = index - firstAnswer
        guard channel != nil, answers.indices.contains(slot) else { return }
        answers[slot] = reply
        lastActivity = .now()
        writeReadyAnswers()
    }

    /// Writes the answers at the head of the queue that are ready, then flushes once.
    private func writeReadyAnswers() {
        guard let channel else { return }
        var wrote = false
        while let first = answers.first, let reply = first {
            answers.removeFirst()
            firstAnswer += 1
            guard !reply.isEmpty, reply.count <= DNSMessage.maxSize else { continue }
            var buffer = channel.allocator.buffer(capacity: reply.count + 2)
            buffer.writeInteger(UInt16(reply.count))
            buffer.writeBytes(reply)
            channel.write(buffer, promise: nil)
            wrote = true
        }
        if wrote { channel.flush() }
    }

    private func armIdleTimer() {
        idleTimer?.cancel()
        idleTimer = state.loop.assumeIsolated().scheduleTask(in: Self.idleTimeout) { [weak self] in
            self?.idleTimerFired()
        }
    }

    private func idleTimerFired() {
        guard let channel else { return }
        let quiet = NIODeadline.now() - lastActivity
        if isIdle, quiet >= Self.idleTimeout {
            channel.close(promise: nil)
        } else {
            idleTimer = state.loop.assumeIsolated().scheduleTask(in: Self.idleTimeout - quiet) { [weak self] in
                self?.idleTimerFired()
            }
        }
    }

    /// Closed to make room for a new connection.
    func closeForEviction() {
        state.tcpConnections[ObjectIdentifier(self)] = nil
        channel?.close(promise: nil)
    }

    /// A client that sends queries but does not read the answers: stop reading its queries
    /// until its answers drain, so it cannot grow the server's memory without bound.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        context.channel.setOption(ChannelOptions.autoRead, value: context.channel.isWritable).whenFailure { _ in }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
