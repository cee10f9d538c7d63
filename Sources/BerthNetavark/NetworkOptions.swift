/// The JSON contract of netavark 1.4, as Podman 4.3 writes it on stdin (`NetworkOptions`) and
/// reads it back on stdout (`StatusBlock`), in one place: docs/podman.md describes every member.
///
/// These are the document's values as written (strings stay strings): checking and translating
/// them is ``Translation``'s job, so a malformed value is reported with the network it is in.
/// Unknown members are ignored, as netavark ignores them.
struct NetworkOptions: Sendable, Equatable {
    var containerID: String
    var containerName: String
    var portMappings: [PortMappingEntry]
    /// The container's side of each network, in document order (Podman sorts them by name).
    var networks: [(name: String, options: PerNetworkOptions)]
    /// Each network's definition, by name.
    var networkInfo: [(name: String, network: Network)]
    /// The container's own name servers (`--dns`): accepted, not used yet.
    var dnsServers: [String]

    /// The definition of the network called `name`.
    func network(named name: String) -> Network? { networkInfo.last { $0.name == name }?.network }

    static func == (a: NetworkOptions, b: NetworkOptions) -> Bool {
        a.containerID == b.containerID && a.containerName == b.containerName && a.portMappings == b.portMappings
            && a.networks.elementsEqual(b.networks) { $0.name == $1.name && $0.options == $1.options }
            && a.networkInfo.elementsEqual(b.networkInfo) { $0.name == $1.name && $0.network == $1.network }
            && a.dnsServers == b.dnsServers
    }
}

/// `port_mappings[]`: `range` ports from `host_port` on the host to `container_port` on.
struct PortMappingEntry: Sendable, Equatable {
    /// "" for every address.
    var hostIP: String
    var containerPort: Int
    var hostPort: Int
    /// How many ports in a row (0 or 1: one).
    var range: Int
    /// `tcp`, `udp`, or both as `tcp,udp`.
    var proto: String
}

/// `networks[NAME]`: the container on one network.
struct PerNetworkOptions: Sendable, Equatable {
    /// Addresses Podman allocated, at most one per family.
    var staticIPs: [String]
    var staticMAC: String?
    /// More names for the container in the network's name service.
    var aliases: [String]
    /// The interface inside the container (`eth0`, `eth1`, …).
    var interfaceName: String
}

/// `network_info[NAME]`: a network as Podman defines it.
struct Network: Sendable, Equatable {
    var name: String
    var id: String
    /// `bridge` or `macvlan`.
    var driver: String
    /// The bridge (bridge) or parent device (macvlan); "" for the default.
    var networkInterface: String
    var subnets: [Subnet]
    var ipv6Enabled: Bool
    var isInternal: Bool
    var dnsEnabled: Bool
    /// The network's own upstream name servers.
    var networkDNSServers: [String]
    /// Driver options, values as written (Podman writes strings): `mtu`, `isolate`, `metric`, `mode`.
    var options: [(name: String, value: String)]
    /// `ipam_options.driver`: `host-local` (the default), `none` or `dhcp`.
    var ipamDriver: String?

    static func == (a: Network, b: Network) -> Bool {
        a.name == b.name && a.id == b.id && a.driver == b.driver && a.networkInterface == b.networkInterface
            && a.subnets == b.subnets && a.ipv6Enabled == b.ipv6Enabled && a.isInternal == b.isInternal
            && a.dnsEnabled == b.dnsEnabled && a.networkDNSServers == b.networkDNSServers
            && a.options.elementsEqual(b.options) { $0 == $1 } && a.ipamDriver == b.ipamDriver
    }
}

/// `subnets[]`: one subnet of a network.
struct Subnet: Sendable, Equatable {
    var subnet: String
    var gateway: String?
}

/// What `setup` prints for one network (netavark's `StatusBlock`).
struct StatusBlock: Sendable, Equatable {
    var dnsSearchDomains: [String]
    var dnsServerIPs: [String]
    /// The container's interfaces on the network, by name (one for bridge and macvlan).
    var interfaces: [(name: String, interface: NetInterface)]

    static func == (a: StatusBlock, b: StatusBlock) -> Bool {
        a.dnsSearchDomains == b.dnsSearchDomains && a.dnsServerIPs == b.dnsServerIPs
            && a.interfaces.elementsEqual(b.interfaces) { $0.name == $1.name && $0.interface == $1.interface }
    }
}

/// One interface of a ``StatusBlock``.
struct NetInterface: Sendable, Equatable {
    var macAddress: String
    /// IPv4 first; `gateway` nil when the network has none.
    var subnets: [(ipnet: String, gateway: String?)]

    static func == (a: NetInterface, b: NetInterface) -> Bool {
        a.macAddress == b.macAddress && a.subnets.elementsEqual(b.subnets) { $0.ipnet == $1.ipnet && $0.gateway == $1.gateway }
    }
}
