import BerthAddress

/// One network of a Podman `setup`: the network as Podman defines it, and the container's
/// interface on it. Podman has already allocated the addresses: Berth records them.
public struct PodmanAttachmentRequest: Sendable {
    /// The network as Podman's definition describes it, ``NetworkSpec/owner`` `.podman`: its
    /// name, bridge (`network_interface`), subnets and gateways, driver, options.
    public var spec: NetworkSpec
    /// The interface name inside the container (`interface_name`).
    public var ifname: String
    /// The container's IPv4 address (from `static_ips`); nil on a network without IPv4.
    public var address: IPv4Address?
    /// The container's IPv6 address (from `static_ips`); nil on a network without IPv6.
    public var address6: IPv6Address?
    /// A fixed MAC (`static_mac`), or nil for a generated one.
    public var mac: MACAddress?
    /// More names for the container in the network's name service (`aliases`).
    public var aliases: [String]

    public init(spec: NetworkSpec, ifname: String, address: IPv4Address? = nil, address6: IPv6Address? = nil,
                mac: MACAddress? = nil, aliases: [String] = []) {
        self.spec = spec
        self.ifname = ifname
        self.address = address
        self.address6 = address6
        self.mac = mac
        self.aliases = aliases
    }
}

/// A Podman `setup`: one container joining one or more networks, as one transaction.
public struct PodmanSetup: Sendable {
    /// Podman's container id (an input: never the source of kernel tags).
    public var containerID: String
    /// The container's name: its name in every DNS network's name service.
    public var containerName: String
    /// The container's network namespace (`/run/netns/netns-…`).
    public var namespacePath: String
    /// The networks, in the order Podman listed them.
    public var networks: [PodmanAttachmentRequest]
    /// Port mappings, ranges expanded or not; published through the first network that can
    /// carry them (see docs/podman.md).
    public var ports: [PortMapping]

    public init(containerID: String, containerName: String, namespacePath: String,
                networks: [PodmanAttachmentRequest], ports: [PortMapping] = []) {
        self.containerID = containerID
        self.containerName = containerName
        self.namespacePath = namespacePath
        self.networks = networks
        self.ports = ports
    }
}

/// A Podman `teardown`: the container leaves the networks; a Podman-owned network left
/// without endpoints is removed (its bridge and rules). Idempotent; works when the namespace
/// is gone.
public struct PodmanTeardown: Sendable {
    public var containerID: String
    public var namespacePath: String
    /// Each network (as Podman defines it) with the container's interface name on it.
    public var networks: [(spec: NetworkSpec, ifname: String)]

    public init(containerID: String, namespacePath: String, networks: [(spec: NetworkSpec, ifname: String)]) {
        self.containerID = containerID
        self.namespacePath = namespacePath
        self.networks = networks
    }
}
