import BerthStore
import Glibc

/// An engine opened on a second thread before the caller knows what it will ask of it: a CNI
/// ADD decodes and checks its configuration meanwhile, and opening the store (SQLite reads its
/// schema, rebuilds its WAL index) is the longest part of an attach. The thread then runs the
/// attach's store half (see ``Engine/attach(_:stateDirectory:open:warmup:resolve:)``), or
/// just hands the engine over.
///
/// Only an existing store is opened this way, and one whose schema needs upgrading is upgraded
/// only once the request has passed its checks: input that turns out to be bad must change
/// nothing, and opening an existing, current store changes nothing. If the caller never uses
/// it, the thread ends with the process, like any reader.
///
/// Not built on the generic ``ParallelTask``: a generic class's metadata is made at run time on
/// first use, and connect and ADD take this path in every process.
public final class EngineWarmup: @unchecked Sendable {
    /// The state directory being opened.
    public let stateDirectory: String
    private let gate = Gate()
    /// The thread's job and results: each written by one side before the gate opens or the
    /// thread ends, read by the other after it (the gate's mutex and `pthread_join` order them).
    private let slot: JobSlot
    private var thread: pthread_t?

    /// Starts `opening` (which opens an engine on `stateDirectory`, upgrading its schema when
    /// passed true) on a second thread, or returns nil when that directory has no store yet.
    public static func starting(stateDirectory: String, opening: @escaping (_ migrating: Bool) throws -> Engine) -> EngineWarmup? {
        let path = stateDirectory.hasSuffix("/") ? stateDirectory + "berth.db" : stateDirectory + "/berth.db"
        guard access(path, R_OK | W_OK) == 0 else { return nil }
        return EngineWarmup(stateDirectory: stateDirectory, opening: opening)
    }

    /// Starts `opening` on a second thread (for an attach whose network hint shows the store exists).
    init(stateDirectory: String = "", opening: @escaping (_ migrating: Bool) throws -> Engine) {
        self.stateDirectory = stateDirectory
        let gate = self.gate
        let slot = JobSlot()
        self.slot = slot
        thread = startThread {
            let started = PhaseTrace.now()
            defer { PhaseTrace.report("store: open, look up, reserve (second thread)", since: started) }
            do {
                let engine: Engine
                do {
                    engine = try opening(false)
                } catch {
                    // Perhaps a schema to upgrade: only for a request that passed its checks.
                    guard gate.wait(), slot.work != nil else { throw error }
                    engine = try opening(true)
                }
                slot.engine = engine
                guard gate.wait(), let work = slot.work else { return }
                slot.prepared = try work(engine)
            } catch {
                slot.error = error
            }
        }
    }

    /// Has the thread run `job` with the engine once it is open.
    func run(_ job: @escaping (Engine) throws -> Engine.Prepared) {
        slot.work = job
        gate.open(true)
    }

    /// Lets the thread end without a job (it still finishes opening); harmless after a job.
    public func abandon() {
        gate.open(false)
    }

    /// Waits for the thread to end.
    private func join() throws {
        if let thread {
            pthread_join(thread, nil)
            self.thread = nil
        }
        if let error = slot.error { throw error }
    }

    /// The store half's outcome, once ``run(_:)`` was called.
    func prepared() throws -> Engine.Prepared {
        try join()
        guard let prepared = slot.prepared else { throw BerthError.system("attach abandoned") }
        return prepared
    }

    /// The engine, with no job for the thread (waits for the open to finish).
    func engine() throws -> Engine {
        gate.open(false)
        try join()
        guard let engine = slot.engine else { throw BerthError.system("attach abandoned") }
        return engine
    }
}

/// Where the caller leaves the warm-up thread its job (a class, so the thread's closure can hold
/// it before the warm-up itself is fully initialised).
private final class JobSlot: @unchecked Sendable {
    var work: ((Engine) throws -> Engine.Prepared)?
    var engine: Engine?
    var prepared: Engine.Prepared?
    var error: (any Error)?
}
