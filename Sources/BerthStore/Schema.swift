/// The database schema and its version check.
///
/// Addresses are stored as integers so lookups by address hit an index; subnets as
/// (address, prefix) integer pairs. The version lives in `PRAGMA user_version`, which is read from
/// the already-cached file header, so a matching version costs no DDL on the hot path.
enum Schema {
    /// The version this code writes. Bump it and add a step to ``migrate(_:from:)`` on change.
    static let currentVersion: Int64 = 7

    /// Version 2: the same data in fewer b-trees. Every process parses the whole schema when it
    /// opens the store, and every connect writes one page per b-tree of `endpoints`, so:
    /// networks keyed by name without a rowid; endpoints keyed by (network, address) — the
    /// allocation lookup — without a rowid, one unique index on (namespace, ifname, network)
    /// serving both the per-network uniqueness and the lookup by namespace, and no CHECK on the
    /// state (seven b-trees became five). Ports are unchanged.
    ///
    /// Version 4 added `driver` and `firewall` to networks (see ``upgrade3to4``). Version 5 made
    /// the IPv4 columns optional and added the IPv6 ones (see ``upgradeTo5``): IPv6 addresses
    /// and subnets are stored as their RFC 5952 text, which is unique per address, so equality
    /// lookups need no numeric form. Version 6 added the name service columns (see
    /// ``upgrade5to6``), version 7 the owner, the parent device, driver options and the route
    /// metric (see ``upgrade6to7``).
    static func networksTable(_ name: String) -> String {
        """
        CREATE TABLE IF NOT EXISTS \(name) (
            name            TEXT PRIMARY KEY NOT NULL,
            id              TEXT NOT NULL UNIQUE,
            bridge          TEXT NOT NULL UNIQUE,
            subnet_address  INTEGER,
            subnet_prefix   INTEGER,
            gateway         INTEGER,
            range_address   INTEGER,
            range_prefix    INTEGER,
            mtu             INTEGER NOT NULL,
            internal        INTEGER NOT NULL,
            masquerade      INTEGER NOT NULL,
            icc             INTEGER NOT NULL,
            isolated        INTEGER NOT NULL,
            labels          TEXT NOT NULL,
            created         INTEGER NOT NULL,
            last_allocated  INTEGER,
            driver          TEXT NOT NULL DEFAULT 'bridge',
            firewall        TEXT NOT NULL DEFAULT 'nftables',
            subnet6         TEXT,
            gateway6        TEXT,
            range6          TEXT,
            masquerade6     INTEGER NOT NULL DEFAULT 1,
            last_allocated6 TEXT,
            dns             INTEGER NOT NULL DEFAULT 0,
            dns_domain      TEXT NOT NULL DEFAULT 'berth.internal',
            dns_servers     TEXT NOT NULL DEFAULT '',
            owner           TEXT NOT NULL DEFAULT '',
            parent          TEXT NOT NULL DEFAULT '',
            driver_options  TEXT NOT NULL DEFAULT '',
            route_metric    INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;

        """
    }

    /// Version 5 keys endpoints by id: an endpoint has an IPv4 address, an IPv6 one or both,
    /// each unique per network through a partial index (``endpointsIndex``), so an IPv4-only
    /// connect writes no more b-trees than before.
    static func endpointsTable(_ name: String) -> String {
        """
        CREATE TABLE IF NOT EXISTS \(name) (
            id              TEXT PRIMARY KEY NOT NULL,
            network         TEXT NOT NULL REFERENCES networks(name) ON DELETE CASCADE,
            address         INTEGER,
            address6        TEXT,
            prefix_length6  INTEGER NOT NULL DEFAULT 0,
            container_id    TEXT NOT NULL,
            target          TEXT NOT NULL,
            netns_path      TEXT NOT NULL,
            netns_dev       INTEGER NOT NULL,
            netns_ino       INTEGER NOT NULL,
            ifname          TEXT NOT NULL,
            host_ifname     TEXT NOT NULL UNIQUE,
            prefix_length   INTEGER NOT NULL,
            mac             TEXT NOT NULL,
            state           TEXT NOT NULL,
            created         INTEGER NOT NULL,
            netns_cookie    INTEGER NOT NULL DEFAULT 0,
            owner           TEXT NOT NULL DEFAULT '',
            dns_name        TEXT,
            aliases         TEXT NOT NULL DEFAULT '',
            UNIQUE (netns_dev, netns_ino, ifname, network)
        ) WITHOUT ROWID;

        """
    }

