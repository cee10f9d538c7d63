import BerthStore
import Glibc

/// An engine opened on a second thread before the caller knows what it will ask of it: a CNI
/// ADD decodes and checks its configuration meanwhile, and opening the store (SQLite reads its
/// schema, rebuilds its WAL index) is the longest part of an attach. The thread then runs the
/// attach's store half (see ``Engine/attach(_:stateDirectory:open:warmup:resolve:)``), or
/// just hands the engine over.
///
/// Only an existing store is opened this way: input that turns out to be bad must leave no
/// state directory behind, and opening an existing store changes nothing. If the caller never
/// uses it, the thread ends with the process, like any reader.
public final class EngineWarmup: @unchecked Sendable {
    /// The state directory being opened.
    public let stateDirectory: String
    private let gate = Gate()
    /// The job: set before the gate opens, read by the thread after it (the gate's mutex
    /// orders the two).
    private let slot: JobSlot
    private let task: ParallelTask<(Engine, Engine.Prepared?)>

    /// Starts `opening` (which opens an engine on `stateDirectory`) on a second thread, or
    /// returns nil when that directory has no store yet.
    public static func starting(stateDirectory: String, opening: @escaping () throws -> Engine) -> EngineWarmup? {
        let path = stateDirectory.hasSuffix("/") ? stateDirectory + "berth.db" : stateDirectory + "/berth.db"
        guard access(path, R_OK | W_OK) == 0 else { return nil }
        return EngineWarmup(stateDirectory: stateDirectory, opening: opening)
    }

    /// Starts `opening` on a second thread (for an attach whose network hint shows the store exists).
    init(stateDirectory: String = "", opening: @escaping () throws -> Engine) {
        self.stateDirectory = stateDirectory
        let gate = self.gate
        let job = JobSlot()
        self.slot = job
        task = ParallelTask {
            let started = PhaseTrace.now()
            defer { PhaseTrace.report("store: open, look up, reserve (second thread)", since: started) }
            let engine = try opening()
            guard gate.wait(), let work = job.work else { return (engine, nil) }
            return (engine, try work(engine))
        }
    }

    /// Has the thread run `job` with the engine once it is open.
    func run(_ job: @escaping (Engine) throws -> Engine.Prepared) {
        slot.work = job
        gate.open(true)
    }

    /// The store half's outcome, once ``run(_:)`` was called.
    func prepared() throws -> Engine.Prepared {
        guard let prepared = try task.join().1 else { throw BerthError.system("attach abandoned") }
        return prepared
    }

    /// Lets the thread end without a job (it still finishes opening); harmless after a job.
    public func abandon() {
        gate.open(false)
    }

    /// The engine, with no job for the thread (waits for the open to finish).
    func engine() throws -> Engine {
        gate.open(false)
        return try task.join().0
    }
}

/// Where the caller leaves the warm-up thread its job (a class, so the thread's closure can hold
/// it before the warm-up itself is fully initialised).
private final class JobSlot: @unchecked Sendable {
    var work: ((Engine) throws -> Engine.Prepared)?
}
