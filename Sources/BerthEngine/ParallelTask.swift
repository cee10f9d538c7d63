import Glibc

/// Work run on a second OS thread and joined later.
///
/// Connect uses it to create the veth pair while this thread allocates the address in the store:
/// the kernel's half and SQLite's half each take a good part of a millisecond, a runtime pays
/// both once per container, and the machine has a second core.
///
/// A plain thread rather than Swift concurrency: both halves are blocking syscalls that must
/// finish before the command does, and a thread costs tens of microseconds and no executor.
///
/// `@unchecked Sendable`: `body` is only touched by the worker thread; `value` and `error` are
/// written by the worker before it ends and read by ``join()`` only after `pthread_join`, which
/// orders the two.
///
/// Two optionals rather than a `Result`: `Result`'s `Failure: Error` requirement makes the runtime
/// check `any Error: Error` the first time, a scan of every protocol conformance in the binary.
final class ParallelTask<Value>: @unchecked Sendable {
    private var value: Value?
    private var error: (any Error)?
    private var thread: pthread_t?

    /// Starts `body` on a new thread; if no thread can be had, runs it here before returning.
    init(_ body: @escaping () throws -> Value) {
        thread = startThread { [self] in
            do { value = try body() } catch { self.error = error }
        }
    }

    /// Waits for the work to finish and returns its value, or rethrows its error.
    func join() throws -> Value {
        if let thread {
            pthread_join(thread, nil)
            self.thread = nil
        }
        if let error { throw error }
        guard let value else { preconditionFailure("ParallelTask joined without an outcome") }
        return value
    }
}

/// Runs `run` on a new thread and returns it for `pthread_join`; if no thread can be had, runs
/// it here and returns nil.
func startThread(_ run: @escaping () -> Void) -> pthread_t? {
    var handle = pthread_t()
    let context = Unmanaged.passRetained(ThreadStart(run)).toOpaque()
    let rc = pthread_create(&handle, nil, { context in
        Unmanaged<ThreadStart>.fromOpaque(context!).takeRetainedValue().run()
        return nil
    }, context)
    if rc == 0 { return handle }
    Unmanaged<ThreadStart>.fromOpaque(context).takeRetainedValue().run()
    return nil
}

/// What a new thread runs (a C thread entry point cannot capture a context).
private final class ThreadStart {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}