    static let endpointsIndex = """
        CREATE INDEX IF NOT EXISTS endpoints_by_container ON endpoints (network, container_id);
        CREATE UNIQUE INDEX IF NOT EXISTS endpoints_by_address ON endpoints (network, address) WHERE address IS NOT NULL;
        CREATE UNIQUE INDEX IF NOT EXISTS endpoints_by_address6 ON endpoints (network, address6) WHERE address6 IS NOT NULL;

        """

    /// Store-wide settings (version 5): `ula-global-id`, the random 40-bit global ID of the
    /// unique local IPv6 prefixes Berth chooses (RFC 4193: one per site, kept for good).
    static let settingsTable = """
        CREATE TABLE IF NOT EXISTS settings (
            key             TEXT PRIMARY KEY NOT NULL,
            value           TEXT NOT NULL
        ) WITHOUT ROWID;

        """

    static let ports2 = """
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

    /// A new store: today's tables straight away.
    static let current = networksTable("networks") + endpointsTable("endpoints") + endpointsIndex + ports2
        + settingsTable

    /// Version 1 → 2: new tables filled from the old ones, the old ones dropped, the new ones
    /// renamed (SQLite's way to change keys). Runs with foreign keys off (see
    /// ``prepare(_:migrating:)``), so dropping the old tables cascades nowhere; `ports` keeps
    /// referring to `endpoints` by name.
    static let upgrade1to2 = networksTable("networks_v2")
        + "INSERT INTO networks_v2 (\(networkColumns)) SELECT \(networkColumns) FROM networks;\n"
        + endpointsTable("endpoints_v2")
        + "INSERT INTO endpoints_v2 (\(endpointColumns)) SELECT \(endpointColumns) FROM endpoints;\n"
        + """
        DROP TABLE endpoints;
        DROP TABLE networks;
        ALTER TABLE networks_v2 RENAME TO networks;
        ALTER TABLE endpoints_v2 RENAME TO endpoints;

        """
        + endpointsIndex + settingsTable

    /// Version 2 → 3: endpoints record their namespace's cookie and the front end that made
    /// them (version 1 goes to the current version directly: ``upgrade1to2`` builds today's tables). Rows from
    /// before get 0 and '' (unknown), which no code takes for a live namespace's or CNI's.
    static let upgrade2to3 = """
        ALTER TABLE endpoints ADD COLUMN netns_cookie INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE endpoints ADD COLUMN owner TEXT NOT NULL DEFAULT '';

        """

    /// Version 3 → 4: networks record the network driver that made them and the firewall
    /// driver that renders their rules. Every network before version 4 was a bridge with
    /// nftables rules, which is what the defaults say.
    static let upgrade3to4 = """
        ALTER TABLE networks ADD COLUMN driver TEXT NOT NULL DEFAULT 'bridge';
        ALTER TABLE networks ADD COLUMN firewall TEXT NOT NULL DEFAULT 'nftables';

        """

    /// Version 4 → 5: IPv6. Networks' IPv4 columns become optional (an IPv6-only network has
    /// none) and endpoints are keyed by id with one partial unique index per family, so both
    /// tables are rebuilt as in ``upgrade1to2``; the store-wide settings table is new. Existing
    /// networks are IPv4-only, which the new columns' NULLs say.
    static let upgradeTo5 = networksTable("networks_v5")
        + "INSERT INTO networks_v5 (\(networkColumns), driver, firewall) SELECT \(networkColumns), driver, firewall FROM networks;\n"
        + endpointsTable("endpoints_v5")
        + "INSERT INTO endpoints_v5 (\(endpointColumns), netns_cookie, owner) SELECT \(endpointColumns), netns_cookie, owner FROM endpoints;\n"
        + """
        DROP TABLE endpoints;
        DROP TABLE networks;
        ALTER TABLE networks_v5 RENAME TO networks;
        ALTER TABLE endpoints_v5 RENAME TO endpoints;

