import BerthAddress
import BerthDNSWire

/// Every record the name service answers from. Immutable; changes make a new snapshot.
///
/// Indexed for the query path: per network, names (`X` only) and addresses (client lookup
/// and PTR); per container, its DNS networks (what it may see). The tables are values split
/// into shards (`ShardedDictionary`), so a changed copy shares everything it does not write
/// to: a change costs the names it touches plus a copy of each shard it writes to.
public struct DNSSnapshot: Sendable {
    /// No networks, no endpoints, generation 0.
    public static let empty = DNSSnapshot(generation: 0, networks: [], endpoints: [])

    /// The version of the data (the SOA serial, truncated to 32 bits); the server's count of
    /// changes, reported by `ok GEN`.
    public private(set) var generation: UInt64
    /// The networks by name.
    public private(set) var networks: [String: DNSNetworkEntry] = [:]
    /// The indexes of each network, by name.
    private(set) var index: [String: NetworkIndex] = [:]
    /// Every endpoint by id (to find what to remove when it changes).
    private(set) var endpoints = ShardedDictionary<String, DNSEndpointEntry>()
    /// A container's networks: one entry per endpoint, so a network stays while any of the
    /// container's endpoints on it does.
    private(set) var containers = ShardedDictionary<DNSContainerKey, [String]>()

    /// A snapshot of `networks` and of the `endpoints` on them (an endpoint of a network not
    /// in `networks` is left out: it has no name service).
    public init(generation: UInt64, networks: [DNSNetworkEntry], endpoints: [DNSEndpointEntry]) {
        self.generation = generation
        for network in networks {
            self.networks[network.name] = network
            index[network.name] = NetworkIndex(network)
        }
        for endpoint in endpoints { insert(endpoint) }
    }

    /// The number of endpoints.
    public var endpointCount: Int { endpoints.count }

    /// The number of distinct (network, name) pairs, aliases included.
    public var nameCount: Int { index.values.reduce(0) { $0 + $1.names.count } }

    /// A copy with `network` added/replaced (nil: the network `name` and its endpoints removed).
    /// A replaced network keeps its endpoints. A network whose `name` differs from `name`
    /// replaces the network `name` (a rename: the old name's endpoints are removed).
    public func updating(network: DNSNetworkEntry?, named name: String, generation: UInt64) -> DNSSnapshot {
        var copy = self
        copy.generation = generation
        if network?.name != name { copy.removeNetwork(name) }
        if let network {
            copy.networks[network.name] = network
            if copy.index[network.name] != nil {
                copy.index[network.name]!.configure(network)
            } else {
                copy.index[network.name] = NetworkIndex(network)
            }
        }
        return copy
    }

    /// A copy with `endpoint` added/replaced (nil: endpoint `id` removed). Cost: O(names touched)
    /// plus copy-on-write dictionary copies; never a rebuild of everything. An endpoint of a
    /// network the snapshot does not have is left out (add the network first).
    public func updating(endpoint: DNSEndpointEntry?, id: String, generation: UInt64) -> DNSSnapshot {
        var copy = self
        copy.generation = generation
        copy.removeEndpoint(id)
        if let endpoint {
            if endpoint.id != id { copy.removeEndpoint(endpoint.id) }
            copy.insert(endpoint)
        }
        return copy
    }

    private mutating func insert(_ endpoint: DNSEndpointEntry) {
        guard index[endpoint.network] != nil else { return }
        if endpoints[endpoint.id] != nil { removeEndpoint(endpoint.id) }
        endpoints[endpoint.id] = endpoint
        containers[endpoint.container] = (containers[endpoint.container] ?? []) + [endpoint.network]
        changeNetwork(endpoint.network) { $0.add(endpoint) }
    }

    private mutating func removeEndpoint(_ id: String) {
        guard let old = endpoints.removeValue(forKey: id) else { return }
        if var networks = containers[old.container], let position = networks.firstIndex(of: old.network) {
            networks.remove(at: position)
            containers[old.container] = networks.isEmpty ? nil : networks
        }
        changeNetwork(old.network) { $0.remove(old) }
    }

    /// Changes a network's index in place. Taken out of the table first, so that the table
    /// no longer holds it and its shards are copied only if an older snapshot shares them
    /// (through an optional-chained subscript they would be copied on every change).
    private mutating func changeNetwork(_ name: String, _ change: (inout NetworkIndex) -> Void) {
        guard var network = index.removeValue(forKey: name) else { return }
        change(&network)
        index[name] = network
    }

    private mutating func removeNetwork(_ name: String) {
        guard networks.removeValue(forKey: name) != nil else { return }
        // Rare (a network is removed or loses DNS): a scan of the endpoints is fine.
        let gone = endpoints.entries.filter { $0.value.network == name }.map(\.key)
        for id in gone { removeEndpoint(id) }
        index[name] = nil
    }
}
