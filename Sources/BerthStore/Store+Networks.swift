import BerthAddress

/// Network rows.
extension Store {
    /// Column list matching ``decodeNetwork(_:)``.
    private static let networkColumns = """
        name, id, bridge, subnet_address, subnet_prefix, gateway, range_address, range_prefix, \
        mtu, internal, masquerade, labels, created, last_allocated, icc, isolated, driver, firewall, \
        subnet6, gateway6, range6, masquerade6, last_allocated6, dns, dns_domain, dns_servers, \
        owner, parent, driver_options, route_metric
        """

    /// The network called `name`, or nil.
    public func network(named name: String) throws -> NetworkRecord? {
        try db.queryFirst("SELECT \(Store.networkColumns) FROM networks WHERE name = ?1",
                          [.text(name)], Store.decodeNetwork)
    }

    /// The networks with a name service (`dns` on), ordered by name.
    public func dnsNetworks() throws -> [NetworkRecord] {
        try db.query("SELECT \(Store.networkColumns) FROM networks WHERE dns = 1 ORDER BY name", [], Store.decodeNetwork)
    }

    /// All networks, ordered by name.
    public func networks() throws -> [NetworkRecord] {
        try db.query("SELECT \(Store.networkColumns) FROM networks ORDER BY name", [], Store.decodeNetwork)
    }

    /// Adds a network. Throws ``StoreError/conflict(_:)`` if the name, bridge or id is taken.
    public func insertNetwork(_ n: NetworkRecord) throws {
        let arguments: [SQLValue] = [
            .text(n.name), .text(n.id), .text(n.bridge),
            n.subnet.map { .address($0.network) } ?? .null, n.subnet.map { .int(Int64($0.prefixLength)) } ?? .null,
            n.gateway.map { .address($0) } ?? .null,
            n.ipRange.map { .address($0.network) } ?? .null,
            n.ipRange.map { .int(Int64($0.prefixLength)) } ?? .null,
            .int(Int64(n.mtu)), .bool(n.isInternal), .bool(n.masquerade),
            .text(LabelsCoding.encode(n.labels)), .int(n.created),
            n.lastAllocated.map { .address($0) } ?? .null,
            .bool(n.icc), .bool(n.isolated), .text(n.driver), .text(n.firewall),
            .optionalText(n.subnet6), .optionalText(n.gateway6), .optionalText(n.ipRange6),
            .bool(n.masquerade6), .optionalText(n.lastAllocated6),
            .bool(n.dns), .text(n.dnsDomain), .text(NameListCoding.encode(n.dnsServers.map(\.description))),
            .text(n.owner.rawValue), .text(n.parent), .text(LabelsCoding.encode(n.driverOptions)),
            .int(Int64(n.routeMetric)),
        ]
        do {
            try db.run("""
                INSERT INTO networks (\(Store.networkColumns))
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                        ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)
                """, arguments)
        } catch StoreError.conflict(let raw) {
            throw StoreError.conflict(networkConflictMessage(raw, n))
        }
    }

    /// Deletes the network and (by cascade) all its endpoints. Returns false if there was no
    /// such network; deleting a missing network is not an error so cleanup can be retried.
    @discardableResult
    public func deleteNetwork(named name: String) throws -> Bool {
        try db.run("DELETE FROM networks WHERE name = ?1", [.text(name)]) > 0
    }

    /// Records the network's last automatically allocated address (the round-robin cursor).
    /// Returns false if there is no such network.
    @discardableResult
    public func setCursor(network: String, lastAllocated: IPv4Address) throws -> Bool {
        try db.run("UPDATE networks SET last_allocated = ?1 WHERE name = ?2",
                   [.address(lastAllocated), .text(network)]) > 0
    }

    /// Records the network's last automatically allocated IPv6 address (the IPv6 cursor).
    @discardableResult
    public func setCursor(network: String, lastAllocated6: IPv6Address) throws -> Bool {
        try db.run("UPDATE networks SET last_allocated6 = ?1 WHERE name = ?2",
                   [.text(lastAllocated6.description), .text(network)]) > 0
    }

    /// Sets the network's own upstream name servers (netavark's `update
    /// --network-dns-servers`). Returns false if there is no such network.
    @discardableResult
    public func setDNSServers(network: String, _ servers: [IPAddress]) throws -> Bool {
        try db.run("UPDATE networks SET dns_servers = ?1 WHERE name = ?2",
                   [.text(NameListCoding.encode(servers.map(\.description))), .text(network)]) > 0
    }

    /// Builds a record from a row selected with ``networkColumns``.
    private static func decodeNetwork(_ row: SQLRow) throws -> NetworkRecord {
        let name = row.text(0)
        let what = "network '\(name)'"
        return NetworkRecord(
            name: name, id: row.text(1), bridge: row.text(2),
            subnet: row.isNull(3) ? nil : try row.subnet(3, 4, what),
            gateway: try row.optionalAddress(5, what),
            ipRange: row.isNull(6) ? nil : try row.subnet(6, 7, what),
            mtu: Int(row.int(8)), isInternal: row.int(9) != 0, masquerade: row.int(10) != 0,
            labels: try LabelsCoding.decode(row.text(11), network: name),
            created: row.int(12),
            lastAllocated: row.isNull(13) ? nil : try row.address(13, what),
            icc: row.int(14) != 0, isolated: row.int(15) != 0,
            driver: row.text(16), firewall: row.text(17),
            subnet6: try row.subnet6(18, what), gateway6: try row.address6(19, what),
            ipRange6: try row.subnet6(20, what), masquerade6: row.int(21) != 0,
            lastAllocated6: try row.address6(22, what),
            dns: row.int(23) != 0, dnsDomain: row.text(24), dnsServers: try row.addressList(25, what),
            owner: NetworkOwner(rawValue: row.text(26)) ?? .unknown, parent: row.text(27),
            driverOptions: try LabelsCoding.decode(row.text(28), network: name),
            routeMetric: Int(row.int(29)))
    }

    /// Rewrites SQLite's "UNIQUE constraint failed: networks.bridge" into a user-facing message.
    private func networkConflictMessage(_ raw: String, _ n: NetworkRecord) -> String {
        let columns = ConflictColumns(raw)
        if columns.contains("networks.name") {
            return "a network named '\(n.name)' already exists"
        }
        if columns.contains("networks.bridge") {
            let holder = (try? db.query("SELECT name FROM networks WHERE bridge = ?1", [.text(n.bridge)]) { $0.text(0) })?.first
            return "bridge '\(n.bridge)' is already used by network '\(holder ?? "?")'"
        }
        if columns.contains("networks.id") {
            return "network id \(n.id) is already in use"
        }
        return "cannot add network '\(n.name)': \(raw)"
    }
}

/// Change detection for readers that keep a copy of the store (the name server).
extension Store {
    /// `PRAGMA data_version`: changes whenever another connection has committed to the database
    /// since this one last looked, so a long-lived reader can poll it cheaply instead of
    /// reloading.
    public func dataVersion() throws -> Int64 {
        try db.queryFirst("PRAGMA data_version") { $0.int(0) } ?? 0
    }
}