        """
        + endpointsIndex + settingsTable

    /// Version 5 → 6: the name service. A network made before has none (`dns` 0) and the
    /// default domain; an endpoint made before has no name and no aliases. Versions before 5
    /// skip this step: their rebuild (``upgradeTo5``) makes today's tables, these columns with
    /// their defaults included.
    static let upgrade5to6 = """
        ALTER TABLE networks ADD COLUMN dns INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE networks ADD COLUMN dns_domain TEXT NOT NULL DEFAULT 'berth.internal';
        ALTER TABLE networks ADD COLUMN dns_servers TEXT NOT NULL DEFAULT '';
        ALTER TABLE endpoints ADD COLUMN dns_name TEXT;
        ALTER TABLE endpoints ADD COLUMN aliases TEXT NOT NULL DEFAULT '';

        """

    /// Version 6 → 7: Podman's networks and the macvlan driver. A network records the front
    /// end that made it (`owner`: '' for one made before, which counts as the CLI's), the
    /// device its driver hangs off (`parent`, macvlan's `--parent`; '' for a bridge), the
    /// driver's own options (`driver_options`, as labels are coded: macvlan's `mode`) and the
    /// metric of the default routes it installs in containers (`route_metric`, 0 for none).
    static let upgrade6to7 = """
        ALTER TABLE networks ADD COLUMN owner TEXT NOT NULL DEFAULT '';
        ALTER TABLE networks ADD COLUMN parent TEXT NOT NULL DEFAULT '';
        ALTER TABLE networks ADD COLUMN driver_options TEXT NOT NULL DEFAULT '';
        ALTER TABLE networks ADD COLUMN route_metric INTEGER NOT NULL DEFAULT 0;

        """

    private static let networkColumns = """
        name, id, bridge, subnet_address, subnet_prefix, gateway, range_address, range_prefix, \
        mtu, internal, masquerade, icc, isolated, labels, created, last_allocated
        """
    private static let endpointColumns = """
        network, address, id, container_id, target, netns_path, netns_dev, netns_ino, ifname, \
        host_ifname, prefix_length, mac, state, created
        """

    /// Brings the schema to ``currentVersion``. Cheap when already current (one pragma read);
    /// otherwise migrates under BEGIN IMMEDIATE so concurrent first runs create it exactly once.
    static func prepare(_ db: SQLiteConnection, migrating: Bool = true) throws {
        let version = try userVersion(db)
        if version == currentVersion { return }
        if version > currentVersion { throw tooNew(version) }
        if !migrating { throw StoreError.corrupt("schema version \(version) needs migrating to \(currentVersion)") }
        // Rebuilding a table must not cascade: foreign keys are off for the migration (a pragma
        // that cannot change inside a transaction), and on again afterwards.
        try db.execute("PRAGMA foreign_keys=OFF")
        defer { try? db.execute("PRAGMA foreign_keys=ON") }
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
        if version < 1 {
            try db.execute(current)
            return
        }
        if version < 2 {
            // Builds today's tables: nothing more to add.
            try db.execute(upgrade1to2)
            return
        }
        if version < 3 { try db.execute(upgrade2to3) }
        if version < 4 { try db.execute(upgrade3to4) }
        if version < 5 {
            // Rebuilds with today's tables: the version 6 and 7 columns come with it.
            try db.execute(upgradeTo5)
            return
        }
        if version < 6 { try db.execute(upgrade5to6) }
        if version < 7 { try db.execute(upgrade6to7) }
    }

    private static func userVersion(_ db: SQLiteConnection) throws -> Int64 {
        try db.queryFirst("PRAGMA user_version") { $0.int(0) } ?? 0
    }

    private static func tooNew(_ version: Int64) -> StoreError {
        .corrupt("schema version \(version) is newer than this berth understands (\(currentVersion)); upgrade berth")
    }
}
