import BerthAddress

/// Builders for the requests an overlay network needs: its VXLAN link and, per remote host, a
/// neighbour, an FDB entry and an on-link route (flannel's L3 VXLAN: no learning, no flooding).
extension RouteRequests {
    /// `ip link add NAME address MAC mtu MTU type vxlan id VNI local LOCAL dstport PORT
    /// nolearning`, left down (the caller tags it and adds its address before it comes up).
    public static func createVXLAN(name: String, vni: UInt32, local: IPv4Address, port: UInt16,
                                   mac: MACAddress, mtu: Int) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.newLink, flags: createFlags)
        r.appendIfInfo()
        r.attribute(IFLA.ifname, string: name)
        r.attribute(IFLA.address, mac.bytes)
        if mtu > 0 { r.attribute(IFLA.mtu, u32: UInt32(mtu)) }
        r.nested(IFLA.linkinfo) { info in
            info.attribute(IFLA.infoKind, string: "vxlan")
            info.nested(IFLA.infoData) { data in
                data.attribute(IFLAVXLAN.id, u32: vni)
                data.attribute(IFLAVXLAN.local, local.bytes)
                data.attribute(IFLAVXLAN.port, [UInt8(port >> 8), UInt8(truncatingIfNeeded: port)])
                data.attribute(IFLAVXLAN.learning, [0])
            }
        }
        return r
    }

    /// `ip link show` of one link by index (a single GET).
    public static func getLink(index: Int32) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.getLink, flags: 0)
        r.appendIfInfo(index: index)
        r.attribute(IFLA.extMask, u32: IFLA.skipStats)
        return r
    }

    /// `struct ndmsg`.
    static func neighbourMessage(type: UInt16, flags: UInt16, family: UInt8, index: Int32,
                                 state: UInt16, ntf: UInt8) -> NetlinkRequest {
        var r = NetlinkRequest(type: type, flags: flags)
        r.bytes(append: [family, 0, 0, 0])
        r.appendInteger(index)
        r.appendInteger(state)
        r.bytes(append: [ntf, 0])          // ndm_flags, ndm_type
        return r
    }

    /// `ip neigh replace ADDRESS lladdr MAC dev INDEX nud permanent`.
    public static func addNeighbour(_ address: IPv4Address, mac: MACAddress, index: Int32) -> NetlinkRequest {
        var r = neighbourMessage(type: RTM.newNeigh, flags: NLFlag.ack | NLFlag.create | NLFlag.replace,
                                 family: AddressFamily.inet, index: index, state: NDA.nudPermanent, ntf: 0)
        r.attribute(NDA.dst, address.bytes)
        r.attribute(NDA.lladdr, mac.bytes)
        return r
    }

    /// `ip neigh del ADDRESS dev INDEX`.
    public static func deleteNeighbour(_ address: IPv4Address, index: Int32) -> NetlinkRequest {
        var r = neighbourMessage(type: RTM.delNeigh, flags: NLFlag.ack, family: AddressFamily.inet,
                                 index: index, state: 0, ntf: 0)
        r.attribute(NDA.dst, address.bytes)
        return r
    }

    /// `ip neigh show` (dump of every IPv4 neighbour; callers filter by device).
    public static func dumpNeighbours() -> NetlinkRequest {
        neighbourMessage(type: RTM.getNeigh, flags: NLFlag.dump, family: AddressFamily.inet, index: 0, state: 0, ntf: 0)
    }

    /// `bridge fdb replace MAC dst VTEP dev INDEX self permanent`.
    public static func addFDB(mac: MACAddress, destination: IPv4Address, index: Int32) -> NetlinkRequest {
        var r = neighbourMessage(type: RTM.newNeigh, flags: NLFlag.ack | NLFlag.create | NLFlag.replace,
                                 family: AddressFamily.bridge, index: index, state: NDA.nudPermanent, ntf: NDA.ntfSelf)
        r.attribute(NDA.lladdr, mac.bytes)
        r.attribute(NDA.dst, destination.bytes)
        return r
    }

    /// `bridge fdb del MAC dst VTEP dev INDEX self`.
    public static func deleteFDB(mac: MACAddress, destination: IPv4Address, index: Int32) -> NetlinkRequest {
        var r = neighbourMessage(type: RTM.delNeigh, flags: NLFlag.ack, family: AddressFamily.bridge,
                                 index: index, state: 0, ntf: NDA.ntfSelf)
        r.attribute(NDA.lladdr, mac.bytes)
        r.attribute(NDA.dst, destination.bytes)
        return r
    }

    /// `bridge fdb show` (dump of every FDB entry; callers filter by device).
    public static func dumpFDB() -> NetlinkRequest {
        neighbourMessage(type: RTM.getNeigh, flags: NLFlag.dump, family: AddressFamily.bridge, index: 0, state: 0, ntf: 0)
    }

    /// `ip route replace DESTINATION via GATEWAY dev INDEX onlink proto 190` in the main table.
    public static func addOnLinkRoute(_ destination: IPv4Subnet, via gateway: IPv4Address, index: Int32) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.newRoute, flags: NLFlag.ack | NLFlag.create | NLFlag.replace)
        r.onLinkRoute(destination, via: gateway, index: index, scope: RouteField.scopeUniverse)
        return r
    }

    /// `ip route del DESTINATION via GATEWAY dev INDEX proto 190`.
    public static func deleteOnLinkRoute(_ destination: IPv4Subnet, via gateway: IPv4Address, index: Int32) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.delRoute, flags: NLFlag.ack)
        // RT_SCOPE_NOWHERE (255) on delete: match whatever scope the route has.
        r.onLinkRoute(destination, via: gateway, index: index, scope: 255)
        return r
    }

    /// `ip route get ADDRESS`: the route, source address and device the kernel would use.
    public static func lookupRoute(to address: IPv4Address) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.getRoute, flags: 0)
        r.appendRtMsg(family: AddressFamily.inet, dstLength: 32)
        r.attribute(RTA.dst, address.bytes)
        return r
    }
}

extension NetlinkRequest {
    /// Appends raw bytes as they are (a fixed header's fields).
    mutating func bytes(append raw: [UInt8]) {
        for b in raw { appendInteger(b) }
    }

    /// The body of an on-link route of Berth's protocol in the main table.
    mutating func onLinkRoute(_ destination: IPv4Subnet, via gateway: IPv4Address, index: Int32, scope: UInt8) {
        appendRtMsg(family: AddressFamily.inet, dstLength: UInt8(destination.prefixLength), table: RouteField.tableMain,
                    protocol: RouteField.protocolBerth, scope: scope, type: RouteField.typeUnicast,
                    flags: RTA.flagOnLink)
        attribute(RTA.dst, destination.network.bytes)
        attribute(RTA.gateway, gateway.bytes)
        attribute(RTA.oif, u32: UInt32(bitPattern: index))
    }
}
