import BerthAddress

/// Published-port rows: one per host port, keyed by (protocol, host port, host address), so
/// checking a port is free and claiming it are index lookups whose cost does not grow with the
/// number of ports published.
///
/// `host_ip` holds the integer 0 for every local address of both families, an IPv4 address as
/// its integer, and as text an IPv6 address or one family's "every address" (`0.0.0.0`, `::`):
/// SQLite keeps each value's own type, and rows from before IPv6 (integers) read unchanged.
extension Store {
    private static let portColumns = """
        p.endpoint, p.protocol, p.host_ip, p.host_port, p.container_port, e.network, e.container_id, e.address, \
        e.address6
        """
    private static let portSource = "FROM ports p JOIN endpoints e ON e.id = p.endpoint"
    private static let portOrder = "ORDER BY e.network, e.created, p.endpoint, p.protocol, p.host_ip, p.host_port"

    /// Claims every port of `mappings` for endpoint `endpoint` (which must exist). Throws
    /// ``StoreError/conflict(_:)`` naming the owner when a port is already published for the
    /// same protocol on the same address — an any-address publication clashes with every
    /// address. Call inside ``transaction(_:)``: the check and the claim then cannot race
    /// another process, and a refusal leaves nothing claimed.
    public func publishPorts(endpoint: String, _ mappings: [PortMapping]) throws {
        for m in mappings {
            let hostIP = Store.hostIPValue(m.hostIP)
            for offset in 0..<Int(m.count) {
                let hostPort = Int(m.hostPort) + offset
                let containerPort = Int(m.containerPort) + offset
                if let owner = try portOwner(proto: m.proto, hostPort: hostPort, hostIP: m.hostIP) {
                    throw StoreError.conflict(owner)
                }
                try db.run("""
                    INSERT INTO ports (protocol, host_port, host_ip, endpoint, container_port)
                    VALUES (?1, ?2, ?3, ?4, ?5)
                    """, [.text(m.proto.rawValue), .int(Int64(hostPort)), hostIP, .text(endpoint),
                          .int(Int64(containerPort))])
            }
        }
    }

    /// The `host_ip` value of a host address (see the type's comment).
    private static func hostIPValue(_ hostIP: IPAddress?) -> SQLValue {
        switch hostIP {
        case nil: .int(0)
        case .v4(let a)? where a.value != 0: .address(a)
        case let a?: .text(a.description)
        }
    }

    /// Who holds `proto`/`hostPort` on an address overlapping `hostIP`, as a message; nil when
    /// free. Every address of both families overlaps everything; one family's "every address"
    /// overlaps that family's addresses. The rows of one (protocol, port) are a key-prefix
    /// lookup and few, so the overlap is decided here rather than in SQL.
    private func portOwner(proto: TransportProtocol, hostPort: Int, hostIP: IPAddress?) throws -> String? {
        try db.query("""
            SELECT p.host_ip, e.id, e.container_id, e.network \(Store.portSource)
            WHERE p.protocol = ?1 AND p.host_port = ?2
            """, [.text(proto.rawValue), .int(Int64(hostPort))]) { row -> String? in
            let held = try Store.decodeHostIP(row, 0, "published port \(hostPort)/\(proto.rawValue)")
            guard Store.hostAddressesOverlap(held, hostIP) else { return nil }
            let address = held?.bracketedDescription ?? "*"
            return "host port \(address):\(hostPort)/\(proto.rawValue) is already published by container "
                + "'\(row.text(2))' (endpoint \(row.text(1))) on network '\(row.text(3))'"
        }.compactMap { $0 }.first
    }

    /// Whether two publications' host addresses share an address (nil: every address of both
    /// families; an unspecified address: every address of its family).
    public static func hostAddressesOverlap(_ a: IPAddress?, _ b: IPAddress?) -> Bool {
        guard let a, let b else { return true }
        guard a.family == b.family else { return false }
        return a.isUnspecified || b.isUnspecified || a == b
    }

    /// Reads a `host_ip` column (see the type's comment).
    private static func decodeHostIP(_ row: SQLRow, _ column: Int32, _ what: @autoclosure () -> String) throws -> IPAddress? {
        if row.isText(column) {
            let text = row.text(column)
            guard let a = IPAddress(text) else { throw StoreError.corrupt("\(what()): bad host address '\(text)'") }
            return a
        }
        let v4 = try row.address(column, what())
        return v4.value == 0 ? nil : .v4(v4)
    }

    /// The ports one endpoint publishes.
    public func ports(endpoint: String) throws -> [PortRecord] {
        try db.query("SELECT \(Store.portColumns) \(Store.portSource) WHERE p.endpoint = ?1 \(Store.portOrder)",
                     [.text(endpoint)], Store.decodePort)
    }

    /// All published ports, or those of one network.
    public func ports(network: String? = nil) throws -> [PortRecord] {
        if let network {
            return try db.query("SELECT \(Store.portColumns) \(Store.portSource) WHERE e.network = ?1 \(Store.portOrder)",
                                [.text(network)], Store.decodePort)
        }
        return try db.query("SELECT \(Store.portColumns) \(Store.portSource) \(Store.portOrder)", [], Store.decodePort)
    }

    /// Forgets the ports of one endpoint (also done by the cascade when the endpoint goes).
    @discardableResult
    public func deletePorts(endpoint: String) throws -> Int {
        try db.run("DELETE FROM ports WHERE endpoint = ?1", [.text(endpoint)])
    }

    private static func decodePort(_ row: SQLRow) throws -> PortRecord {
        let what = "port of endpoint \(row.text(0))"
        guard let proto = TransportProtocol(rawValue: row.text(1)) else {
            throw StoreError.corrupt("\(what): unknown protocol '\(row.text(1))'")
        }
        let hostIP = try decodeHostIP(row, 2, what)
        guard let hostPort = UInt16(exactly: row.int(3)), let containerPort = UInt16(exactly: row.int(4)) else {
            throw StoreError.corrupt("\(what): port out of range")
        }
        return PortRecord(endpoint: row.text(0), proto: proto, hostIP: hostIP,
                          hostPort: hostPort, containerPort: containerPort, network: row.text(5),
                          containerID: row.text(6), containerAddress: try row.optionalAddress(7, what),
                          containerAddress6: try row.address6(8, what))
    }
}
