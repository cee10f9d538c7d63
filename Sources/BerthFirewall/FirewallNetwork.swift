import BerthAddress

/// What the firewall needs to know about one network. The engine builds these from the store,
/// so the ruleset is always a pure function of the stored state.
public struct FirewallNetwork: Sendable, Equatable {
    /// Stable network id (hex); names the network's chains.
    public let id: String
    /// The network's name, for messages only (the rules never use it: names can be reused).
    public let name: String
    /// The bridge interface.
    public let bridge: String
    /// The IPv4 subnet of the network.
    public let subnet: IPv4Subnet
    /// Masquerade traffic from the subnet that leaves through another interface.
    public let masquerade: Bool
    /// Internal networks never forward out of their bridge.
    public let isInternal: Bool
    /// Inter-container communication: false drops traffic bridged between the containers.
    public let icc: Bool
    /// Isolated from other Berth networks (the default). Two networks reach each other directly
    /// only when neither is isolated; published ports stay reachable through host addresses.
    public let isolated: Bool

    /// `name` defaults to the id, for callers that have no name to show.
    public init(id: String, name: String? = nil, bridge: String, subnet: IPv4Subnet, masquerade: Bool,
                isInternal: Bool, icc: Bool = true, isolated: Bool = true) {
        self.id = id
        self.name = name ?? id
        self.bridge = bridge
        self.subnet = subnet
        self.masquerade = masquerade
        self.isInternal = isInternal
        self.icc = icc
        self.isolated = isolated
    }
}
