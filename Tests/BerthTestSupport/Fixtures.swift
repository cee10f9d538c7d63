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
}
