import BerthAddress

/// One container attachment (a veth pair into one network namespace) as persisted in the store.
public struct EndpointRecord: Sendable, Equatable {
    /// 16 lowercase hex characters, random (see ``Store/randomID()``).
    public var id: String
    /// The name of the network the endpoint is attached to.
    public var network: String
    /// The runtime's container id, or the `--name` / target given to the CLI.
    public var containerID: String
    /// TARGET as the user gave it (pid, netns name or path).
    public var target: String
    /// The path used to open the network namespace ("" if unknown).
    public var netnsPath: String
    /// `st_dev` of the namespace file; with ``netnsInode`` the identity of the namespace, which
    /// stays valid when the same namespace is reached through a different path.
    public var netnsDevice: UInt64
    /// `st_ino` of the namespace file. The kernel reuses it for a new namespace as soon as the
    /// old one dies, so it identifies the namespace only together with ``netnsCookie``.
    public var netnsInode: UInt64
    /// The namespace's cookie (see `NamespaceCookie`), which the kernel never reuses before a
    /// reboot: recorded when the endpoint becomes active, 0 before that (and for endpoints
    /// made before Berth recorded it). A record met with the same (device, inode) but another
    /// cookie belongs to a namespace that is gone.
    public var netnsCookie: UInt64
    /// The front end that made the endpoint.
    public var owner: EndpointOwner
    /// The interface name inside the container.
    public var ifname: String
    /// The host-side veth name.
    public var hostIfname: String
    /// The container's IPv4 address; nil on an IPv6-only network.
    public var address: IPv4Address?
    /// The prefix length configured with ``address`` (0 without one).
    public var prefixLength: Int
    /// The container's IPv6 address; nil on an IPv4-only network.
    public var address6: IPv6Address?
    /// The prefix length configured with ``address6`` (0 without one).
    public var prefixLength6: Int
    /// The container interface's MAC address.
    public var mac: MACAddress
    /// Where the endpoint is in its lifecycle.
    public var state: EndpointState
    /// Creation time, unix seconds.
    public var created: Int64
    /// The container's name in the network's name service (`--name`, CNI `K8S_POD_NAME`); nil
    /// for none.
    public var dnsName: String?
    /// More names for the container in the network's name service (`--alias`, CNI `aliases`).
    public var aliases: [String]

    /// Creates a record; every field is stored as given.
    public init(id: String, network: String, containerID: String, target: String, netnsPath: String,
                netnsDevice: UInt64, netnsInode: UInt64, ifname: String, hostIfname: String,
                address: IPv4Address?, prefixLength: Int, mac: MACAddress, state: EndpointState,
                created: Int64, netnsCookie: UInt64 = 0, owner: EndpointOwner = .cli,
                address6: IPv6Address? = nil, prefixLength6: Int = 0,
                dnsName: String? = nil, aliases: [String] = []) {
        self.id = id
        self.network = network
        self.containerID = containerID
        self.target = target
        self.netnsPath = netnsPath
        self.netnsDevice = netnsDevice
        self.netnsInode = netnsInode
        self.ifname = ifname
        self.hostIfname = hostIfname
        self.address = address
        self.prefixLength = prefixLength
        self.mac = mac
        self.state = state
        self.created = created
        self.netnsCookie = netnsCookie
        self.owner = owner
        self.address6 = address6
        self.prefixLength6 = prefixLength6
        self.dnsName = dnsName
        self.aliases = aliases
    }

    /// The IPv4 address with its prefix, if the endpoint has one.
    public var interface: IPv4Interface? { address.map { IPv4Interface(address: $0, prefixLength: prefixLength) } }
    /// The IPv6 address with its prefix, if the endpoint has one.
    public var interface6: IPv6Interface? { address6.map { IPv6Interface(address: $0, prefixLength: prefixLength6) } }
    /// The endpoint's addresses as text, IPv4 first, for messages.
    public var addressesDescription: String {
        [address.map { "\($0)" }, address6.map { "\($0)" }].compactMap { $0 }.joined(separator: ", ")
    }
}
