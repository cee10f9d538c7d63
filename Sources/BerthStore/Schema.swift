/// The database schema and its version check.
///
/// Addresses are stored as integers so lookups by address hit an index; subnets as
/// (address, prefix) integer pairs. The version lives in `PRAGMA user_version`, which is read from
/// the already-cached file header, so a matching version costs no DDL on the hot path.
enum Schema {
    /// The version this code writes. Bump it and add a step to ``migrate(_:from:)`` on change.
    static let currentVersion: Int64 = 1

    /// Version 1: networks, endpoints referencing them (cascade on network delete), and the
    /// host ports endpoints publish (one row per port, `host_ip` 0 for every local address;
    /// cascade on endpoint delete).
    static let version1 = """
        CREATE TABLE IF NOT EXISTS networks (
            name            TEXT PRIMARY KEY NOT NULL,
            id              TEXT NOT NULL UNIQUE,
            bridge          TEXT NOT NULL UNIQUE,
            subnet_address  INTEGER NOT NULL,
            subnet_prefix   INTEGER NOT NULL,
            gateway         INTEGER NOT NULL,
            range_address   INTEGER,
            range_prefix    INTEGER,
            mtu             INTEGER NOT NULL DEFAULT 0,
            internal        INTEGER NOT NULL DEFAULT 0,
            masquerade      INTEGER NOT NULL DEFAULT 1,
            icc             INTEGER NOT NULL DEFAULT 1,
            isolated        INTEGER NOT NULL DEFAULT 1,
            labels          TEXT NOT NULL DEFAULT '{}',
            created         INTEGER NOT NULL,
            last_allocated  INTEGER
        );
        CREATE TABLE IF NOT EXISTS endpoints (
            id              TEXT PRIMARY KEY NOT NULL,
            network         TEXT NOT NULL REFERENCES networks(name) ON DELETE CASCADE,
            container_id    TEXT NOT NULL,
            target          TEXT NOT NULL,
            netns_path      TEXT NOT NULL,
            netns_dev       INTEGER NOT NULL,
            netns_ino       INTEGER NOT NULL,
            ifname          TEXT NOT NULL,
            host_ifname     TEXT NOT NULL UNIQUE,
            address         INTEGER NOT NULL,
            prefix_length   INTEGER NOT NULL,
            mac             TEXT NOT NULL,
            state           TEXT NOT NULL CHECK (state IN ('creating', 'active', 'removing')),
            created         INTEGER NOT NULL,
            UNIQUE (network, address),
            UNIQUE (network, netns_dev, netns_ino, ifname)
        );
        CREATE INDEX IF NOT EXISTS endpoints_by_netns ON endpoints (netns_dev, netns_ino, ifname);
        CREATE INDEX IF NOT EXISTS endpoints_by_container ON endpoints (network, container_id);
        CREATE TABLE IF NOT EXISTS ports (
            protocol        TEXT NOT NULL CHECK (protocol IN ('tcp', 'udp')),
            host_port       INTEGER NOT NULL CHECK (host_port BETWEEN 1 AND 65535),
            host_ip         INTEGER NOT NULL,
            endpoint        TEXT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
            container_port  INTEGER NOT NULL CHECK (container_port BETWEEN 1 AND 65535),
            PRIMARY KEY (protocol, host_port, host_ip)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ports_by_endpoint ON ports (endpoint);
        """

    /// Brings the schema to ``currentVersion``. Cheap when already current (one pragma read);
    /// otherwise migrates under BEGIN IMMEDIATE so concurrent first runs create it exactly once.
    static func prepare(_ db: SQLiteConnection, migrating: Bool = true) throws {
        let version = try userVersion(db)
        if version == currentVersion { return }
        if version > currentVersion { throw tooNew(version) }
        if !migrating { throw StoreError.corrupt("schema version \(version) needs migrating to \(currentVersion)") }
        try db.execute("BEGIN IMMEDIATE")
        do {
            // Re-read under the write lock: another process may have migrated meanwhile.
            let locked = try userVersion(db)
            if locked > currentVersion { throw tooNew(locked) }
            if locked < currentVersion {
                try migrate(db, from: locked)
                try db.execute("PRAGMA user_version = \(currentVersion)")
            }
            try db.execute("COMMIT")
        } catch {
            if !db.isAutocommit { try? db.execute("ROLLBACK") }
            throw error
        }
    }

    /// Applies each step from `version` up to ``currentVersion``.
    private static func migrate(_ db: SQLiteConnection, from version: Int64) throws {
        if version < 1 { try db.execute(version1) }
        // Future: if version < 2 { try db.execute(version2) }
    }

    private static func userVersion(_ db: SQLiteConnection) throws -> Int64 {
        try db.query("PRAGMA user_version") { $0.int(0) }.first ?? 0
    }

    private static func tooNew(_ version: Int64) -> StoreError {
        .corrupt("schema version \(version) is newer than this berth understands (\(currentVersion)); upgrade berth")
    }
}
