import BerthAddress
import BerthNetlink

/// A container's network namespace, named the way the caller has it.
public enum Target: Sendable {
    /// As a user writes TARGET: a PID, a name under `/run/netns`, or a path.
    case user(String)
    /// A namespace path (a runtime's `CNI_NETNS`).
    case path(String)
    /// A namespace Berth made for `berth run`.
    case created(ContainerNamespace)

    /// How the endpoint records it.
    var text: String {
        switch self {
        case .user(let t), .path(let t): return t
        case .created(let ns): return ns.target
        }
    }
}

/// Which network a connect joins.
public enum NetworkChoice: Sendable {
    /// A network by name; the default one (``NetworkSpec/defaultNetworkName``) is created on
    /// first use.
    case named(String)
    /// The network a runtime's configuration defines: created from the spec if missing, else
    /// it must agree with every property the spec states (``BerthError/configuration(_:)``).
    case defined(NetworkSpec)

    var name: String {
        switch self {
        case .named(let name): return name
        case .defined(let spec): return spec.name
        }
    }
}

/// Which front end made an attachment: a runtime's garbage collection only collects its own.
public enum FrontEnd: String, Sendable {
    case cli, cni, podman
}

/// A request to attach a container to a network.
public struct ConnectRequest: Sendable {
    public var network: NetworkChoice
    /// The container's namespace; opened once, at the start, so it cannot be swapped mid-way.
    public var target: Target
    /// Interface name inside the container.
    public var ifname: String
    /// A static address, or nil to allocate one.
    public var address: IPv4Address?
    /// A static IPv6 address, or nil to allocate one (on a network with IPv6).
    public var address6: IPv6Address?
    /// A fixed MAC, or nil for a generated one.
    public var mac: MACAddress?
    /// The runtime's container id or the user's name for the container; defaults to the target.
    public var containerID: String?
    /// Bring the container's loopback up too: the CLI does, as Docker and Podman leave a
    /// container's `lo` up; CNI leaves it to the runtime's loopback plugin.
    public var bringUpLoopback: Bool
    /// Ports to publish on the host for this endpoint.
    public var ports: [PortMapping]
    /// The front end making the request, recorded with the endpoint. A CNI request is also
    /// refused when its container already has the interface on the network.
    public var frontEnd: FrontEnd
    /// The container's name in the network's name service (the CLI's `--name`, CNI's
    /// `K8S_POD_NAME`); nil for none. Recorded only when it is a DNS name: a container name
    /// may hold characters DNS names do not.
    public var dnsName: String?
    /// More names for the container in the network's name service (`--alias`), each a DNS name.
    public var aliases: [String] = []

    public init(network: NetworkChoice, target: Target, ifname: String = "eth0",
                address: IPv4Address? = nil, mac: MACAddress? = nil, containerID: String? = nil,
                bringUpLoopback: Bool = false, ports: [PortMapping] = [], frontEnd: FrontEnd = .cli) {
        self.network = network
        self.target = target
        self.ifname = ifname
        self.address = address
        self.mac = mac
        self.containerID = containerID
        self.bringUpLoopback = bringUpLoopback
        self.ports = ports
        self.frontEnd = frontEnd
    }
}
