import BerthAddress
import BerthNetlink
import BerthStore

/// A request to attach a container's network namespace to a network.
public struct ConnectRequest {
    /// The network's name.
    public var network: String
    /// The container's namespace, already opened (so it cannot vanish or be swapped mid-way).
    public var namespace: NetworkNamespace
    /// TARGET as the user or runtime named it, recorded for display and disconnect.
    public var target: String
    /// Interface name inside the container.
    public var ifname: String
    /// A static address, or nil to allocate one.
    public var address: IPv4Address?
    /// A fixed MAC, or nil for a generated one.
    public var mac: MACAddress?
    /// The runtime's container id or the user's name for the container; defaults to TARGET.
    public var containerID: String?
    /// Bring the container's loopback up too: the CLI does, as Docker and Podman leave a
    /// container's `lo` up; CNI leaves it to the runtime's loopback plugin.
    public var bringUpLoopback: Bool
    /// Ports to publish on the host for this endpoint.
    public var ports: [PortMapping]
    /// The front end making the request, recorded with the endpoint.
    public var owner: EndpointOwner

    public init(network: String, namespace: NetworkNamespace, target: String, ifname: String = "eth0",
                address: IPv4Address? = nil, mac: MACAddress? = nil, containerID: String? = nil,
                bringUpLoopback: Bool = false, ports: [PortMapping] = [], owner: EndpointOwner = .cli) {
        self.network = network
        self.namespace = namespace
        self.target = target
        self.ifname = ifname
        self.address = address
        self.mac = mac
        self.containerID = containerID
        self.bringUpLoopback = bringUpLoopback
        self.ports = ports
        self.owner = owner
    }
}
