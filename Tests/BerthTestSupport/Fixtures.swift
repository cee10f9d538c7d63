import BerthAddress
import BerthStore

/// Store record builders with sensible defaults, so each test states only what it is about.
public enum Fixtures {
    public static func network(_ name: String, subnet: String = "10.88.0.0/24", bridge: String? = nil,
                               labels: [String: String] = [:], ipRange: String? = nil) -> NetworkRecord {
        let s = IPv4Subnet(subnet)!
        return NetworkRecord(name: name, id: Store.randomID(), bridge: bridge ?? "br-\(name)", subnet: s,
                             gateway: s.firstHost, ipRange: ipRange.map { IPv4Subnet($0)! }, mtu: 0,
                             isInternal: false, masquerade: true, labels: labels, created: 1_700_000_000)
    }

    public static func endpoint(_ network: String, address: String, id: String = Store.randomID(),
                                containerID: String = "c1", netns: (UInt64, UInt64) = (4, 4026532000),
                                ifname: String = "eth0", hostIfname: String? = nil,
                                state: EndpointState = .active, created: Int64 = 1_700_000_100) -> EndpointRecord {
        EndpointRecord(id: id, network: network, containerID: containerID, target: "/run/netns/\(containerID)",
                       netnsPath: "/run/netns/\(containerID)", netnsDevice: netns.0, netnsInode: netns.1,
                       ifname: ifname, hostIfname: hostIfname ?? "veth\(id.prefix(8))",
                       address: IPv4Address(address)!, prefixLength: 24,
                       mac: MACAddress(locallyAdministeredFrom: UInt64(IPv4Address(address)!.value)),
                       state: state, created: created)
    }

    /// A network with IPv6 (`subnet6`, its first host the gateway): dual stack with an IPv4
    /// `subnet`, IPv6-only without one.
    public static func network6(_ name: String, subnet6: String = "fd00:88::/64", subnet: String? = nil,
                                bridge: String? = nil) -> NetworkRecord {
        var n = network(name, subnet: subnet ?? "10.88.0.0/24", bridge: bridge)
        if subnet == nil { (n.subnet, n.gateway) = (nil, nil) }
        let s6 = IPv6Subnet(subnet6)!
        (n.subnet6, n.gateway6) = (s6, s6.firstHost)
        return n
    }

    /// An endpoint with IPv6 `address6` (/64) and, when `address` is given, an IPv4 one too.
    public static func endpoint6(_ network: String, address6: String, address: String? = nil,
                                 id: String = Store.randomID(), containerID: String = "c1",
                                 netns: (UInt64, UInt64) = (4, 4026532000), ifname: String = "eth0") -> EndpointRecord {
        var e = endpoint(network, address: address ?? "0.0.0.0", id: id, containerID: containerID, netns: netns,
                         ifname: ifname)
        if address == nil { (e.address, e.prefixLength) = (nil, 0) }
        let a6 = IPv6Address(address6)!
        (e.address6, e.prefixLength6) = (a6, 64)
        e.mac = MACAddress(locallyAdministeredFrom: a6.low)
        return e
    }
}
