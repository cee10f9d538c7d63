import BerthAddress

/// What a user asks for when creating a network. Everything optional is chosen by the engine.
public struct NetworkSpec: Sendable {
    public var name: String
    public var subnet: IPv4Subnet?
    public var gateway: IPv4Address?
    public var ipRange: IPv4Subnet?
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

    /// The default network, like Docker's `bridge` on `docker0`.
    public static let defaultNetworkName = "bridge"
    /// The bridge device of the default network.
    public static let defaultBridge = "berth0"
}
