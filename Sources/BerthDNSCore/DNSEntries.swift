import BerthAddress

/// A DNS-enabled network as the name service sees it.
public struct DNSNetworkEntry: Sendable, Equatable {
    /// The network's name, as in the store: `X.N` resolves with it.
    public var name: String
    /// The network's domain (`berth.internal`): lowercase, no trailing dot. `X.D` resolves with it.
    public var domain: String
    /// An internal network never forwards: names the server cannot answer itself are REFUSED.
    public var isInternal: Bool
    /// The network's own upstream servers (`--dns`); empty = the host's resolv.conf.
    public var upstreams: [IPAddress]
    /// The IPv4 subnet: reverse names of addresses inside it are answered here, never forwarded.
    public var subnet: IPv4Subnet?
    /// The IPv4 gateway (where the listener is bound).
    public var gateway: IPv4Address?
    /// The IPv6 subnet, like `subnet` for `ip6.arpa` names.
    public var subnet6: IPv6Subnet?
    /// The IPv6 gateway.
    public var gateway6: IPv6Address?

    /// A network from its fields.
    public init(name: String, domain: String = "berth.internal", isInternal: Bool = false,
                upstreams: [IPAddress] = [], subnet: IPv4Subnet? = nil, gateway: IPv4Address? = nil,
                subnet6: IPv6Subnet? = nil, gateway6: IPv6Address? = nil) {
        self.name = name
        self.domain = domain
        self.isInternal = isInternal
        self.upstreams = upstreams
        self.subnet = subnet
        self.gateway = gateway
        self.subnet6 = subnet6
        self.gateway6 = gateway6
    }
}

/// Which container an endpoint belongs to: its network namespace's identity (device and inode
/// of its `/proc/PID/ns/net`). Endpoints with the same key see each other's networks.
public struct DNSContainerKey: Hashable, Sendable {
    /// The namespace file's device.
    public var device: UInt64
    /// The namespace file's inode.
    public var inode: UInt64

    /// A key from the store's `netnsDevice` and `netnsInode`.
    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }
}

/// One active endpoint on a DNS-enabled network.
public struct DNSEndpointEntry: Sendable, Equatable {
    /// The endpoint's id in the store.
    public var id: String
    /// The name of its network.
    public var network: String
    /// The container it belongs to.
    public var container: DNSContainerKey
    /// The container's name (`--name`, the runtime's name); nil = none.
    public var name: String?
    /// More names on this network (`--alias`).
    public var aliases: [String]
    /// Its IPv4 address: answers A queries, and is a client address the listener accepts.
    public var address: IPv4Address?
    /// Its IPv6 address: answers AAAA queries, likewise.
    public var address6: IPv6Address?

    /// An endpoint from its fields.
    public init(id: String, network: String, container: DNSContainerKey, name: String? = nil,
                aliases: [String] = [], address: IPv4Address? = nil, address6: IPv6Address? = nil) {
        self.id = id
        self.network = network
        self.container = container
        self.name = name
        self.aliases = aliases
        self.address = address
        self.address6 = address6
    }
}
