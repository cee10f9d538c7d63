import BerthAddress

/// One Berth network as persisted in the store.
public struct NetworkRecord: Sendable, Equatable {
    /// The user-visible network name (unique).
    public var name: String
    /// 16 lowercase hex characters, random (see ``Store/randomID()``).
    public var id: String
    /// The bridge interface name (unique across networks).
    public var bridge: String
    /// The network's subnet.
    public var subnet: IPv4Subnet
    /// The gateway address, assigned to the bridge.
    public var gateway: IPv4Address
    /// The range automatic allocation draws from, inside ``subnet``; nil means the whole subnet.
    public var ipRange: IPv4Subnet?
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

    /// Creates a record; every field is stored as given.
    public init(name: String, id: String, bridge: String, subnet: IPv4Subnet, gateway: IPv4Address,
                ipRange: IPv4Subnet?, mtu: Int, isInternal: Bool, masquerade: Bool,
                labels: [String: String], created: Int64, lastAllocated: IPv4Address? = nil,
                icc: Bool = true, isolated: Bool = true,
                driver: String = "bridge", firewall: String = "nftables") {
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
    }
}
