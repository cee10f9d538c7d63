import BerthStore
import Glibc

/// A store being opened on a second thread while the caller does work that needs no state: a
/// CNI ADD reads and checks its configuration meanwhile. Opening takes a good part of a
/// millisecond (SQLite reads its schema and rebuilds its WAL index), so the two overlap.
///
/// Only an existing database with a current schema is opened this way: input that turns out to
/// be bad must leave no state directory or database behind, and opening such a database changes
/// nothing (a database that needs migrating is left to the ordinary open). If the caller exits
/// before joining, the thread dies with the process, like any reader.
public final class StoreOpening {
    /// The state directory being opened.
    public let directory: String
    private let task: ParallelTask<Store>

    /// Starts opening the store in `directory`, or returns nil when it has no database yet.
    public init?(directory: String) {
        let path = directory.hasSuffix("/") ? directory + "berth.db" : directory + "/berth.db"
        guard access(path, R_OK | W_OK) == 0 else { return nil }
        self.directory = directory
        task = ParallelTask { try Store(directory: directory, migrating: false) }
    }

    /// Waits for the store (or its error). The store then belongs to the calling thread.
    func join() throws -> Store {
        try task.join()
    }
}
