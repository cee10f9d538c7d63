/// A watch: one long response whose body is a stream of JSON objects, read as it arrives.
enum EtcdWatchStream {
    static func start(transport: EtcdTransport, request: EtcdRequest) -> AsyncThrowingStream<EtcdWatchResponse, Error> {
        let (stream, continuation) = AsyncThrowingStream<EtcdWatchResponse, Error>.makeStream()
        let task = Task {
            do {
                let exchange = try await transport.open(request)
                defer { transport.release(exchange.channel) }
                try await run(exchange, continuation)
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private static func run(_ exchange: EtcdExchange, _ continuation: AsyncThrowingStream<EtcdWatchResponse, Error>.Continuation) async throws {
        var status = 0
        var errorBody: [UInt8] = []
        var splitter = JSONStreamSplitter()
        do {
            for try await event in exchange.events {
                switch event {
                case .head(let s): status = s
                case .body(let bytes) where status != 200: errorBody += bytes
                case .body(let bytes):
                    for object in try splitter.append(bytes) {
                        let response = try EtcdDecoding.watch(try EtcdDecoding.streamResult(try EtcdDecoding.document(object)))
                        if response.canceled {
                            if response.compactRevision > 0 { throw EtcdError.compacted(revision: response.compactRevision) }
                            throw EtcdError.http(status: 200, code: 0, message: "watch canceled: \(response.cancelReason)")
                        }
                        continuation.yield(response)
                    }
                case .end:
                    if status != 200 { throw EtcdDecoding.httpError(status: status, body: errorBody) }
                    throw EtcdError.unreachable(endpoints: [exchange.endpoint.url], reason: "watch stream ended")
                }
            }
        } catch let e as EtcdError {
            throw e
        } catch {
            if Task.isCancelled { continuation.finish(); return }
            if EtcdTransport.isTLS(error) {
                throw EtcdError.unreachable(endpoints: [exchange.endpoint.url], reason: EtcdTransport.describe(error))
            }
            throw EtcdError.unreachable(endpoints: [exchange.endpoint.url], reason: "watch stream lost: \(EtcdTransport.describe(error))")
        }
        // The iteration ended without an end: cancelled by the consumer.
        continuation.finish()
    }
}
