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
/// `@unchecked Sendable`: `body` is only touched by the worker thread; `outcome` is written by the
/// worker before it ends and read by ``join()`` only after `pthread_join`, which orders the two.
final class ParallelTask<Value>: @unchecked Sendable {
    private var outcome: Result<Value, any Error>?
    private var thread: pthread_t?

    /// Starts `body` on a new thread; if no thread can be had, runs it here before returning.
    init(_ body: @escaping () throws -> Value) {
        let start = ThreadStart { [self] in outcome = Result { try body() } }
        var handle = pthread_t()
        let context = Unmanaged.passRetained(start).toOpaque()
        let rc = pthread_create(&handle, nil, { context in
            Unmanaged<ThreadStart>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context)
        if rc == 0 {
            thread = handle
        } else {
            Unmanaged<ThreadStart>.fromOpaque(context).takeRetainedValue().run()
        }
    }

    /// Waits for the work to finish and returns its value, or rethrows its error.
    func join() throws -> Value {
        if let thread {
            pthread_join(thread, nil)
            self.thread = nil
        }
        guard let outcome else { preconditionFailure("ParallelTask joined without an outcome") }
        return try outcome.get()
    }
}

/// What a new thread runs (a C thread entry point cannot capture a generic context).
private final class ThreadStart {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}
