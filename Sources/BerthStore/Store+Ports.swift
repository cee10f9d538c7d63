import BerthAddress

/// Published-port rows: one per host port, keyed by (protocol, host port, host address), so
/// checking a port is free and claiming it are index lookups whose cost does not grow with the
/// number of ports published.
extension Store {
    private static let portColumns = """
        p.endpoint, p.protocol, p.host_ip, p.host_port, p.container_port, e.network, e.container_id, e.address
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
            let hostIP = Int64(m.hostIP?.value ?? 0)
            for offset in 0..<Int(m.count) {
                let hostPort = Int(m.hostPort) + offset
                let containerPort = Int(m.containerPort) + offset
                if let owner = try portOwner(proto: m.proto, hostPort: hostPort, hostIP: hostIP) {
                    throw StoreError.conflict(owner)
                }
                try db.run("""
                    INSERT INTO ports (protocol, host_port, host_ip, endpoint, container_port)
                    VALUES (?1, ?2, ?3, ?4, ?5)
                    """, [.text(m.proto.rawValue), .int(Int64(hostPort)), .int(hostIP), .text(endpoint),
                          .int(Int64(containerPort))])
            }
        }
    }

    /// Who holds `proto`/`hostPort` on `hostIP` (0: any address), as a message; nil when free.
    private func portOwner(proto: TransportProtocol, hostPort: Int, hostIP: Int64) throws -> String? {
        try db.query("""
            SELECT p.host_ip, e.id, e.container_id, e.network \(Store.portSource)
            WHERE p.protocol = ?1 AND p.host_port = ?2 AND (?3 = 0 OR p.host_ip = 0 OR p.host_ip = ?3)
            LIMIT 1
            """, [.text(proto.rawValue), .int(Int64(hostPort)), .int(hostIP)]) { row in
            let address = IPv4Address(UInt32(truncatingIfNeeded: row.int(0)))
            return "host port \(address):\(hostPort)/\(proto.rawValue) is already published by container "
                + "'\(row.text(2))' (endpoint \(row.text(1))) on network '\(row.text(3))'"
        }.first
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
        let hostIP = try row.address(2, what)
        guard let hostPort = UInt16(exactly: row.int(3)), let containerPort = UInt16(exactly: row.int(4)) else {
            throw StoreError.corrupt("\(what): port out of range")
        }
        return PortRecord(endpoint: row.text(0), proto: proto, hostIP: hostIP.value == 0 ? nil : hostIP,
                          hostPort: hostPort, containerPort: containerPort, network: row.text(5),
                          containerID: row.text(6), containerAddress: try row.address(7, what))
    }
}
