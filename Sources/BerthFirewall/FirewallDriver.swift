/// What the engine needs of a firewall: keep the rules of Berth's networks and published ports
/// in place, and say whether they are. Nothing here is specific to one firewall, so a host where
/// another tool owns the rules can run Berth with ``NoFirewall``.
///
/// Drivers are classes: one may hold an expensive resource (libnftables) loaded on first use
/// and kept for the rest of the command.
public protocol FirewallDriver: AnyObject {
    /// Which driver this is (for messages and configuration).
    var kind: FirewallKind { get }

    /// Makes the firewall match exactly these networks and ports: rules of networks and ports
    /// not listed go away, and with no network at all nothing of Berth's is left.
    func synchronize(_ networks: [FirewallNetwork], ports: [PortElement]) throws

    /// Adds published ports without touching anything else, all or none.
    func publish(_ ports: [PortElement]) throws

    /// Removes published ports without touching anything else, all or none; fails (changing
    /// nothing) when one of them is not there, so the caller can fall back to ``synchronize``.
    func unpublish(_ ports: [PortElement]) throws

    /// A cheap look at whether Berth's rules are in place, for every connect and disconnect.
    /// Never fails: when it cannot tell, it reports all is well (see ``FirewallHealth/assumedIntact``).
    func health() -> FirewallHealth

    /// Whether the rules of the network with this id are installed (false when Berth's rules are
    /// missing altogether). May be slower than ``health()``: for readiness checks and CNI CHECK.
    func hasRules(forNetworkID id: String) -> Bool

    /// What is wrong with the firewall for these networks, each with its fix, for `berth doctor`.
    /// Empty when all is well or `networks` is empty.
    func diagnose(_ networks: [FirewallNetwork]) -> [FirewallFinding]
}
