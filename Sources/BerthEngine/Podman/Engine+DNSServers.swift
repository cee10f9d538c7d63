import BerthAddress

extension Engine {
    /// Sets a network's own upstream name servers (netavark's `update
    /// --network-dns-servers`; empty: the host's again). The change is live before this
    /// returns: the name service re-reads the network and confirms. An unknown network is an
    /// error.
    public func setDNSServers(network name: String, _ servers: [IPAddress]) throws {
        for server in servers { try Validation.dnsServer(server) }
        try requirePrivileges()
        let lock = try beginOperation()
        defer { withExtendedLifetime(lock) {} }
        let n = try record(named: name)
        guard try translating({ try store.setDNSServers(network: name, servers) }) else {
            throw BerthError.notFound("network '\(Validation.printable(name))' does not exist")
        }
        // A network without a name service has no upstreams in use: only the record changes.
        if n.dns { try nameService.networkChanged(name) }
    }
}
