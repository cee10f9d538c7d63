import BerthStore
import Glibc
import Synchronization

/// A store being opened on a second thread before the command knows what it will ask of it: a
/// CNI ADD decodes and checks its configuration meanwhile, and opening the store (SQLite reads
/// its schema, rebuilds its WAL index) is the longest part of an attach.
///
/// Only an existing store is opened this way, without upgrading its schema: opening an
/// existing, current store changes nothing, so input that turns out to be bad still changes
/// nothing. A store that needs an upgrade is opened again, upgrading, by ``join(upgrading:)``,
/// which the caller only reaches once the request has passed its checks. If nothing ever
/// joins it, the thread ends with the process, like any reader.
final class StoreOpening: Sendable {
    private let settings: EngineSettings
    /// The thread until someone joins it (whoever needs the store first: the command's own
    /// thread, or the attach's store half).
    private let thread: Mutex<SecondThread<Store>?>

    private init(settings: EngineSettings, thread: consuming SecondThread<Store>) {
        self.settings = settings
        self.thread = Mutex(thread)
    }

    /// Starts opening the store of `settings` on a second thread; nil when there is no store
    /// there yet (the first command creates it on its own thread).
    static func start(_ settings: EngineSettings) -> StoreOpening? {
        guard access(settings.databasePath, R_OK | W_OK) == 0 else { return nil }
        return StoreOpening(settings: settings, thread: SecondThread {
            let started = PhaseTrace.now()
            defer { PhaseTrace.report("store: open (second thread)", since: started) }
            return try Engine.openStore(settings, migrating: false)
        })
    }

    /// The opened store. If the thread could not open it (a schema to upgrade, say), it is
    /// opened here, upgrading when `upgrading`.
    func join(upgrading: Bool) throws -> sending Store {
        let running = thread.withLock { $0.take() }
        guard let running else { return try Engine.openStore(settings, migrating: upgrading) }
        do {
            return try running.join()
        } catch {
            return try Engine.openStore(settings, migrating: upgrading)
        }
    }
}
