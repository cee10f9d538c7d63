/// Checkpoints a store's WAL in a detached child process, so the command whose commits made it
/// long does not wait for the checkpoint's two fsyncs (one to seal the WAL, one for the pages
/// copied into the database file) — on this kind of disk 1 to 6 ms, several times an attach.
///
/// The same idea as `git gc --auto` detaching: the work is bounded, idempotent and safe to
/// interrupt (a killed checkpoint leaves the WAL as it was; the next one finishes it), so
/// nobody needs to wait for it. The child runs a PASSIVE checkpoint: it never blocks the
/// readers and writers of other berth processes, and gives up on pages they still need.
///
/// A checkpoint alone would not shorten what the next process reads: the WAL only starts over
/// at the next write that sees every page copied, and a new process never sees that (the first
/// opener rebuilds the WAL index from the file and forgets what was copied). So the child also
/// writes once, which starts the WAL over (one fsync of its new header, also off the caller's
/// path); the next process then reads one frame instead of dozens.
///
/// The caller must have closed every SQLite connection of the process and be its only thread:
/// a child must not inherit SQLite's in-memory view of file locks it does not hold.
enum BackgroundCheckpoint {
    /// Forks the child and returns at once (in the parent). If fork fails nothing happens:
    /// a later commit's checkpoint covers it. The child holds no lock of berth's: the checkpoint
    /// is SQLite's business, and `berth gc` need not wait for it.
    static func start(databasePath: String) {
        _ = DetachedChild.start(lowPriority: true) {
            // Opened without creating: if the state directory went meanwhile, there is nothing to do.
            if let db = try? SQLiteConnection(path: databasePath, busyTimeoutMilliseconds: 1000, creating: false) {
                // Like every berth connection: closing it must neither delete the WAL nor checkpoint.
                _ = try? db.tuneForShortLivedProcesses()
                // A first read opens the WAL (a fresh connection has not seen it yet).
                _ = try? db.execute("PRAGMA user_version")
                try? db.checkpointAndStartOver()
                db.close()
            }
        }
    }
}
