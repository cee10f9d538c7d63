import BerthAddress

/// What the firewall needs to know about one network. The engine builds these from the store,
/// so the ruleset is always a pure function of the stored state.
///
/// A network has an IPv4 subnet, an IPv6 subnet, or both (dual stack); every rule of a family
/// the network lacks is left out, so an IPv4-only network renders exactly as before IPv6 came.
public struct FirewallNetwork: Sendable, Equatable {
    /// Stable network id (hex); names the network's chains.
    public let id: String
    /// The network's name, for messages only (the rules never use it: names can be reused).
    public let name: String
    /// The bridge interface.
    public let bridge: String
    /// The IPv4 subnet of the network; nil for an IPv6-only network.
    public let subnet: IPv4Subnet?
    /// The IPv6 subnet of the network; nil for an IPv4-only network.
    public let subnet6: IPv6Subnet?
    /// Masquerade IPv4 traffic from the subnet that leaves through another interface.
    public let masquerade: Bool
    /// Masquerade IPv6 traffic from `subnet6` that leaves through another interface (NAT66);
    /// false for a routed prefix, whose addresses go out as they are.
    public let masquerade6: Bool
    /// Internal networks never forward out of their bridge.
    public let isInternal: Bool
    /// Inter-container communication: false drops traffic bridged between the containers.
    public let icc: Bool
    /// Isolated from other Berth networks (the default). Two networks reach each other directly
    /// only when neither is isolated; published ports stay reachable through host addresses.
    public let isolated: Bool
    /// The network's name service answers on its gateways: port 53 of ``gateway`` and
    /// ``gateway6`` is reachable from the network's own bridge only.
    public let dns: Bool
    /// The IPv4 gateway (the bridge's address); nil without IPv4.
    public let gateway: IPv4Address?
    /// The IPv6 gateway; nil without IPv6.
    public let gateway6: IPv6Address?
    /// An overlay network's VXLAN side; nil for every other network.
    public let overlay: FirewallOverlay?

    /// `name` defaults to the id, for callers that have no name to show. At least one of
    /// `subnet` and `subnet6` must be given.
    public init(id: String, name: String? = nil, bridge: String, subnet: IPv4Subnet?, subnet6: IPv6Subnet? = nil,
                masquerade: Bool, masquerade6: Bool = true, isInternal: Bool, icc: Bool = true, isolated: Bool = true,
                dns: Bool = false, gateway: IPv4Address? = nil, gateway6: IPv6Address? = nil,
                overlay: FirewallOverlay? = nil) {
        precondition(subnet != nil || subnet6 != nil, "network \(id) has no subnet of either family")
        self.id = id
        self.name = name ?? id
        self.bridge = bridge
        self.subnet = subnet
        self.subnet6 = subnet6
        self.masquerade = masquerade
        self.masquerade6 = masquerade6
        self.isInternal = isInternal
        self.icc = icc
        self.isolated = isolated
        self.dns = dns
        self.gateway = gateway
        self.gateway6 = gateway6
        self.overlay = overlay
    }

    /// The gateway addresses its name service listens on, as nft writes them with their
    /// family's match (`ip daddr 10.88.0.1`, `ip6 daddr fd00::1`); none without DNS.
    var dnsListeners: [String] {
        guard dns else { return [] }
        return [gateway.map { "ip daddr \($0)" }, gateway6.map { "ip6 daddr \($0)" }].compactMap { $0 }
    }

    /// The families the network has a subnet of.
    var families: [IPFamily] { (subnet == nil ? [] : [.ipv4]) + (subnet6 == nil ? [] : [.ipv6]) }
    /// IPv4 traffic from the subnet is masqueraded when it leaves.
    var masqueradesIPv4: Bool { subnet != nil && masquerade && !isInternal }
    /// IPv6 traffic from `subnet6` is masqueraded when it leaves (NAT66).
    var masqueradesIPv6: Bool { subnet6 != nil && masquerade6 && !isInternal }
}

/// An overlay network's VXLAN side (docs/overlay.md): the network's `subnet` is this host's
/// block of `subnet`; the other hosts' blocks are reached through `device`.
public struct FirewallOverlay: Sendable, Equatable {
    /// The VXLAN device.
    public let device: String
    /// The whole overlay subnet (every host's block).
    public let subnet: IPv4Subnet

    public init(device: String, subnet: IPv4Subnet) {
        self.device = device
        self.subnet = subnet
    }
}
