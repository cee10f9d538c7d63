import BerthAddress

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

    /// Other firewalls that keep these overlay networks' VXLAN packets from arriving, each with
    /// its fix, for `berth doctor` (whatever firewall Berth's own rules use).
    func blockedVXLANFindings(_ inputs: [VXLANInput]) -> [FirewallFinding]

    /// Says that this command will probably change the rules soon (it makes a network, or
    /// publishes ports), so the driver may start loading what it needs in the background.
    /// Changes nothing; costs the caller nothing.
    func prepare()
}

extension FirewallDriver {
    /// Nothing to load ahead.
    public func prepare() {}

    /// None known: a driver that cannot read the host's rules says nothing.
    public func blockedVXLANFindings(_ inputs: [VXLANInput]) -> [FirewallFinding] { [] }
}

/// Where an overlay network's VXLAN packets arrive: its UDP port, and the underlay subnet its
/// peers send from (the VTEP's own subnet, as far as this host can tell), for a fix that lets
/// in only them.
public struct VXLANInput: Sendable, Equatable {
    public let network: String
    public let port: UInt16
    public let underlay: IPv4Subnet?

    public init(network: String, port: UInt16, underlay: IPv4Subnet?) {
        self.network = network
        self.port = port
        self.underlay = underlay
    }
}
