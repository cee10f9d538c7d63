import BerthAddress

/// A network interface as the kernel reports it.
public struct LinkInfo: Sendable, Equatable {
    public let index: Int32
    public let name: String
    public let flags: UInt32
    public let mtu: Int
    public let mac: MACAddress?
    /// The bridge (or other master) the link is enslaved to.
    public let master: Int32?
    /// `IFLA_INFO_KIND`: "bridge", "veth", …; nil for physical devices and loopback.
    public let kind: String?
    /// `IFLA_LINK`: for a veth, the peer's index (in the peer's namespace).
    public let peerIndex: Int32?
    /// `IFLA_IFALIAS`: Berth tags the bridges it creates with `berth:<network id>`.
    public let alias: String?
    /// `IFLA_GROUP`: the device group (Berth puts a network's host veths in one).
    public let group: UInt32
    /// `IFLA_MACVLAN_MODE` of a macvlan; nil for any other kind.
    public let macvlanMode: MacvlanMode?

    /// True when administratively up.
    public var isUp: Bool { flags & interfaceFlagUp != 0 }

    /// Decodes an RTM_NEWLINK message.
    public init?(_ message: NetlinkMessage) {
        let p = message.payload
        guard message.type == RTM.newLink, p.count >= 16 else { return nil }
        index = Int32(bitPattern: p.loadLE(UInt32.self, at: p.startIndex + 4))
        flags = p.loadLE(UInt32.self, at: p.startIndex + 8)
        let attrs = NetlinkAttributes(p.dropFirst(16))
        name = attrs.string(IFLA.ifname) ?? ""
        mtu = Int(attrs.u32(IFLA.mtu) ?? 0)
        mac = attrs[IFLA.address].flatMap { MACAddress(bytes: $0) }
        master = attrs.u32(IFLA.master).map { Int32(bitPattern: $0) }
        let info = attrs.nested(IFLA.linkinfo)
        kind = info?.string(IFLA.infoKind)
        macvlanMode = kind == "macvlan" ? info?.nested(IFLA.infoData)?.u32(IFLA.macvlanMode).flatMap(MacvlanMode.init(kernelValue:)) : nil
        peerIndex = attrs.u32(IFLA.link).map { Int32(bitPattern: $0) }
        alias = attrs.string(IFLA.ifalias)
        group = attrs.u32(IFLA.group) ?? 0
    }
}

/// An IPv4 address configured on an interface.
public struct AddressInfo: Sendable, Equatable {
    public let index: Int32
    public let address: IPv4Interface

    /// Decodes an RTM_NEWADDR message; nil for other families.
    public init?(_ message: NetlinkMessage) {
        guard let m = AddressMessage(message, family: AddressFamily.inet),
              let raw = m.local, let ip = IPv4Address(bytes: raw) else { return nil }
        index = m.index
        address = IPv4Interface(address: ip, prefixLength: m.prefixLength)
    }
}

/// What an RTM_NEWADDR message of either family holds: its `ifaddrmsg` and attributes.
struct AddressMessage {
    let prefixLength: Int
    let flags: UInt8
    let scope: UInt8
    let index: Int32
    let attributes: NetlinkAttributes

    /// nil for another message type or family.
    init?(_ message: NetlinkMessage, family: UInt8) {
        let p = message.payload
        guard message.type == RTM.newAddr, p.count >= 8, p[p.startIndex] == family else { return nil }
        prefixLength = Int(p[p.startIndex + 1])
        flags = p[p.startIndex + 2]
        scope = p[p.startIndex + 3]
        index = Int32(bitPattern: p.loadLE(UInt32.self, at: p.startIndex + 4))
        attributes = NetlinkAttributes(p.dropFirst(8))
    }

    /// The interface's own address: a point-to-point address carries it in `IFA_LOCAL` (and
    /// the peer in `IFA_ADDRESS`); any other in `IFA_ADDRESS` (IPv4 repeats it in `IFA_LOCAL`).
    var local: ArraySlice<UInt8>? { attributes[IFA.local] ?? attributes[IFA.address] }
}

/// An IPv4 route.
public struct RouteInfo: Sendable, Equatable {
    public let destination: IPv4Subnet
    public let gateway: IPv4Address?
    public let outputIndex: Int32?
    public let table: UInt32
    public let scope: UInt8
    public let type: UInt8
    /// The metric (`RTA_PRIORITY`; 0 when the adder chose none).
    public let metric: UInt32

    /// True for a route to a subnet directly on a link (no gateway), as the kernel adds for an
    /// interface address or a user adds with `ip route add X dev Y`.
    public var isOnLink: Bool { gateway == nil && type == RouteField.typeUnicast }

    /// Decodes an RTM_NEWROUTE message; nil for other families.
    public init?(_ message: NetlinkMessage) {
        let p = message.payload
        guard message.type == RTM.newRoute, p.count >= 12, p[p.startIndex] == AddressFamily.inet else { return nil }
        let dstLength = Int(p[p.startIndex + 1])
        scope = p[p.startIndex + 6]
        type = p[p.startIndex + 7]
        let attrs = NetlinkAttributes(p.dropFirst(12))
        table = attrs.u32(RTA.table) ?? UInt32(p[p.startIndex + 4])
        let dst = attrs[RTA.dst].flatMap { IPv4Address(bytes: $0) } ?? IPv4Address(0)
        guard dstLength <= 32 else { return nil }
        destination = IPv4Subnet(address: dst, prefixLength: dstLength)
        gateway = attrs[RTA.gateway].flatMap { IPv4Address(bytes: $0) }
        outputIndex = attrs.u32(RTA.oif).map { Int32(bitPattern: $0) }
        metric = attrs.u32(RTA.priority) ?? 0
    }
}
