import BerthAddress
import BerthDNSCore
import NIOCore

/// Answers the queries one UDP listener receives. Local answers are written without a flush
/// and flushed once per batch in `channelReadComplete`, so NIO reads a batch with `recvmmsg`
/// and sends the answers with `sendmmsg`.
final class UDPQueryHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let state: ServerState
    private let network: String
    private var unflushed = false

    init(state: ServerState, network: String) {
        self.state = state
        self.network = network
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let client = IPAddress(envelope.remoteAddress) else { return }
        let decision = envelope.data.withUnsafeReadableBytes {
            state.decide($0, from: client, listenerNetwork: network, transport: .udp)
        }
        switch decision {
        case .respond(let reply):
            let buffer = context.channel.allocator.buffer(bytes: reply)
            context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: buffer)),
                          promise: nil)
            unflushed = true
        case .forward(let query, let upstreams):
            let channel = context.channel
            let remote = envelope.remoteAddress
            state.forward(query, upstreams: upstreams, transport: .udp) { reply in
                let buffer = channel.allocator.buffer(bytes: reply)
                channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: buffer), promise: nil)
            }
        case .drop:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if unflushed {
            unflushed = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    /// A failed send to one client (ICMP errors come back as ECONNREFUSED on the next read) must
    /// not close the listener: NIO keeps a datagram channel open for those, and so does this.
    func errorCaught(context: ChannelHandlerContext, error: Error) {}
}
