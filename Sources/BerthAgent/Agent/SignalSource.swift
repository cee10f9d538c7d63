import Glibc

/// SIGTERM, SIGINT and SIGHUP as an async sequence, without handlers: the signals are blocked
/// in every thread (``blockInProcess()`` runs first thing in `main`, before any thread exists,
/// and threads inherit the mask) and a dedicated thread takes them with `sigwait`, handing
/// each to an `AsyncStream`. Nothing runs in signal context, nothing is shared but the
/// stream's continuation, which is `Sendable`.
public enum SignalSource {
    /// The signals the agent acts on.
    public static let handled: [Int32] = [SIGTERM, SIGINT, SIGHUP]

    static func set() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for s in handled { sigaddset(&set, s) }
        return set
    }

    /// Blocks the handled signals in the calling thread (and so in every thread it starts later).
    public static func blockInProcess() {
        var mask = set()
        pthread_sigmask(SIG_BLOCK, &mask, nil)
    }

    /// The signals as they arrive. The thread lives as long as the process (an agent's life).
    public static func stream() -> AsyncStream<Int32> {
        let (stream, continuation) = AsyncStream<Int32>.makeStream(bufferingPolicy: .bufferingNewest(16))
        let start = SignalThreadStart {
            var mask = SignalSource.set()
            while true {
                var signal: Int32 = 0
                if sigwait(&mask, &signal) == 0 { continuation.yield(signal) }
            }
        }
        var handle = pthread_t()
        let context = Unmanaged.passRetained(start).toOpaque()
        let rc = pthread_create(&handle, nil, { context in
            Unmanaged<SignalThreadStart>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context)
        if rc == 0 {
            pthread_detach(handle)
        } else {
            Unmanaged<SignalThreadStart>.fromOpaque(context).release()
            continuation.finish()
        }
        return stream
    }
}

/// What the signal thread runs (a C thread entry point cannot capture a context). Immutable,
/// and its one property is `@Sendable`: checked `Sendable`.
final class SignalThreadStart: Sendable {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}
