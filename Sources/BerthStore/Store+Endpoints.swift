import BerthAddress

/// Endpoint rows.
extension Store {
    /// Column list matching ``decodeEndpoint(_:)``.
    private static let endpointColumns = """
        id, network, container_id, target, netns_path, netns_dev, netns_ino, ifname, host_ifname, \
        address, prefix_length, mac, state, created, netns_cookie, owner, address6, prefix_length6, dns_name, \
        aliases
        """
    private static let endpointOrder = "ORDER BY network, created, id"

    /// All endpoints, or those of one network; ordered by network, creation time, id.
    public func endpoints(network: String? = nil) throws -> [EndpointRecord] {
        if let network {
            return try db.query("SELECT \(Store.endpointColumns) FROM endpoints WHERE network = ?1 \(Store.endpointOrder)",
                                [.text(network)], Store.decodeEndpoint)
        }
        return try db.query("SELECT \(Store.endpointColumns) FROM endpoints \(Store.endpointOrder)",
                            [], Store.decodeEndpoint)
    }

    /// The `active` endpoints of the networks with a name service (what `berth-dns` answers
    /// for), ordered by network, creation time, id.
    public func dnsEndpoints() throws -> [EndpointRecord] {
        try db.query("""
            SELECT \(Store.endpointColumns) FROM endpoints
            WHERE state = 'active' AND network IN (SELECT name FROM networks WHERE dns = 1) \(Store.endpointOrder)
            """, [], Store.decodeEndpoint)
    }

    /// The endpoint with that id, or nil.
    public func endpoint(id: String) throws -> EndpointRecord? {
        try db.query("SELECT \(Store.endpointColumns) FROM endpoints WHERE id = ?1",
                     [.text(id)], Store.decodeEndpoint).first
    }

    /// The endpoint of `network` in the namespace identified by (device, inode) with that ifname.
    public func endpoint(network: String, netnsDevice: UInt64, netnsInode: UInt64,
                         ifname: String) throws -> EndpointRecord? {
        try db.query("""
            SELECT \(Store.endpointColumns) FROM endpoints
            WHERE network = ?1 AND netns_dev = ?2 AND netns_ino = ?3 AND ifname = ?4
            """, [.text(network), .uint64(netnsDevice), .uint64(netnsInode), .text(ifname)],
            Store.decodeEndpoint).first
    }

    /// Endpoints in a namespace with that ifname on any network (an ifname is unique per
    /// namespace, so more than one row means stale state). Ordered by network, created, id.
    public func endpoints(netnsDevice: UInt64, netnsInode: UInt64, ifname: String) throws -> [EndpointRecord] {
        try db.query("""
            SELECT \(Store.endpointColumns) FROM endpoints
            WHERE netns_dev = ?1 AND netns_ino = ?2 AND ifname = ?3 \(Store.endpointOrder)
            """, [.uint64(netnsDevice), .uint64(netnsInode), .text(ifname)], Store.decodeEndpoint)
    }

    /// The network that interface `ifname` of a namespace is connected to, if any (the check
    /// before a connect: one index lookup and one column, cheap to prepare in a fresh process).
    public func connectedNetwork(netnsDevice: UInt64, netnsInode: UInt64, ifname: String) throws -> String? {
        try db.queryFirst("SELECT network FROM endpoints WHERE netns_dev = ?1 AND netns_ino = ?2 AND ifname = ?3",
                          [.uint64(netnsDevice), .uint64(netnsInode), .text(ifname)]) { $0.text(0) }
    }

    /// The endpoint of `network` whose interface has `mac`, if any. No index: only a request
    /// with a static MAC asks, and a network holds at most 1023 endpoints (a bridge's ports).
    public func endpoint(network: String, mac: MACAddress) throws -> EndpointRecord? {
        try db.query("SELECT \(Store.endpointColumns) FROM endpoints WHERE network = ?1 AND mac = ?2 LIMIT 1",
                     [.text(network), .text(mac.description)], Store.decodeEndpoint).first
    }

    /// The endpoints of one container on one network, ordered by creation time, id.
    public func endpoints(network: String, containerID: String) throws -> [EndpointRecord] {
        try db.query("""
            SELECT \(Store.endpointColumns) FROM endpoints
            WHERE network = ?1 AND container_id = ?2 \(Store.endpointOrder)
            """, [.text(network), .text(containerID)], Store.decodeEndpoint)
    }

    /// True when an endpoint of `network` holds `address`. One lookup in the (network, address)
    /// unique index, so allocation cost does not grow with the number of endpoints.
    public func isAddressTaken(network: String, address: IPv4Address) throws -> Bool {
        try db.queryFirst("SELECT 1 FROM endpoints WHERE network = ?1 AND address = ?2",
                          [.text(network), .address(address)]) { _ in true } ?? false
    }

    /// True when an endpoint of `network` holds IPv6 `address` (one lookup in the partial
    /// (network, address6) unique index).
    public func isAddressTaken(network: String, address6: IPv6Address) throws -> Bool {
        try db.queryFirst("SELECT 1 FROM endpoints WHERE network = ?1 AND address6 = ?2",
                          [.text(network), .text(address6.description)]) { _ in true } ?? false
    }

