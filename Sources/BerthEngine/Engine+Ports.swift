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
    /// All published ports, or those of one network, as they were published (ranges folded).
    public func publishedPorts(network: String? = nil) throws -> [PublishedPort] {
        if let network { _ = try record(named: network) }
        return PublishedPort.folding(try translating { try store.ports(network: network) })
    }

    /// Checks requested ports before anything changes: sensible numbers and ranges, a usable
    /// host address, and a network that can be reached from the host at all.
    func validatePorts(_ ports: [PortMapping], on network: NetworkRecord) throws {
        guard !ports.isEmpty else { return }
        if try !driver(of: network).routesThroughHost {
            throw BerthError.invalidArgument("network '\(network.name)' is a \(network.driver) network: its containers sit on the LAN of \(network.parent), not behind the host, so no ports can be published on it")
        }
        if network.isInternal {
            throw BerthError.invalidArgument("network '\(network.name)' is internal: ports cannot be published from it")
        }
        if network.firewall == FirewallKind.none.rawValue {
            throw BerthError.invalidArgument("network '\(network.name)' has no firewall (--firewall none): Berth publishes no ports on it")
        }
        for p in ports {
            let hostEnd = Int(p.hostPort) + Int(p.count) - 1
            let containerEnd = Int(p.containerPort) + Int(p.count) - 1
            guard p.count >= 1, p.hostPort >= 1, p.containerPort >= 1, hostEnd <= 65535, containerEnd <= 65535 else {
                throw BerthError.invalidArgument("invalid port mapping \(p): ports must be 1-65535")
            }
            if let ip = p.hostIP {
                switch ip {
                case .v4(let a) where a.isMulticast || a.value == UInt32.max:
                    throw BerthError.invalidArgument("invalid port mapping \(p): \(ip) is not a unicast address")
                case .v6(let a) where a.isMulticast || a.isLinkLocal:
                    throw BerthError.invalidArgument("invalid port mapping \(p): \(ip) is not a unicast address")
                case .v6(let a) where a.isLoopback:
                    // The kernel drops a packet from ::1 that DNAT sends out of a non-loopback
                    // device, and IPv6 has no route_localnet to allow it: only a userspace proxy
                    // could forward [::1], and Berth runs none.
                    throw BerthError.invalidArgument("invalid port mapping \(p): ports cannot be published on [::1] (IPv6 loopback traffic cannot be forwarded to a container without a proxy); use 127.0.0.1 or [::]")
                default:
                    break
                }
                if !network.families.contains(ip.family) {
                    throw BerthError.invalidArgument("invalid port mapping \(p): network '\(network.name)' has no \(ip.family) subnet")
                }
            }
        }
        try Engine.checkNoOverlap(ports)
        let specific = ports.compactMap(\.hostIP).filter { !$0.isUnspecified }
        if !specific.isEmpty {
            // Refused rather than warned about: nothing would ever reach such a port.
            let local = Set(try translating { try environment.localAddresses() })
            if let foreign = specific.first(where: { !local.contains($0) }) {
                throw BerthError.invalidArgument("host IP \(foreign) is not an address of this host: publish on one of its addresses, or on every address")
            }
        }
    }

    /// Refuses two mappings of one request that claim the same host port (the store would
    /// report the request as clashing with itself). Sorted, so the cost follows the request's
    /// own size, whatever is published already.
    static func checkNoOverlap(_ ports: [PortMapping]) throws {
        guard ports.count > 1 else { return }
        let sorted = ports.sorted { ($0.proto.rawValue, $0.hostPort) < ($1.proto.rawValue, $1.hostPort) }
        var open: [PortMapping] = []   // mappings whose host range reaches the current start
        for p in sorted {
            open.removeAll { $0.proto != p.proto || Int($0.hostPort) + Int($0.count) <= Int(p.hostPort) }
            if let clash = open.first(where: { Store.hostAddressesOverlap($0.hostIP, p.hostIP) }) {
                throw BerthError.invalidArgument("host port \(p.hostPort)/\(p.proto.rawValue) is published twice in this request (\(clash) and \(p))")
            }
            open.append(p)
        }
    }

    /// Adds the endpoint's claimed ports to its network's firewall. If the batch fails — the
    /// table is missing after a reboot or flush, or holds a stale element — the table is
    /// rendered whole from the store instead, which already holds these ports.
    func publishPorts(of endpoint: EndpointRecord, on network: NetworkRecord) throws {
        let elements = try translating { try store.ports(endpoint: endpoint.id).flatMap(PortElement.elements) }
        do {
            try firewall(of: network).publish(elements)
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
            var elements: [FirewallKind: [PortElement]] = [:]
            var kinds: [String: FirewallKind] = [:]
            for e in endpoints {
                let records = try store.ports(endpoint: e.id)
                guard !records.isEmpty else { continue }
                if kinds[e.network] == nil {
                    kinds[e.network] = try store.network(named: e.network).flatMap { FirewallKind(rawValue: $0.firewall) } ?? .nftables
                }
                elements[kinds[e.network] ?? .nftables, default: []] += records.flatMap(PortElement.elements)
                try store.deletePorts(endpoint: e.id)
            }
            for (kind, batch) in elements {
                do {
                    try firewall(kind).unpublish(batch)
                } catch {
                    try synchronizeFirewall()
                    return
                }
            }
        }
    }
}
