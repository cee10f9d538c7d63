import BerthAddress
import BerthStore

/// A network as front ends see it: the engine's own view, so that a change to how the store
/// keeps networks never reaches a front end's output code.
public struct NetworkInfo: Sendable, Equatable {
    public var name: String
    /// Berth's id for the network (16 hex digits, minted by Berth).
    public var id: String
    /// The driver that made the network ("bridge" or "macvlan").
    public var driver: String
    /// The firewall that renders its rules ("nftables" or "none").
    public var firewall: String
    /// The network's device on the host: the bridge; a macvlan network has none of its own
    /// (its Berth-internal name, which no device can have, is not shown), so its parent.
    public var device: String
    /// The host interface a macvlan network's containers hang off; empty for a bridge.
    public var parent: String
    /// The driver's own options (macvlan: `mode`, shown as `bridge` when not given).
    public var driverOptions: [String: String]
    /// The IPv4 subnet and gateway; nil on an IPv6-only network.
    public var subnet: IPv4Subnet?
    public var gateway: IPv4Address?
    /// The range automatic allocation draws from; nil for the whole subnet.
    public var ipRange: IPv4Subnet?
    /// The IPv6 subnet and gateway; nil on an IPv4-only network.
    public var subnet6: IPv6Subnet?
    public var gateway6: IPv6Address?
    /// The IPv6 range automatic allocation draws from; nil for the whole subnet.
    public var ipRange6: IPv6Subnet?
    /// NAT66 for the IPv6 subnet (false: the prefix is routed).
    public var masquerade6: Bool
    /// MTU of the device and the containers' interfaces; 0 for the kernel's default.
    public var mtu: Int
    public var isInternal: Bool
    public var masquerade: Bool
    public var icc: Bool
    public var isolated: Bool
    public var labels: [String: String]
    /// Creation time, unix seconds.
    public var created: Int64
    /// Whether the network has a name service.
    public var dns: Bool
    /// The network's DNS domain.
    public var dnsDomain: String
    /// The network's own upstream name servers; empty for the host's.
    public var dnsServers: [IPAddress]
    /// The front end that made the network ("cli", "cni", "podman"; "" before schema v7).
    public var owner: String
    /// The metric of the default routes it installs in containers; 0 for the kernel's default.
    public var routeMetric: Int

    /// The name servers a container of the network uses (its gateways, IPv4 first) when the
    /// network has a name service; else none.
    public var nameservers: [IPAddress] {
        guard dns else { return [] }
        return [gateway.map { IPAddress.v4($0) }, gateway6.map { IPAddress.v6($0) }].compactMap { $0 }
    }

    /// The families the network has addresses of.
    public var families: Set<IPFamily> { Set((subnet != nil ? [.ipv4] : []) + (subnet6 != nil ? [.ipv6] : [])) }

    init(_ n: NetworkRecord) {
        name = n.name; id = n.id; driver = n.driver; firewall = n.firewall
        device = n.parent.isEmpty ? n.bridge : n.parent
        parent = n.parent
        driverOptions = n.driverOptions
        if n.driver == "macvlan", driverOptions["mode"] == nil { driverOptions["mode"] = "bridge" }
        subnet = n.subnet; gateway = n.gateway; ipRange = n.ipRange; mtu = n.mtu
        subnet6 = n.subnet6; gateway6 = n.gateway6; ipRange6 = n.ipRange6; masquerade6 = n.masquerade6
        isInternal = n.isInternal; masquerade = n.masquerade; icc = n.icc; isolated = n.isolated
        labels = n.labels; created = n.created
        dns = n.dns; dnsDomain = n.dnsDomain; dnsServers = n.dnsServers
        owner = n.owner.rawValue
        routeMetric = n.routeMetric
    }
}

/// A container's attachment to a network, as front ends see it.
public struct EndpointInfo: Sendable, Equatable {
    public var id: String
    public var network: String
    /// The runtime's container id, or the name the user gave (default: the target).
    public var containerID: String
    /// TARGET as the user or runtime named it.
    public var target: String
    /// The namespace path it was connected through.
    public var namespacePath: String
    /// The interface's name inside the container.
    public var ifname: String
    /// The host end's name (a veth), if the driver makes one.
    public var hostIfname: String
    /// The IPv4 address with its prefix; nil on an IPv6-only network.
    public var address: IPv4Interface?
    /// The IPv6 address with its prefix; nil on an IPv4-only network.
    public var address6: IPv6Interface?
    public var mac: MACAddress
    /// "creating", "active" or "removing".
    public var state: String
    /// The container's name in the network's name service, if it has one.
    public var dnsName: String?
    /// The container's aliases in the network's name service.
    public var aliases: [String]

    init(_ e: EndpointRecord) {
        id = e.id; network = e.network; containerID = e.containerID; target = e.target
        namespacePath = e.netnsPath; ifname = e.ifname; hostIfname = e.hostIfname
        address = e.interface
        address6 = e.interface6
        mac = e.mac; state = e.state.rawValue
        dnsName = e.dnsName; aliases = e.aliases
    }
}

/// One published port range, as the user published it (consecutive host ports of one
/// endpoint folded back into a range).
public struct PublishedPort: Sendable, Equatable {
    public var network: String
    public var endpoint: String
    public var containerID: String
    /// The container's addresses the port leads to (nil for a family it lacks).
    public var containerAddress: IPv4Address?
    public var containerAddress6: IPv6Address?
    public var mapping: PortMapping
}

/// An interface an attachment involves, for results that list them (CNI).
public struct InterfaceInfo: Sendable, Equatable {
    public var name: String
    public var mac: MACAddress?
    public var mtu: Int?
    public init(name: String, mac: MACAddress?, mtu: Int?) {
        self.name = name; self.mac = mac; self.mtu = mtu
    }
}

/// A finished attach.
public struct Attachment: Sendable {
    /// The endpoint, active.
    public let endpoint: EndpointInfo
    /// Its network.
    public let network: NetworkInfo
    /// The families whose default route now goes through the network (none for internal
    /// networks, nor for a family whose default route the container already had).
    public let defaultRoutes: DefaultRoutes
    /// The host-side interfaces, in the order the CNI reference plugins list them (the bridge,
    /// then the host veth).
    public let hostInterfaces: [InterfaceInfo]
    /// The container's interface, with its MTU.
    public let containerInterface: InterfaceInfo
    /// Whether the network was created for this attachment.
    public let createdNetwork: Bool
}

/// A network with how many endpoints it has (`network ls`).
public struct NetworkSummary: Sendable {
    public let network: NetworkInfo
    public let endpointCount: Int
}

extension PublishedPort {
    /// Folds store rows (one per host port) back into the ranges they were published as.
    static func folding(_ records: [PortRecord]) -> [PublishedPort] {
        var owners: [String: PortRecord] = [:]
        for r in records where owners[r.endpoint] == nil { owners[r.endpoint] = r }
        return PortRecord.mappings(records).compactMap { item in
            owners[item.endpoint].map {
                PublishedPort(network: $0.network, endpoint: $0.endpoint, containerID: $0.containerID,
                              containerAddress: $0.containerAddress, containerAddress6: $0.containerAddress6,
                              mapping: item.mapping)
            }
        }
    }
}