    /// Adds an endpoint. Throws ``StoreError/conflict(_:)`` if its address is taken on the
    /// network, its namespace already has that ifname on the network, its host veth name is used,
    /// its id exists, or the network does not exist.
    public func insertEndpoint(_ e: EndpointRecord) throws {
        let arguments: [SQLValue] = [
            .text(e.id), .text(e.network), .text(e.containerID), .text(e.target), .text(e.netnsPath),
            .uint64(e.netnsDevice), .uint64(e.netnsInode), .text(e.ifname), .text(e.hostIfname),
            e.address.map { .address($0) } ?? .null, .int(Int64(e.prefixLength)), .text(e.mac.description),
            .text(e.state.rawValue), .int(e.created), .uint64(e.netnsCookie), .text(e.owner.rawValue),
            .optionalText(e.address6), .int(Int64(e.prefixLength6)),
            e.dnsName.map { .text($0) } ?? .null, .text(NameListCoding.encode(e.aliases)),
        ]
        do {
            try db.run("""
                INSERT INTO endpoints (\(Store.endpointColumns))
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)
                """, arguments)
        } catch StoreError.conflict(let raw) {
            throw StoreError.conflict(endpointConflictMessage(raw, e))
        }
    }

    /// Changes an endpoint's lifecycle state. Returns false if there is no such endpoint.
    @discardableResult
    public func setState(endpoint id: String, _ state: EndpointState) throws -> Bool {
        try db.run("UPDATE endpoints SET state = ?1 WHERE id = ?2", [.text(state.rawValue), .text(id)]) > 0
    }

    /// Marks an endpoint `active` and records the cookie of its namespace (see
    /// ``EndpointRecord/netnsCookie``). Returns false if there is no such endpoint.
    @discardableResult
    public func activate(endpoint id: String, netnsCookie: UInt64) throws -> Bool {
        try db.run("UPDATE endpoints SET state = ?1, netns_cookie = ?2 WHERE id = ?3",
                   [.text(EndpointState.active.rawValue), .uint64(netnsCookie), .text(id)]) > 0
    }

    /// Deletes an endpoint. Returns false if there was none (not an error, so cleanup can be
    /// retried).
    @discardableResult
    public func deleteEndpoint(id: String) throws -> Bool {
        try db.run("DELETE FROM endpoints WHERE id = ?1", [.text(id)]) > 0
    }

    /// The number of endpoints on `network`.
    public func endpointCount(network: String) throws -> Int {
        Int(try db.queryFirst("SELECT COUNT(*) FROM endpoints WHERE network = ?1", [.text(network)]) { $0.int(0) } ?? 0)
    }

    /// Builds a record from a row selected with ``endpointColumns``.
    private static func decodeEndpoint(_ row: SQLRow) throws -> EndpointRecord {
        let id = row.text(0)
        let what = "endpoint \(id)"
        let macText = row.text(11)
        guard let mac = MACAddress(macText) else { throw StoreError.corrupt("\(what): bad MAC address '\(macText)'") }
        let stateText = row.text(12)
        guard let state = EndpointState(rawValue: stateText) else {
            throw StoreError.corrupt("\(what): unknown state '\(stateText)'")
        }
        let prefix = row.int(10)
        guard (0...32).contains(prefix) else { throw StoreError.corrupt("\(what): prefix length \(prefix) out of range") }
        let prefix6 = row.int(17)
        guard (0...128).contains(prefix6) else { throw StoreError.corrupt("\(what): IPv6 prefix length \(prefix6) out of range") }
        return EndpointRecord(
            id: id, network: row.text(1), containerID: row.text(2), target: row.text(3),
            netnsPath: row.text(4),
            netnsDevice: UInt64(bitPattern: row.int(5)), netnsInode: UInt64(bitPattern: row.int(6)),
            ifname: row.text(7), hostIfname: row.text(8),
            address: try row.optionalAddress(9, what), prefixLength: Int(prefix),
            mac: mac, state: state, created: row.int(13),
            netnsCookie: UInt64(bitPattern: row.int(14)), owner: EndpointOwner(rawValue: row.text(15)) ?? .unknown,
            address6: try row.address6(16, what), prefixLength6: Int(prefix6),
            dnsName: row.isNull(18) ? nil : row.text(18), aliases: NameListCoding.decode(row.text(19)))
    }

    /// Rewrites SQLite's constraint message into one naming the clash and, where cheap, the
    /// endpoint already holding the contested value.
    private func endpointConflictMessage(_ raw: String, _ e: EndpointRecord) -> String {
        let columns = ConflictColumns(raw)
        if columns.contains("endpoints.address"), let address = e.address {
            let holder = try? db.query("SELECT id, container_id FROM endpoints WHERE network = ?1 AND address = ?2",
                                       [.text(e.network), .address(address)]) { "endpoint \($0.text(0)) (container \($0.text(1)))" }.first
            return "address \(address) is already in use on network '\(e.network)'" + (holder.map { " by \($0)" } ?? "")
        }
        if columns.contains("endpoints.address6"), let address = e.address6 {
            let holder = try? db.query("SELECT id, container_id FROM endpoints WHERE network = ?1 AND address6 = ?2",
                                       [.text(e.network), .text(address.description)]) { "endpoint \($0.text(0)) (container \($0.text(1)))" }.first
            return "address \(address) is already in use on network '\(e.network)'" + (holder.map { " by \($0)" } ?? "")
        }
        if columns.contains("endpoints.ifname") {
            return "the target's network namespace already has interface '\(e.ifname)' on network '\(e.network)'"
        }
        if columns.contains("endpoints.host_ifname") {
            let holder = try? db.query("SELECT id FROM endpoints WHERE host_ifname = ?1", [.text(e.hostIfname)]) { $0.text(0) }.first
            return "host interface '\(e.hostIfname)' is already used" + (holder.map { " by endpoint \($0)" } ?? "")
        }
        if columns.contains("endpoints.id") {
            return "endpoint id \(e.id) is already in use"
        }
        if raw.contains("FOREIGN KEY") {
            return "no network named '\(e.network)'"
        }
        return "cannot add endpoint on network '\(e.network)': \(raw)"
    }
}
