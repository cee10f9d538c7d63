import CBerthShim
import Glibc

/// Work moved to a second OS thread and joined later: the only way Berth's code runs on more
/// than one thread (the attach's store half, and the store opening a CNI ADD starts before it
/// decodes its configuration, see ``StoreOpening``, which the store half joins in turn).
///
/// An attach overlaps its two halves — the kernel's (the veth) on the calling thread and the
/// store's (open SQLite, reserve the address) here — because each takes a good part of a
/// millisecond, a runtime pays both once per container, and the machine has a second core. A
/// plain thread rather than Swift concurrency: both halves are blocking syscalls that must
/// finish before the command does, and a thread costs tens of microseconds and no executor.
///
/// What the compiler checks: `work` is `@Sendable`, so it captures only values that are safe
/// to share; its one non-`Sendable` input is *sent* (`sending`), so the caller can no longer
/// touch it — using it after the hand-over is a compile error — and its result is sent back
/// the same way by ``join()``. Two threads therefore never hold the same store or session.
///
/// `~Copyable` and a consuming ``join()``: a thread is joined exactly once.
struct SecondThread<Value>: ~Copyable {
    private let slots: ThreadSlots<Value>
    private let thread: pthread_t?

    /// Starts `work(input)` on a new thread; if no thread can be had, runs it here before returning.
    init<Input>(moving input: sending Input, _ work: @escaping @Sendable (sending Input) throws -> sending Value) {
        let slots = ThreadSlots<Value>()
        // Proof obligation of the one unchecked primitive: `input` was sent, so no other
        // reference to its region exists; only the new thread reads it.
        nonisolated(unsafe) let moved = input
        slots.work = { try work(moved) }
        self.slots = slots
        thread = startThread { slots.run() }
    }

    /// Starts `work()` on a new thread (for work whose inputs are all `Sendable`).
    init(_ work: @escaping @Sendable () throws -> sending Value) {
        self.init(moving: (), { (_: ()) in try work() })
    }

    /// Waits for the work to finish and returns its value (sent to the caller), or rethrows its error.
    consuming func join() throws -> sending Value {
        if let thread { pthread_join(thread, nil) }
        return try slots.outcome()
    }
}

/// The one `@unchecked Sendable` type in Berth: the job and its outcome, each written by one
/// thread and read by the other, ordered by thread creation and `pthread_join`.
///
/// Proof: `work` is written before `pthread_create` (which orders it before anything the new
/// thread does) and read only by that thread; `value` and `failure` are written only by that
/// thread, before it ends, and read by ``outcome()`` only after `pthread_join` returned (which
/// orders the thread's writes before it). ``SecondThread`` is not copyable and joins once,
/// so no third party ever sees the slots, and a value leaves them only once.
///
/// Two optionals rather than a `Result`: `Result`'s `Failure: Error` requirement makes the
/// runtime check `any Error: Error` the first time, a scan of every protocol conformance in the
/// binary, and this runs in every connect.
final class ThreadSlots<Value>: @unchecked Sendable {
    fileprivate var work: (() throws -> Value)?
    private var value: Value?
    private var failure: (any Error)?

    fileprivate func run() {
        let job = work
        work = nil
        do { value = try job?() } catch { failure = error }
    }

    fileprivate func outcome() throws -> sending Value {
        if let failure { throw failure }
        guard let value = value.take() else { preconditionFailure("SecondThread joined without an outcome") }
        // Sent: the slot no longer holds it, and the thread that made it has ended.
        nonisolated(unsafe) let result = value
        return result
    }
}

/// Runs `run` on a new thread and returns it for `pthread_join`; if no thread can be had, runs
/// it here and returns nil. The thread starts on another CPU than this one when the process
/// may use more than one (`berth_thread_start_elsewhere`): queued behind this busy thread, it
/// would often not start before this one blocks, and the overlap would be lost.
private func startThread(_ run: @escaping () -> Void) -> pthread_t? {
    var handle = pthread_t()
    let context = Unmanaged.passRetained(ThreadStart(run)).toOpaque()
    let rc = berth_thread_start_elsewhere(&handle, { context in
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
