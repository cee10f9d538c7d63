import BerthAddress

/// Builders for the rtnetlink requests Berth sends. Pure functions of their arguments, so unit
/// tests can compare their bytes exactly and the session can pipeline several in one datagram.
public enum RouteRequests {
    static let createFlags = NLFlag.ack | NLFlag.create | NLFlag.exclusive

    /// `ip link add NAME address MAC mtu MTU type bridge` and up.
    public static func createBridge(name: String, mac: MACAddress?, mtu: Int) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.newLink, flags: createFlags)
        r.appendIfInfo(flags: interfaceFlagUp, change: interfaceFlagUp)
        r.attribute(IFLA.ifname, string: name)
        if let mac { r.attribute(IFLA.address, mac.bytes) }
        if mtu > 0 { r.attribute(IFLA.mtu, u32: UInt32(mtu)) }
        r.nested(IFLA.linkinfo) { info in
            info.attribute(IFLA.infoKind, string: "bridge")
            // No IGMP/MLD snooping: multicast reaches every port, as on a plain switch. With
            // snooping on, the kernel re-arms every port's multicast timers whenever any port
            // comes or goes (br_port_state_selection), so each attach and detach would cost time
            // that grows with the containers already on the bridge (~0.5 ms at 1000).
            info.nested(IFLA.infoData) { $0.attribute(IFLA.bridgeMulticastSnooping, [0]) }
        }
        return r
    }

    /// One request for the whole veth pair: the host end `hostName` is enslaved to `master` (and
    /// left down, so its IPv6 settings can be made before it comes up); the peer is born inside the namespace
    /// `peerNamespaceFD` under its final name, with its MAC and MTU (the caller brings it up
    /// from inside the namespace). Nothing is ever renamed or moved afterwards.
    /// The host end joins device `group` (when given), so all of a network's veths can later be
    /// deleted with one request (``deleteLinks(group:)``), and gets `hostMAC` (when given).
    ///
    /// Each end gets one queue pair rather than the kernel's default of one per possible CPU:
    /// a veth without XDP hands packets straight to the peer's per-CPU backlog, so the queues
    /// carry nothing, but each is a sysfs directory the kernel creates and removes (about a
    /// tenth of the pair's creation time). With `NLM_F_ECHO` the kernel answers with the new host
    /// end, whose `IFLA_LINK` is the peer's index inside the container: no lookup there.
    public static func createVeth(hostName: String, master: Int32, mtu: Int,
                                  peerName: String, peerNamespaceFD: Int32,
                                  peerMAC: MACAddress?, group: UInt32? = nil,
                                  hostMAC: MACAddress? = nil) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.newLink, flags: createFlags | NLFlag.echo)
        r.appendIfInfo()
        r.attribute(IFLA.ifname, string: hostName)
        if let hostMAC { r.attribute(IFLA.address, hostMAC.bytes) }
        if mtu > 0 { r.attribute(IFLA.mtu, u32: UInt32(mtu)) }
        r.singleQueuePair()
        r.attribute(IFLA.master, u32: UInt32(bitPattern: master))
        if let group { r.attribute(IFLA.group, u32: group) }
        r.nested(IFLA.linkinfo) { info in
            info.attribute(IFLA.infoKind, string: "veth")
            info.nested(IFLA.infoData) { data in
                data.nested(vethInfoPeer) { peer in
                    // Not up yet: the kernel configures the peer before the host end exists,
                    // and opening a veth without its peer fails with ENOTCONN.
                    peer.appendIfInfo()
                    peer.attribute(IFLA.ifname, string: peerName)
                    if mtu > 0 { peer.attribute(IFLA.mtu, u32: UInt32(mtu)) }
                    if let peerMAC { peer.attribute(IFLA.address, peerMAC.bytes) }
                    peer.singleQueuePair()
                    peer.attribute(IFLA.netNsFd, u32: UInt32(bitPattern: peerNamespaceFD))
                }
            }
        }
        return r
    }

    /// `ip link set NAME up` (the link addressed by name, as right after its creation).
    public static func setLinkUp(name: String) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.newLink, flags: NLFlag.ack)
        r.appendIfInfo(flags: interfaceFlagUp, change: interfaceFlagUp)
        r.attribute(IFLA.ifname, string: name)
        return r
    }

    /// `ip link set NAME addrgenmode none`: the kernel generates no IPv6 address (link-local
    /// included) for the link when it comes up, so it runs no duplicate address detection or
    /// multicast reports for it either. Sent before the link comes up, in a request of its own:
    /// the mode can only be set on an existing link, and must be in place before it is up.
    public static func disableIPv6AddressGeneration(name: String) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.newLink, flags: NLFlag.ack)
        r.appendIfInfo()
        r.attribute(IFLA.ifname, string: name)
        r.withoutIPv6Addresses()
        return r
    }

    /// `ip link set dev INDEX addrgenmode none` (see ``disableIPv6AddressGeneration(name:)``).
    public static func disableIPv6AddressGeneration(index: Int32) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.newLink, flags: NLFlag.ack)
        r.appendIfInfo(index: index)
        r.withoutIPv6Addresses()
        return r
    }

    /// `ip link show NAME` (a single GET, not a dump).
    public static func getLink(name: String) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.getLink, flags: 0)
        r.appendIfInfo()
        r.attribute(IFLA.ifname, string: name)
        // Berth reads no counters: without them the reply is a third of the size.
        r.attribute(IFLA.extMask, u32: IFLA.skipStats)
        return r
    }

    /// `ip link show` (dump of all links).
    public static func dumpLinks() -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.getLink, flags: NLFlag.dump)
        r.appendIfInfo()
        return r
    }

    /// `ip link set dev INDEX up`.
    public static func setLinkUp(index: Int32) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.newLink, flags: NLFlag.ack)
        r.appendIfInfo(index: index, flags: interfaceFlagUp, change: interfaceFlagUp)
        return r
    }

    /// `ip link set dev INDEX alias ALIAS` (the kernel ignores an alias given at creation).
    public static func setAlias(index: Int32, alias: String) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.newLink, flags: NLFlag.ack)
        r.appendIfInfo(index: index)
        r.attribute(IFLA.ifalias, string: alias)
        return r
    }

    /// `ip link set dev INDEX master MASTER`.
    public static func setMaster(index: Int32, master: Int32) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.newLink, flags: NLFlag.ack)
        r.appendIfInfo(index: index)
        r.attribute(IFLA.master, u32: UInt32(bitPattern: master))
        return r
    }

    /// `ip link set dev INDEX group GROUP`. A detach marks a host veth as retired with it (and
    /// puts it back with it should the detach fail); it costs the kernel no grace period.
    public static func setGroup(index: Int32, group: UInt32) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.newLink, flags: NLFlag.ack)
        r.appendIfInfo(index: index)
        r.attribute(IFLA.group, u32: group)
        return r
    }

    /// `ip link set dev INDEX down`.
    public static func setLinkDown(index: Int32) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.newLink, flags: NLFlag.ack)
        r.appendIfInfo(index: index, flags: 0, change: interfaceFlagUp)
        return r
    }

    /// `ip link set dev INDEX name NAME`.
    public static func rename(index: Int32, to name: String) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.newLink, flags: NLFlag.ack)
        r.appendIfInfo(index: index)
        r.attribute(IFLA.ifname, string: name)
        return r
    }

    /// `ip link del dev INDEX`.
    public static func deleteLink(index: Int32) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.delLink, flags: NLFlag.ack)
        r.appendIfInfo(index: index)
        return r
    }

    /// `ip link del group GROUP`: every device of the group in one request. The kernel unregisters
    /// them together, paying its RCU grace periods once instead of once per device (~20 ms each).
    public static func deleteLinks(group: UInt32) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.delLink, flags: NLFlag.ack)
        r.appendIfInfo()
        r.attribute(IFLA.group, u32: group)
        return r
    }

    /// `ip link del NAME`.
    public static func deleteLink(name: String) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.delLink, flags: NLFlag.ack)
        r.appendIfInfo()
        r.attribute(IFLA.ifname, string: name)
        return r
    }

    /// `ip addr add ADDRESS/PREFIX broadcast + dev INDEX`.
    public static func addAddress(_ address: IPv4Interface, index: Int32) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.newAddr, flags: createFlags)
        r.appendIfAddr(family: AddressFamily.inet, prefixLength: UInt8(address.prefixLength), index: index)
        r.attribute(IFA.local, address.address.bytes)
        r.attribute(IFA.address, address.address.bytes)
        if address.prefixLength < 31 {
            r.attribute(IFA.broadcast, address.subnet.broadcast.bytes)
        }
        return r
    }

    /// `ip addr del ADDRESS/PREFIX dev INDEX`: the kernel matches the local address and the
    /// prefix length, so only that one address of the device goes.
    public static func deleteAddress(_ address: IPv4Interface, index: Int32) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.delAddr, flags: NLFlag.ack)
        r.appendIfAddr(family: AddressFamily.inet, prefixLength: UInt8(address.prefixLength), index: index)
        r.attribute(IFA.local, address.address.bytes)
        r.attribute(IFA.address, address.address.bytes)
        return r
    }

    /// `ip addr show` for one family (dump).
    public static func dumpAddresses(family: UInt8) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.getAddr, flags: NLFlag.dump)
        r.appendIfAddr(family: family, prefixLength: 0, index: 0)
        return r
    }

    /// `ip route add default via GATEWAY dev INDEX [metric METRIC]`; `metric` 0 sends no
    /// `RTA_PRIORITY` (the kernel's default, 0 for IPv4).
    public static func addDefaultRoute(via gateway: IPv4Address, index: Int32, metric: UInt32 = 0) -> NetlinkRequest {
        defaultRoute(family: AddressFamily.inet, gateway: gateway.bytes, index: index, metric: metric)
    }

    /// A default route of either family in the main table, with `metric` (`RTA_PRIORITY`), or
    /// the kernel's default metric when it is 0.
    /// `NLM_F_EXCL`: an existing default route of that metric fails it with EEXIST rather than
    /// being replaced (or, for IPv6, joined into a multipath route).
    static func defaultRoute(family: UInt8, gateway: [UInt8], index: Int32, metric: UInt32 = 0) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.newRoute, flags: createFlags)
        r.appendRtMsg(family: family, table: RouteField.tableMain,
                      protocol: RouteField.protocolBoot, scope: RouteField.scopeUniverse,
                      type: RouteField.typeUnicast)
        r.attribute(RTA.gateway, gateway)
        r.attribute(RTA.oif, u32: UInt32(bitPattern: index))
        if metric != 0 { r.attribute(RTA.priority, u32: metric) }
        return r
    }

    /// `ip route show table all` for one family (dump).
    public static func dumpRoutes(family: UInt8) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.getRoute, flags: NLFlag.dump)
        r.appendRtMsg(family: family)
        return r
    }
}

extension NetlinkRequest {
    /// `IFLA_AF_SPEC { AF_INET6 { IFLA_INET6_ADDR_GEN_MODE none } }`: the kernel generates no
    /// IPv6 address for the link when it comes up.
    mutating func withoutIPv6Addresses() {
        nested(IFLA.afSpec) { spec in
            spec.nested(UInt16(AddressFamily.inet6)) { $0.attribute(IFLA.inet6AddrGenMode, [IFLA.addrGenModeNone]) }
        }
    }

    /// `numtxqueues 1 numrxqueues 1` (see ``RouteRequests/createVeth(hostName:master:mtu:peerName:peerNamespaceFD:peerMAC:group:hostMAC:)``).
    mutating func singleQueuePair() {
        attribute(IFLA.numTxQueues, u32: 1)
        attribute(IFLA.numRxQueues, u32: 1)
    }
}
