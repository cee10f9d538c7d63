import CBerthShim
import CSQLite
import Glibc

/// A value bound to a statement parameter.
enum SQLValue {
    case int(Int64)
    case text(String)
    case null
}

/// The current row of a stepping statement. Only valid inside the `query` callback.
struct SQLRow {
    fileprivate let statement: OpaquePointer

    /// The column as an integer (0 for NULL).
    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
    /// True when the column is NULL.
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }
    /// Whether the column holds text (a column may hold values of several types).
    func isText(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_TEXT }
    /// The column as text ("" for NULL).
    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(statement, column) else { return "" }
        return String(cString: bytes)
    }
}

/// A thin owner of one `sqlite3*` handle with a prepared-statement cache.
///
/// Not thread-safe (opened with SQLITE_OPEN_NOMUTEX): each process, or each thread in tests,
/// opens its own connection, and SQLite's file locking serialises them.
final class SQLiteConnection {
    private let db: OpaquePointer
    /// False once ``close()`` ran; the handle must not be used after that.
    private(set) var isOpen = true
    /// Pages in the WAL after this connection's last commit (counted only while checkpoints are
    /// deferred, see ``deferCheckpoints(until:)``).
    private(set) var walPages: Int32 = 0
    /// Statements are prepared once per connection and reused; a CLI invocation runs the same
    /// few queries (notably the address lookup in the allocation loop) many times.
    /// A short linked list, searched linearly: a command prepares a handful of statements, and
    /// a dictionary's (or an array of structs') first use costs a fresh process more than all
    /// the lookups it would save — the Swift runtime builds their generic metadata then.
    private var statements: CachedStatement?

    private final class CachedStatement {
        let sql: String
        let handle: OpaquePointer
        let next: CachedStatement?
        init(sql: String, handle: OpaquePointer, next: CachedStatement?) {
            self.sql = sql
            self.handle = handle
            self.next = next
        }
    }

