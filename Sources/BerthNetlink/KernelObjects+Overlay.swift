import BerthAddress

/// A neighbour (ARP) entry or an FDB entry, as the kernel reports it (`RTM_NEWNEIGH`).
public struct NeighbourEntry: Sendable, Equatable {
    /// `AF_INET` for a neighbour, `AF_BRIDGE` for an FDB entry.
    public let family: UInt8
    public let index: Int32
    /// `NUD_*` state.
    public let state: UInt16
    /// `NTF_*` flags.
    public let flags: UInt8
    /// `NDA_DST`: the neighbour's IPv4 address, or an FDB entry's remote VTEP.
    public let destination: IPv4Address?
    /// `NDA_LLADDR`.
    public let mac: MACAddress?

    public var isPermanent: Bool { state & NDA.nudPermanent != 0 }

    /// Decodes an RTM_NEWNEIGH message.
    public init?(_ message: NetlinkMessage) {
        let p = message.payload
        guard message.type == RTM.newNeigh, p.count >= NDA.headerSize else { return nil }
        family = p[p.startIndex]
        index = Int32(bitPattern: p.loadLE(UInt32.self, at: p.startIndex + 4))
        state = p.loadLE(UInt16.self, at: p.startIndex + 8)
        flags = p[p.startIndex + 10]
        let attrs = NetlinkAttributes(p.dropFirst(NDA.headerSize))
        destination = attrs[NDA.dst].flatMap { IPv4Address(bytes: $0) }
        mac = attrs[NDA.lladdr].flatMap { MACAddress(bytes: $0) }
    }
}

/// An IPv4 route with the fields the overlay reads: protocol and flags besides RouteInfo's.
public struct TaggedRoute: Sendable, Equatable {
    public let destination: IPv4Subnet
    public let gateway: IPv4Address?
    public let outputIndex: Int32?
    public let table: UInt32
    /// `rtm_protocol`.
    public let proto: UInt8
    /// `rtm_flags`.
    public let flags: UInt32
    /// `RTA_PREFSRC`: the source address the kernel picks (set in a route lookup's answer).
    public let preferredSource: IPv4Address?

    public var isOnLink: Bool { flags & RTA.flagOnLink != 0 }

    /// Decodes an RTM_NEWROUTE message; nil for other families.
    public init?(_ message: NetlinkMessage) {
        let p = message.payload
        guard message.type == RTM.newRoute, p.count >= 12, p[p.startIndex] == AddressFamily.inet else { return nil }
        let dstLength = Int(p[p.startIndex + 1])
        guard dstLength <= 32 else { return nil }
        proto = p[p.startIndex + 5]
        flags = p.loadLE(UInt32.self, at: p.startIndex + 8)
        let attrs = NetlinkAttributes(p.dropFirst(12))
        table = attrs.u32(RTA.table) ?? UInt32(p[p.startIndex + 4])
        let dst = attrs[RTA.dst].flatMap { IPv4Address(bytes: $0) } ?? IPv4Address(0)
        destination = IPv4Subnet(address: dst, prefixLength: dstLength)
        gateway = attrs[RTA.gateway].flatMap { IPv4Address(bytes: $0) }
        outputIndex = attrs.u32(RTA.oif).map { Int32(bitPattern: $0) }
        preferredSource = attrs[RTA.prefsrc].flatMap { IPv4Address(bytes: $0) }
    }
}

/// A VXLAN link's settings, decoded from its `IFLA_INFO_DATA`.
public struct VXLANInfo: Sendable, Equatable {
    public let vni: UInt32
    public let local: IPv4Address?
    public let port: UInt16
    public let learning: Bool

    /// Decodes an RTM_NEWLINK message of a vxlan; nil for any other kind.
    public init?(_ message: NetlinkMessage) {
        let p = message.payload
        guard message.type == RTM.newLink, p.count >= 16 else { return nil }
        let info = NetlinkAttributes(p.dropFirst(16)).nested(IFLA.linkinfo)
        guard info?.string(IFLA.infoKind) == "vxlan", let data = info?.nested(IFLA.infoData) else { return nil }
        vni = data.u32(IFLAVXLAN.id) ?? 0
        local = data[IFLAVXLAN.local].flatMap { IPv4Address(bytes: $0) }
        if let raw = data[IFLAVXLAN.port], raw.count >= 2 {
            port = UInt16(raw[raw.startIndex]) << 8 | UInt16(raw[raw.startIndex + 1])
        } else {
            port = 0
        }
        learning = data[IFLAVXLAN.learning].map { $0.first != 0 } ?? true
    }
}
