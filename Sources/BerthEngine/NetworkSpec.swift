import BerthAddress

/// What a user asks for when creating a network. Everything optional is chosen by the engine.
public struct NetworkSpec: Sendable {
    public var name: String
    /// The IPv4 subnet (`--subnet`); nil for the first free pool subnet.
    public var subnet: IPv4Subnet?
    public var gateway: IPv4Address?
    public var ipRange: IPv4Subnet?
    /// The IPv6 subnet; nil for an automatically chosen unique local /64 (when IPv6 is on).
    public var subnet6: IPv6Subnet?
    public var gateway6: IPv6Address?
    public var ipRange6: IPv6Subnet?
    /// Whether the network has IPv4 (`--ipv4`). Nil: yes, unless only IPv6 addressing is stated
    /// (an IPv6 `--subnet` alone makes an IPv6-only network); for an existing network, either.
    public var ipv4: Bool?
    /// Whether the network has IPv6 (`--ipv6`). Nil: yes exactly when some IPv6 addressing is
    /// stated; for an existing network, either.
    public var ipv6: Bool?
    /// NAT66 for the IPv6 subnet (`--ipv6-nat`, default true); false routes the prefix.
    public var masquerade6: Bool = true
    public var bridge: String?
    public var mtu: Int
    public var isInternal: Bool
    public var masquerade: Bool
    public var labels: [String: String]
    /// Inter-container communication on the bridge (`--icc=false` turns it off).
    public var icc: Bool = true
    /// Walled off from other Berth networks (`--isolate=false` opts out).
    public var isolated: Bool = true
    /// The network driver that makes it (`--driver`); nil for "bridge" (and, for an existing
    /// network, whichever it has).
    public var driver: String?
    /// The firewall that renders its rules (`--firewall`): "nftables", or "none" for hosts
    /// where another tool owns the rules (no NAT, isolation or published ports from Berth);
    /// nil for "nftables" (and, for an existing network, whichever it has).
    public var firewall: String?
    /// Whether the network has a name service (`berth-dns` on its gateways): on unless
    /// turned off (`--dns=false`); the default `bridge` network has none.
    public var dns: Bool = true
    /// The network's DNS domain (`--dns-domain`); validated and lowercased when the network
    /// is created.
    public var dnsDomain: String = "berth.internal"
    /// The network's own upstream name servers (`--dns ADDRESS`); empty for the host's.
    public var dnsServers: [IPAddress] = []

    /// The front end creating the network, recorded as its owner (``BerthStore/NetworkOwner``):
    /// Podman's front end creates and removes only networks it owns.
    public var owner: FrontEnd = .cli
    /// The device a macvlan network's endpoints hang off (`--parent`); nil for a bridge.
    public var parent: String?
    /// The driver's own options (macvlan's `mode`: bridge, private, vepa, passthru, source).
    public var driverOptions: [String: String] = [:]
    /// The metric of the default routes the network installs in containers; 0 for the
    /// kernel's default.
    public var routeMetric: Int = 0
    /// A network without addresses (Podman's IPAM driver `none`): a bridge with neither IPv4
    /// nor IPv6, whose containers get an interface (up) without addresses or routes. No subnet
    /// may be stated; it has no firewall rules (nothing to NAT, publish or isolate) and no
    /// name service.
    public var addressless: Bool = false

    public init(name: String, subnet: IPv4Subnet? = nil, gateway: IPv4Address? = nil,
                ipRange: IPv4Subnet? = nil, bridge: String? = nil, mtu: Int = 0,
                isInternal: Bool = false, masquerade: Bool = true, labels: [String: String] = [:]) {
        self.name = name
        self.subnet = subnet
        self.gateway = gateway
        self.ipRange = ipRange
        self.bridge = bridge
        self.mtu = mtu
        self.isInternal = isInternal
        self.masquerade = masquerade
        self.labels = labels
    }

    /// Whether the network gets IPv4, from what the spec states.
    var wantsIPv4: Bool {
        if addressless { return false }
        return ipv4 ?? !(subnet == nil && ipv6 != false && (subnet6 != nil || gateway6 != nil || ipRange6 != nil))
    }
    /// Whether the network gets IPv6, from what the spec states.
    var wantsIPv6: Bool { !addressless && (ipv6 ?? (subnet6 != nil || gateway6 != nil || ipRange6 != nil)) }

    /// The default network, like Docker's `bridge` on `docker0`.
    public static let defaultNetworkName = "bridge"
    /// The bridge device of the default network.
    public static let defaultBridge = "berth0"

    /// The default network's spec: like Docker's default bridge, it has no name service.
    public static var defaultNetwork: NetworkSpec {
        var spec = NetworkSpec(name: defaultNetworkName, bridge: defaultBridge)
        spec.dns = false
        return spec
    }
}
