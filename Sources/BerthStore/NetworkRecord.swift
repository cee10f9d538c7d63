import BerthAddress

/// One Berth network as persisted in the store.
public struct NetworkRecord: Sendable, Equatable {
    /// The user-visible network name (unique).
    public var name: String
    /// 16 lowercase hex characters, random (see ``Store/randomID()``).
    public var id: String
    /// The bridge interface name (unique across networks).
    public var bridge: String
    /// The network's IPv4 subnet; nil for an IPv6-only network.
    public var subnet: IPv4Subnet?
    /// The IPv4 gateway address, assigned to the bridge; set exactly when ``subnet`` is.
    public var gateway: IPv4Address?
    /// The range automatic allocation draws from, inside ``subnet``; nil means the whole subnet.
    public var ipRange: IPv4Subnet?
    /// The network's IPv6 subnet; nil for an IPv4-only network.
    public var subnet6: IPv6Subnet?
    /// The IPv6 gateway address, assigned to the bridge; set exactly when ``subnet6`` is.
    public var gateway6: IPv6Address?
    /// The range IPv6 allocation draws from, inside ``subnet6``; nil means the whole subnet.
    public var ipRange6: IPv6Subnet?
    /// NAT66: masquerade IPv6 traffic leaving the host (false: the prefix is routed).
    public var masquerade6: Bool
    /// The last automatically allocated IPv6 address (the IPv6 round-robin cursor).
    public var lastAllocated6: IPv6Address?
    /// Bridge and veth MTU; 0 means the kernel default.
    public var mtu: Int
    /// True when the network has no route to the outside world.
    public var isInternal: Bool
    /// True when traffic leaving the host is masqueraded.
    public var masquerade: Bool
    /// Inter-container communication on the bridge (`--icc`, default true).
    public var icc: Bool
    /// Walled off from other Berth networks (default true; `--isolate=false` opts out).
    public var isolated: Bool
    /// Free-form user labels.
    public var labels: [String: String]
    /// Creation time, unix seconds.
    public var created: Int64
    /// The last automatically allocated address: the round-robin cursor for the next allocation.
    public var lastAllocated: IPv4Address?
    /// The network driver that made the network: "bridge" (the only one today; "macvlan" and
    /// "overlay" will follow).
    public var driver: String
    /// The firewall driver that renders the network's rules: "nftables" or "none".
    public var firewall: String
    /// Whether the network has a name service (`berth-dns` answers on its gateways).
    public var dns: Bool
    /// The network's DNS domain: lowercase, no trailing dot.
    public var dnsDomain: String
    /// The network's own upstream name servers, in order; empty for the host's `resolv.conf`.
    public var dnsServers: [IPAddress]

    /// The front end that made the network. A runtime front end (Podman's) creates and removes
    /// only networks it owns: a network of the same name made another way is never taken over.
    public var owner: NetworkOwner
    /// The device the network's driver hangs its endpoints off (macvlan's `--parent`); empty
    /// for a bridge.
    public var parent: String
    /// The driver's own options (macvlan's `mode`), stored as labels are.
    public var driverOptions: [String: String]
    /// The metric of the default routes the network installs in containers (netavark's
    /// `metric` option); 0 for the kernel's default.
    public var routeMetric: Int

    /// The domain a network gets unless told otherwise.
    public static let defaultDNSDomain = "berth.internal"

    /// Creates a record; every field is stored as given.
    public init(name: String, id: String, bridge: String, subnet: IPv4Subnet?, gateway: IPv4Address?,
                ipRange: IPv4Subnet?, mtu: Int, isInternal: Bool, masquerade: Bool,
                labels: [String: String], created: Int64, lastAllocated: IPv4Address? = nil,
                icc: Bool = true, isolated: Bool = true,
                driver: String = "bridge", firewall: String = "nftables",
                subnet6: IPv6Subnet? = nil, gateway6: IPv6Address? = nil, ipRange6: IPv6Subnet? = nil,
                masquerade6: Bool = true, lastAllocated6: IPv6Address? = nil,
                dns: Bool = false, dnsDomain: String = NetworkRecord.defaultDNSDomain, dnsServers: [IPAddress] = [],
                owner: NetworkOwner = .cli, parent: String = "", driverOptions: [String: String] = [:],
                routeMetric: Int = 0) {
        self.name = name
        self.id = id
        self.bridge = bridge
        self.subnet = subnet
        self.gateway = gateway
        self.ipRange = ipRange
        self.mtu = mtu
        self.isInternal = isInternal
        self.masquerade = masquerade
        self.labels = labels
        self.created = created
        self.lastAllocated = lastAllocated
        self.icc = icc
        self.isolated = isolated
        self.driver = driver
        self.firewall = firewall
        self.subnet6 = subnet6
        self.gateway6 = gateway6
        self.ipRange6 = ipRange6
        self.masquerade6 = masquerade6
        self.lastAllocated6 = lastAllocated6
        self.dns = dns
        self.dnsDomain = dnsDomain
        self.dnsServers = dnsServers
        self.owner = owner
        self.parent = parent
        self.driverOptions = driverOptions
        self.routeMetric = routeMetric
    }

    /// The families the network has addresses of.
    public var families: [IPFamily] { (subnet != nil ? [.ipv4] : []) + (subnet6 != nil ? [.ipv6] : []) }

    /// Both subnets as text, IPv4 first (`172.18.0.0/24, fd12:3456:789a:1::/64`), for messages.
    public var subnetsDescription: String {
        [subnet.map { "\($0)" }, subnet6.map { "\($0)" }].compactMap { $0 }.joined(separator: ", ")
    }
}

/// Which front end made a network.
public enum NetworkOwner: String, Sendable, Equatable {
    /// `berth network create`, or a first connect to the default network.
    case cli
    /// The CNI plugin, from a runtime's network configuration.
    case cni
    /// Podman, through Berth's netavark front end: created on a container's first setup,
    /// removed on the last teardown.
    case podman
    /// Made before Berth recorded the owner (schema version 6 or older); treated as the CLI's.
    case unknown = ""
}