    /// Opens the database at `path`, creating it unless `creating` is false.
    init(path: String, busyTimeoutMilliseconds: Int32, creating: Bool = true) throws {
        _ = SQLiteConnection.processSetUp
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | (creating ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw StoreError.sqlite(code: rc, message: "cannot open \(path): \(message)")
        }
        db = handle
        _ = berth_count_sqlite_connections(1)
        sqlite3_extended_result_codes(db, 1)
        // Concurrent berth processes queue on the write lock instead of failing with SQLITE_BUSY.
        // SQLite's own busy timeout sleeps 1, 2, 5, 10 … ms between attempts; another berth
        // holds the lock for well under a millisecond, so the first waits are much shorter.
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        sqlite3_busy_handler(db, { context, attempt in
            let connection = Unmanaged<SQLiteConnection>.fromOpaque(context!).takeUnretainedValue()
            return SQLiteConnection.waitForLock(attempt: attempt, timeoutMilliseconds: connection.busyTimeoutMilliseconds) ? 1 : 0
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    private let busyTimeoutMilliseconds: Int32

    /// The busy handler's back-off: 100 µs waits for the first 10 ms, then 1 ms waits until
    /// about `timeoutMilliseconds` have passed. Returns false when it is time to give up.
    static func waitForLock(attempt: Int32, timeoutMilliseconds: Int32) -> Bool {
        let shortWaits: Int32 = 100
        if attempt < shortWaits {
            usleep(100)
            return true
        }
        guard attempt - shortWaits < timeoutMilliseconds - 10 else { return false }
        usleep(1000)
        return true
    }

    /// Process-wide SQLite settings, applied once before the first connection opens.
    private static let processSetUp: Void = {
        _ = berth_sqlite_without_lookaside()
        _ = berth_sqlite_without_memory_statistics()
    }()

    /// Tunes the connection for berth's short-lived processes:
    /// - the WAL file is kept when the last connection closes, and no checkpoint runs then: a
    ///   checkpoint restarts the WAL, and the next writer must fsync the fresh WAL header and its
    ///   directory (about 1 ms per process, more than the whole kernel work of an attach);
    /// - instead a commit checkpoints once the WAL holds 64 pages, so the WAL that every new
    ///   process reads to rebuild its index stays short (tens of microseconds).
    func tuneForShortLivedProcesses() throws {
        _ = berth_sqlite_persist_wal(db)
        _ = berth_sqlite_no_checkpoint_on_close(db)
        try execute("PRAGMA wal_autocheckpoint=64")
    }

    /// How long the WAL may grow before a checkpoint (the pragma above; SQLite's default is 1000).
    static let autocheckpointPages: Int32 = 64

    /// Stops checkpointing at commit time (the `wal_autocheckpoint` hook) and counts the WAL's
    /// pages instead, for a caller that checkpoints off its critical path (see
    /// ``Store/finish()``). Past `limit` pages a commit still checkpoints at once, so a caller
    /// that never gets round to it cannot make the WAL grow without bound.
    func deferCheckpoints(until limit: Int32) {
        deferredCheckpointLimit = limit
        sqlite3_wal_hook(db, { context, db, schema, pages in
            let connection = Unmanaged<SQLiteConnection>.fromOpaque(context!).takeUnretainedValue()
            connection.walPages = pages
            if pages >= connection.deferredCheckpointLimit {
                sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            }
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    private var deferredCheckpointLimit: Int32 = .max

    /// Copies the WAL's pages into the database file with a PASSIVE checkpoint (it waits for no
    /// reader or writer), then, if every page went, writes one page without changing anything
    /// (the user version, rewritten as it is): that write, made while this connection still
    /// knows the pages were copied, starts the WAL over from its first frame.
    func checkpointAndStartOver() throws {
        var logged: Int32 = 0, copied: Int32 = 0
        let rc = sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, &logged, &copied)
        guard rc == SQLITE_OK else { throw error(rc) }
        guard logged == copied else { return }
        try execute("BEGIN IMMEDIATE")
        do {
            let version = try queryFirst("PRAGMA user_version") { $0.int(0) } ?? 0
            try execute("PRAGMA user_version = \(version)")
            try execute("COMMIT")
        } catch {
            if !isAutocommit { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Finalises the cached statements and closes the handle; idempotent.
    func close() {
        guard isOpen else { return }
        isOpen = false
        var statement = statements
        while let current = statement {
            sqlite3_finalize(current.handle)
            statement = current.next
        }
        statements = nil
        sqlite3_close_v2(db)
        _ = berth_count_sqlite_connections(-1)
    }

    /// How many connections this process has open, on any thread.
    static var openConnections: Int { Int(berth_count_sqlite_connections(0)) }

    deinit {
        close()
    }

    /// True when no transaction is open (SQLite may end one by itself after some errors).
    var isAutocommit: Bool { sqlite3_get_autocommit(db) != 0 }

    /// Runs one or more statements without parameters or results (pragmas, DDL, BEGIN/COMMIT).
    func execute(_ sql: String) throws {
        precondition(isOpen, "store used after it was closed")
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(db))
            sqlite3_free(errorMessage)
            throw error(rc, message)
        }
    }

    /// Runs a statement that returns no rows; returns the number of rows changed.
    @discardableResult
    func run(_ sql: String, _ arguments: [SQLValue] = []) throws -> Int {
        let statement = try prepared(sql, arguments)
        defer { sqlite3_reset(statement); sqlite3_clear_bindings(statement) }
        let rc = sqlite3_step(statement)
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else { throw error(rc) }
        return Int(sqlite3_changes(db))
    }

    /// Runs a query, mapping every row through `transform`.
    func query<T>(_ sql: String, _ arguments: [SQLValue] = [],
                  _ transform: (SQLRow) throws -> T) throws -> [T] {
        let statement = try prepared(sql, arguments)
        // Reset promptly: a statement left mid-step would hold its read snapshot open.
        defer { sqlite3_reset(statement); sqlite3_clear_bindings(statement) }
        var results: [T] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error(rc) }
            results.append(try transform(SQLRow(statement: statement)))
        }
        return results
    }

    /// The first row mapped through `transform`, or nil when there is none. Steps once and
    /// builds no array (see ``statements``).
    func queryFirst<T>(_ sql: String, _ arguments: [SQLValue] = [],
                       _ transform: (SQLRow) throws -> T) throws -> T? {
        let statement = try prepared(sql, arguments)
        defer { sqlite3_reset(statement); sqlite3_clear_bindings(statement) }
        let rc = sqlite3_step(statement)
        if rc == SQLITE_DONE { return nil }
        guard rc == SQLITE_ROW else { throw error(rc) }
        return try transform(SQLRow(statement: statement))
    }

    /// The cached statement for `sql`, with `arguments` bound to parameters 1…n.
    private func prepared(_ sql: String, _ arguments: [SQLValue]) throws -> OpaquePointer {
        precondition(isOpen, "store used after it was closed")
        var cached = statements
        while let current = cached, current.sql != sql { cached = current.next }
        let statement: OpaquePointer
        if let cached {
            statement = cached.handle
        } else {
            var handle: OpaquePointer?
            let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
            guard rc == SQLITE_OK, let handle else { throw error(rc) }
            statements = CachedStatement(sql: sql, handle: handle, next: statements)
            statement = handle
        }
        for (offset, argument) in arguments.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch argument {
            case .int(let value): rc = sqlite3_bind_int64(statement, index, value)
            case .text(let value): rc = sqlite3_bind_text(statement, index, value, -1, sqliteTransient)
            case .null: rc = sqlite3_bind_null(statement, index)
            }
            guard rc == SQLITE_OK else {
                sqlite3_clear_bindings(statement)
                throw error(rc)
            }
        }
        return statement
    }

    /// Maps a result code to a ``StoreError``: constraint violations become `.conflict` carrying
    /// SQLite's raw message (callers rewrite it into something naming the clash), corruption
    /// becomes `.corrupt`, anything else `.sqlite`.
    private func error(_ rc: Int32, _ message: String? = nil) -> StoreError {
        let message = message ?? String(cString: sqlite3_errmsg(db))
        switch rc & 0xff {
        case SQLITE_CONSTRAINT: return .conflict(message)
        case SQLITE_CORRUPT, SQLITE_NOTADB: return .corrupt(message)
        default: return .sqlite(code: rc, message: message)
        }
    }
}

/// SQLITE_TRANSIENT (a C macro casting -1 to a function pointer, which Swift cannot import):
/// tells SQLite to copy bound text, since Swift's temporary C string dies after the call.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
