import BerthAddress
import BerthFirewall
import BerthNetlink
import BerthStore

/// Published ports: claimed in the store inside the connect transaction (where a port already
/// taken is refused, naming its owner), then added to the firewall as map elements in one
/// batch; withdrawn element by element. Rules never change, so neither operation's cost grows
/// with the number of ports already published, and endpoints without ports never load
/// libnftables.
extension Engine {
    /// All published ports, or those of one network, one row per host port.
    public func publishedPorts(network: String? = nil) throws -> [PortRecord] {
        if let network { _ = try self.network(named: network) }
        return try translating { try store.ports(network: network) }
    }

    /// Checks requested ports before anything changes: sensible numbers and ranges, a usable
    /// host address, and a network that can be reached from the host at all.
    func validatePorts(_ ports: [PortMapping], on network: NetworkRecord) throws {
        guard !ports.isEmpty else { return }
        if network.isInternal {
            throw BerthError.invalidArgument("network '\(network.name)' is internal: ports cannot be published from it")
        }
        for p in ports {
            let hostEnd = Int(p.hostPort) + Int(p.count) - 1
            let containerEnd = Int(p.containerPort) + Int(p.count) - 1
            guard p.count >= 1, p.hostPort >= 1, p.containerPort >= 1, hostEnd <= 65535, containerEnd <= 65535 else {
                throw BerthError.invalidArgument("invalid port mapping \(p): ports must be 1-65535")
            }
            if let ip = p.hostIP, ip.isMulticast || ip.value == UInt32.max {
                throw BerthError.invalidArgument("invalid port mapping \(p): \(ip) is not a unicast address")
            }
        }
    }

    /// Adds the endpoint's claimed ports to the firewall. If the batch fails — the table is
    /// missing after a reboot or flush, or holds a stale element — the table is rendered whole
    /// from the store instead, which already holds these ports.
    func publishPorts(of endpoint: EndpointRecord) throws {
        let elements = try translating { try store.ports(endpoint: endpoint.id).map(PortElement.init) }
        // So the container can reach its own published ports through a host address also when
        // the host bridges IPv4 through netfilter (br_netfilter).
        try translating {
            _ = try host().execute(RouteRequests.setHairpin(name: endpoint.hostIfname), "set hairpin on \(endpoint.hostIfname)")
        }
        do {
            try firewall().publish(elements)
        } catch {
            try translating { try store.transaction { try synchronizeFirewall() } }
        }
    }

    /// Forgets the ports of `endpoints` and deletes exactly their map elements, in one store
    /// transaction (so a concurrent full render cannot bring them back). If an element is
    /// already gone the batch changes nothing and the table is rendered from the store, which no
    /// longer holds them. Touches nothing, not even libnftables, when none has ports.
    func withdrawPorts(_ endpoints: [EndpointRecord]) throws {
        try store.transaction {
            var elements: [PortElement] = []
            for e in endpoints {
                let records = try store.ports(endpoint: e.id)
                guard !records.isEmpty else { continue }
                elements += records.map(PortElement.init)
                try store.deletePorts(endpoint: e.id)
            }
            guard !elements.isEmpty else { return }
            do {
                try firewall().unpublish(elements)
            } catch {
                try synchronizeFirewall()
            }
        }
    }
}

extension PortElement {
    init(_ r: PortRecord) {
        self.init(hostIP: r.hostIP, proto: r.proto, hostPort: r.hostPort,
                  containerIP: r.containerAddress, containerPort: r.containerPort)
    }
}
