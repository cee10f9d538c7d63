#include <sqlite3.h>

/// sqlite3_db_config and sqlite3_file_control are variadic or take void*, which Swift cannot
/// call directly; these wrappers set the two options Berth's short-lived processes need.

/// Keeps the WAL file when the last connection closes, so the next process does not recreate
/// (and fsync) it.
static inline int berth_sqlite_persist_wal(sqlite3 *db) {
    int on = 1;
    return sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &on);
}


/// Skips the checkpoint when the last connection closes. A checkpoint restarts the WAL, and
/// the next writer then has to fsync the new WAL header (and its directory): about 1 ms on
/// every short-lived berth process. Auto-checkpoints during commits keep the WAL short instead.
static inline int berth_sqlite_no_checkpoint_on_close(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}

/// Turns off the per-connection lookaside allocator for connections opened afterwards (call it
/// before the first open). Setting it up threads a free list through ~120 KiB, touching every
/// page: dozens of page faults for a process that runs a handful of statements and exits.
/// Returns SQLITE_MISUSE if SQLite is already initialised, which only costs the optimisation.
static inline int berth_sqlite_without_lookaside(void) {
    return sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0);
}

/// Turns off SQLite's memory statistics (call it before the first open): with them on, every
/// allocation and free takes a global mutex and updates counters nobody reads here.
static inline int berth_sqlite_without_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
