/// The driver for hosts where another tool owns the firewall (like netavark's
/// `firewall_driver = "none"`): Berth changes no rule and reports nothing about rules it does
/// not own. NAT, forwarding and published ports are then that tool's business.
public final class NoFirewall: FirewallDriver {
    /// A driver that changes nothing.
    public init() {}

    /// Always ``FirewallKind/none``.
    public var kind: FirewallKind { .none }

    /// Changes nothing: the rules are another tool's.
    public func synchronize(_ networks: [FirewallNetwork], ports: [PortElement]) throws {}

    /// Changes nothing: the rules are another tool's.
    public func publish(_ ports: [PortElement]) throws {}

    /// Changes nothing: the rules are another tool's.
    public func unpublish(_ ports: [PortElement]) throws {}

    /// Always intact: there is nothing of Berth's to restore, so no connect ever repairs.
    public func health() -> FirewallHealth { .assumedIntact }

    /// Always true: a network lacks nothing Berth should have installed.
    public func hasRules(forNetworkID id: String) -> Bool { true }

    /// Always empty: whatever the other tool does is not Berth's to judge.
    public func diagnose(_ networks: [FirewallNetwork]) -> [FirewallFinding] { [] }
}
