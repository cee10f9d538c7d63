import BerthAddress
import Glibc

/// The overlay's kernel conversation: the VXLAN link and its per-peer entries.
extension RouteSession {
    /// Creates a VXLAN link (down; see ``RouteRequests/createVXLAN(name:vni:local:port:mac:mtu:)``).
    public func createVXLAN(name: String, vni: UInt32, local: IPv4Address, port: UInt16, mac: MACAddress, mtu: Int) throws {
        try execute(RouteRequests.createVXLAN(name: name, vni: vni, local: local, port: port, mac: mac, mtu: mtu),
                    "create VXLAN device \(name) (id \(vni), port \(port), local \(local))")
    }

    /// The VXLAN settings of the link called `name`; nil when there is none or it is no vxlan.
    public func vxlan(name: String) throws -> VXLANInfo? {
        do {
            return try query(RouteRequests.getLink(name: name), "look up link \(name)").lazy.compactMap(VXLANInfo.init).first
        } catch let error as NetlinkError where error.errno == ENODEV {
            return nil
        }
    }

    /// The IPv4 neighbours on the link with `index`.
    public func neighbours(index: Int32) throws -> [NeighbourEntry] {
        try query(RouteRequests.dumpNeighbours(), "list neighbours").compactMap(NeighbourEntry.init)
            .filter { $0.index == index && $0.family == AddressFamily.inet }
    }

    /// The FDB entries of the link with `index` (its own, `self`).
    public func fdb(index: Int32) throws -> [NeighbourEntry] {
        try query(RouteRequests.dumpFDB(), "list FDB entries").compactMap(NeighbourEntry.init)
            .filter { $0.index == index && $0.family == AddressFamily.bridge }
    }

    /// Berth's on-link routes (its protocol tag) out of the link with `index`, main table.
    public func onLinkRoutes(index: Int32) throws -> [TaggedRoute] {
        try query(RouteRequests.dumpRoutes(family: AddressFamily.inet), "list routes").compactMap(TaggedRoute.init)
            .filter { $0.outputIndex == index && $0.proto == RouteField.protocolBerth && $0.table == UInt32(RouteField.tableMain) }
    }

    /// The route the kernel would take to `address`: its source address and output device.
    public func lookupRoute(to address: IPv4Address) throws -> TaggedRoute? {
        try query(RouteRequests.lookupRoute(to: address), "look up the route to \(address)").lazy.compactMap(TaggedRoute.init).first
    }

    public func addNeighbour(_ address: IPv4Address, mac: MACAddress, index: Int32) throws {
        try execute(RouteRequests.addNeighbour(address, mac: mac, index: index), "add neighbour \(address) lladdr \(mac)")
    }

    public func deleteNeighbour(_ address: IPv4Address, index: Int32) throws {
        try execute(RouteRequests.deleteNeighbour(address, index: index), "delete neighbour \(address)")
    }

    public func addFDB(mac: MACAddress, destination: IPv4Address, index: Int32) throws {
        try execute(RouteRequests.addFDB(mac: mac, destination: destination, index: index), "add FDB entry \(mac) dst \(destination)")
    }

    public func deleteFDB(mac: MACAddress, destination: IPv4Address, index: Int32) throws {
        try execute(RouteRequests.deleteFDB(mac: mac, destination: destination, index: index), "delete FDB entry \(mac) dst \(destination)")
    }

    public func addOnLinkRoute(_ destination: IPv4Subnet, via gateway: IPv4Address, index: Int32) throws {
        try execute(RouteRequests.addOnLinkRoute(destination, via: gateway, index: index), "add route \(destination) via \(gateway) onlink")
    }

    public func deleteOnLinkRoute(_ destination: IPv4Subnet, via gateway: IPv4Address, index: Int32) throws {
        try execute(RouteRequests.deleteOnLinkRoute(destination, via: gateway, index: index), "delete route \(destination) via \(gateway)")
    }
}
