import NIOCore
import NIOEmbedded
import NIOHTTP1
import XCTest
@testable import BerthEtcd

/// The HTTP response path on an embedded channel: raw bytes as etcd sends them, through NIO's
/// HTTP decoder and the response handler, to the events the client reads.
final class ResponseHandlerTests: XCTestCase {
    private func pipeline() throws -> (EmbeddedChannel, AsyncThrowingStream<HTTPEvent, Error>) {
        let (events, continuation) = AsyncThrowingStream<HTTPEvent, Error>.makeStream()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHTTPClientHandlers()
        try channel.pipeline.syncOperations.addHandler(HTTPResponseHandler(continuation: continuation))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 2379)).wait()
        // The decoder expects a request before a response.
        try channel.writeOutbound(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/v3/watch")))
        try channel.writeOutbound(HTTPClientRequestPart.end(nil))
        return (channel, events)
    }

    private func chunked(_ lines: [String]) -> String {
        var text = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        for line in lines {
            let body = line + "\n"
            text += String(body.utf8.count, radix: 16) + "\r\n" + body + "\r\n"
        }
        return text
    }

    func testWatchStreamThroughHTTPDecoder() async throws {
        let (channel, events) = try pipeline()
        let raw = Array(chunked(Captured.watchLines).utf8)
        // Reads cut at awkward places: inside the head, inside chunk sizes, inside objects.
        var i = 0
        for size in [10, 50, 3, 400, 1, 900, 77] where i < raw.count {
            try channel.writeInbound(channel.allocator.buffer(bytes: raw[i..<min(i + size, raw.count)]))
            i += size
        }
        if i < raw.count { try channel.writeInbound(channel.allocator.buffer(bytes: raw[i...])) }
        try channel.writeInbound(channel.allocator.buffer(string: "0\r\n\r\n"))
        var splitter = JSONStreamSplitter()
        var objects: [String] = []
        var status = 0
        var ended = false
        for try await event in events {
            switch event {
            case .head(let s): status = s
            case .body(let b): objects += try splitter.append(b).map { String(decoding: $0, as: UTF8.self) }
            case .end: ended = true
            }
        }
        XCTAssertEqual(status, 200)
        XCTAssertTrue(ended)
        XCTAssertEqual(objects, Captured.watchLines)
        _ = try? channel.finish()
    }

    func testConnectionLostMidStreamThrows() async throws {
        let (channel, events) = try pipeline()
        try channel.writeInbound(channel.allocator.buffer(string: chunked([Captured.watchLines[0]])))
        channel.pipeline.fireChannelInactive()
        var got: [HTTPEvent] = []
        do {
            for try await e in events { got.append(e) }
            XCTFail("no error")
        } catch {
            // NIO's decoder reports the truncated chunked body (or the handler the closed connection).
            XCTAssertTrue(error is ConnectionClosed || "\(error)".contains("unexpected time"), "\(error)")
        }
        XCTAssertEqual(got.count, 2)   // head, one body piece
        _ = try? channel.finish()
    }
}
