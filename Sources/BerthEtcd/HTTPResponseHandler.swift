import NIOCore
import NIOHTTP1

/// What one HTTP exchange delivers, in order: the status, body pieces as they arrive, the end.
enum HTTPEvent: Sendable {
    case head(status: Int)
    case body([UInt8])
    case end
}

/// The last handler of a connection's pipeline: forwards the response to an async stream and
/// ends it when the connection closes or fails, so a reader never waits on a dead connection.
final class HTTPResponseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let continuation: AsyncThrowingStream<HTTPEvent, Error>.Continuation
    private var finished = false

    init(continuation: AsyncThrowingStream<HTTPEvent, Error>.Continuation) {
        self.continuation = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        switch unwrapInboundIn(data) {
        case .head(let head): continuation.yield(.head(status: Int(head.status.code)))
        case .body(let buffer): continuation.yield(.body(Array(buffer.readableBytesView)))
        case .end:
            finished = true
            continuation.yield(.end)
            continuation.finish()
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        finish(throwing: error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(throwing: ConnectionClosed())
        context.fireChannelInactive()
    }

    private func finish(throwing error: Error) {
        guard !finished else { return }
        finished = true
        continuation.finish(throwing: error)
    }
}

/// The connection closed before the response ended.
struct ConnectionClosed: Error, CustomStringConvertible {
    var description: String { "connection closed before the answer ended" }
}
