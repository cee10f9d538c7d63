import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The persistent state of all Berth networks and endpoints: `DIR/berth.db`, SQLite in WAL mode.
///
/// One `Store` per process (or per thread): the connection is not shared across threads.
/// Concurrent `berth` processes coordinate through SQLite's locks — writers queue on a 10 s busy
/// timeout — so any read-decide-write sequence (such as address allocation) must run inside
/// ``transaction(_:)``.
public final class Store {
    /// The database file path (`DIR/berth.db`).
    public let path: String
    let db: SQLiteConnection
    /// How many ``transaction(_:)`` calls are currently open on this store.
    private var transactionDepth = 0

    /// How long a writer waits for another process's write lock before failing.
    static let busyTimeoutMilliseconds: Int32 = 10_000

    /// Opens the store in `directory`, creating the directory (mode 0700) and the database as
    /// needed. Cheap when the schema is already current: no DDL runs. With `migrating` false, a
    /// database whose schema is not current is left alone and the open fails instead.
    ///
    /// With `deferringCheckpoints`, commits do not checkpoint the WAL (two fsyncs, one commit in
    /// about ten otherwise): ``finish()`` hands that to a detached process instead. For the
    /// commands whose latency counts, such as connect.
    public init(directory: String, migrating: Bool = true, deferringCheckpoints: Bool = false) throws {
        // The directory almost always exists: check with one lstat before creating path
        // components. One made just now is checked too: another user may have made it first.
        var info = stat()
        if lstat(directory, &info) != 0 { try Store.makeDirectory(directory) }
        try StateDirectoryPolicy.check(directory)
        path = directory.hasSuffix("/") ? directory + "berth.db" : directory + "/berth.db"
        self.deferringCheckpoints = deferringCheckpoints
        try StateDirectoryPolicy.prepareDatabaseFile(path)
        db = try SQLiteConnection(path: path, busyTimeoutMilliseconds: Store.busyTimeoutMilliseconds)
        // WAL lets readers (`berth ls`) proceed while a connect holds the write lock; NORMAL sync
        // is durable across process crashes (only a power cut may lose the last commits).
        // foreign_keys is per connection and off by default; the endpoint cascade needs it.
        try Store.retryingWhileBusy {
            // 1 KiB pages (only takes effect when the file is created): a connect touches about
            // eight b-tree pages, and every new process re-reads and checksums the WAL frames since
            // the last checkpoint to rebuild the WAL index, so smaller frames make opening cheaper.
            try db.execute("PRAGMA page_size=1024; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON")
            try db.tuneForShortLivedProcesses()
            try Schema.prepare(db, migrating: migrating)
        }
        if deferringCheckpoints { db.deferCheckpoints(until: Store.deferredCheckpointLimit) }
    }

    private let deferringCheckpoints: Bool
    /// A WAL this long is checkpointed by the committing process even when checkpoints are
    /// deferred (a backstop: ``finish()`` normally runs one long before).
    static let deferredCheckpointLimit: Int32 = 1000

    /// Closes the store. If checkpoints are deferred and this process's commits left the WAL
    /// at least ``SQLiteConnection/autocheckpointPages`` long, a detached child process copies
    /// it into the database (``BackgroundCheckpoint``) while the caller goes on — or this
    /// process does, should it have other connections open. The store must not be used
    /// afterwards. Call it from the process's only thread.
    public func finish() {
        guard db.isOpen else { return }
        guard deferringCheckpoints, db.walPages >= SQLiteConnection.autocheckpointPages else {
            db.close()
            return
        }
        guard SQLiteConnection.openConnections == 1 else {
            // A child must not inherit another connection's view of locks it does not hold.
            try? db.checkpointAndStartOver()
            db.close()
            return
        }
        db.close()
        BackgroundCheckpoint.start(databasePath: path)
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT` and returns its result; rolls back and
    /// rethrows if `body` throws.
    ///
    /// IMMEDIATE takes the write lock up front, so two processes cannot both read the same free
    /// address and then both try to claim it. Waiting for the lock is covered by the busy timeout;
    /// if BEGIN still reports busy it is retried a few times.
    ///
    /// Nesting is allowed: an inner call becomes a SAVEPOINT, so if it throws only its own writes
    /// are undone (the outer transaction continues if the caller catches the error).
    ///
    /// The result is discardable because single-expression bodies such as
    /// `transaction { try store.setCursor(…) }` otherwise return an unwanted Bool.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        let savepoint = transactionDepth > 0 ? "berth_nested_\(transactionDepth)" : nil
        if let savepoint {
            try db.execute("SAVEPOINT \(savepoint)")
        } else {
            try beginImmediate()
        }
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        let result: T
        do {
            result = try body()
        } catch {
            rollback(to: savepoint)
            throw error
        }
        do {
            try db.execute(savepoint.map { "RELEASE \($0)" } ?? "COMMIT")
        } catch {
            rollback(to: savepoint)
            throw error
        }
        return result
    }

    /// BEGIN IMMEDIATE, retried on SQLITE_BUSY. The busy handler already waited up to the
    /// timeout; a few retries cover the cases where SQLite returns BUSY without invoking it
    /// (e.g. another connection is running WAL recovery).
    private func beginImmediate() throws {
        var attempt = 0
        while true {
            do {
                try db.execute("BEGIN IMMEDIATE")
                return
            } catch StoreError.sqlite(let code, _) where code & 0xff == SQLITE_BUSY && attempt < 5 {
                attempt += 1
                usleep(UInt32(20_000 * attempt))
            }
        }
    }

    /// Undoes the current transaction (or savepoint). Errors are ignored: we are already
    /// propagating the error that caused the rollback, and SQLite may have rolled back by itself.
    private func rollback(to savepoint: String?) {
        if let savepoint {
            try? db.execute("ROLLBACK TO \(savepoint); RELEASE \(savepoint)")
        } else if !db.isAutocommit {
            try? db.execute("ROLLBACK")
        }
    }

    /// `mkdir -p` with mode 0700 for every directory it creates; existing ones are left alone.
    private static func makeDirectory(_ directory: String) throws {
        guard !directory.isEmpty else { throw StoreError.sqlite(code: SQLITE_CANTOPEN, message: "empty state directory path") }
        var prefix = directory.hasPrefix("/") ? "/" : ""
        for component in directory.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                let reason = String(cString: strerror(errno))
                throw StoreError.sqlite(code: SQLITE_CANTOPEN, message: "cannot create \(prefix): \(reason)")
            }
            prefix += "/"
        }
    }

    /// Runs `body` again while SQLite reports the database busy or locked. Switching a fresh
    /// database to WAL needs an exclusive lock and does not go through the busy handler, so
    /// several processes opening a new state directory at once would otherwise fail.
    static func retryingWhileBusy(_ body: () throws -> Void) throws {
        var attempt = 0
        while true {
            do {
                return try body()
            } catch StoreError.sqlite(let code, _) where (code & 0xff == 5 || code & 0xff == 6) && attempt < 200 {
                attempt += 1
                usleep(UInt32(min(attempt, 20)) * 1000)
            }
        }
    }
}
