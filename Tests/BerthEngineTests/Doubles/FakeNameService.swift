@testable import BerthEngine
import Synchronization

/// A ``NameService`` that records what it was told, in order (`network NAME`, `removed NAME`,
/// `endpoint ID`, `ensure`), and answers as set: a network refusal, no endpoint ack, running
/// or not.
final class FakeNameService: NameService, Sendable {
    private let log = Mutex<[String]>([])
    /// When set, `networkChanged` throws this message (the server's `error TEXT`).
    let refusal = Mutex<String?>(nil)
    /// Whether `endpointChanged` is acknowledged.
    let acknowledges = Atomic<Bool>(true)
    /// Whether the server runs (`status` answers).
    let running = Atomic<Bool>(false)

    var calls: [String] { log.withLock { $0 } }
    func reset() { log.withLock { $0 = [] } }

    func networkChanged(_ name: String) throws {
        log.withLock { $0.append("network \(name)") }
        if let text = refusal.withLock({ $0 }) { throw BerthError.system(text) }
        running.store(true, ordering: .relaxed)
    }

    func networkRemoved(_ name: String) {
        log.withLock { $0.append("removed \(name)") }
    }

    func endpointChanged(_ id: String) -> Bool {
        log.withLock { $0.append("endpoint \(id)") }
        return acknowledges.load(ordering: .relaxed)
    }

    func status() throws -> String? {
        running.load(ordering: .relaxed) ? #"{"pid":1,"generation":1}"# : nil
    }

    func ensureRunning() throws {
        log.withLock { $0.append("ensure") }
        running.store(true, ordering: .relaxed)
    }
}
