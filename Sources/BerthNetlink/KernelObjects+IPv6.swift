import BerthAddress

/// An IPv6 address configured on an interface.
public struct Address6Info: Sendable, Equatable {
    public let index: Int32
    public let address: IPv6Interface
    /// `IFA_F_*` (``AddressFlag``): from `IFA_FLAGS` when the kernel sends it, as it always
    /// does since 3.14; the header's `ifa_flags` holds only the lower eight bits.
    public let flags: UInt32
    /// `RT_SCOPE_*`: universe (0) for a global or unique local address, link (253) for `fe80::/10`.
    public let scope: UInt8

    /// Duplicate address detection is still running: the kernel will not use the address yet.
    public var isTentative: Bool { flags & AddressFlag.tentative != 0 }
    /// Duplicate address detection found the address in use on the link: it is never used.
    public var isDADFailed: Bool { flags & AddressFlag.dadFailed != 0 }
    /// Without a lifetime: added by hand (or by Berth), not learned from a router advertisement.
    public var isPermanent: Bool { flags & AddressFlag.permanent != 0 }
    /// Usable as a source or destination now: neither tentative nor failed.
    public var isUsable: Bool { !isTentative && !isDADFailed }

    /// Decodes an RTM_NEWADDR message; nil for other families.
    public init?(_ message: NetlinkMessage) {
        guard let m = AddressMessage(message, family: AddressFamily.inet6), m.prefixLength <= 128,
              let raw = m.local, let ip = IPv6Address(bytes: raw) else { return nil }
        index = m.index
        address = IPv6Interface(address: ip, prefixLength: m.prefixLength)
        flags = m.attributes.u32(IFA.flags) ?? UInt32(m.flags)
        scope = m.scope
    }
}

/// An IPv6 route.
public struct Route6Info: Sendable, Equatable {
    public let destination: IPv6Subnet
    /// nil for a route on a link, and for a multipath route (see ``isMultipath``).
    public let gateway: IPv6Address?
    /// nil for a multipath route.
    public let outputIndex: Int32?
    public let table: UInt32
    /// `RTPROT_*`: who added the route (``RouteField/protocolRA`` for a router advertisement,
    /// ``RouteField/protocolKernel`` for an address's prefix, ``RouteField/protocolBoot`` for Berth).
    public let `protocol`: UInt8
    public let type: UInt8
    /// The metric: routes to one destination differ by it (1024 unless the adder chose one).
    public let metric: UInt32
    /// True when the route has several next hops (`RTA_MULTIPATH`), which IPv6 builds when a
    /// route is appended to one of the same destination and metric.
    public let isMultipath: Bool

    /// True for `::/0`.
    public var isDefault: Bool { destination.prefixLength == 0 }
    /// True for a route the kernel learned from a router advertisement on the link.
    public var isFromRouterAdvertisement: Bool { `protocol` == RouteField.protocolRA }
    /// True for a route to a subnet directly on a link (no gateway), as the kernel adds for an
    /// interface address.
    public var isOnLink: Bool { gateway == nil && !isMultipath && type == RouteField.typeUnicast }

    /// Decodes an RTM_NEWROUTE message; nil for other families.
    public init?(_ message: NetlinkMessage) {
        let p = message.payload
        guard message.type == RTM.newRoute, p.count >= 12, p[p.startIndex] == AddressFamily.inet6 else { return nil }
        let dstLength = Int(p[p.startIndex + 1])
        guard dstLength <= 128 else { return nil }
        `protocol` = p[p.startIndex + 5]
        type = p[p.startIndex + 7]
        let attrs = NetlinkAttributes(p.dropFirst(12))
        table = attrs.u32(RTA.table) ?? UInt32(p[p.startIndex + 4])
        let dst = attrs[RTA.dst].flatMap { IPv6Address(bytes: $0) } ?? .unspecified
        destination = IPv6Subnet(address: dst, prefixLength: dstLength)
        gateway = attrs[RTA.gateway].flatMap { IPv6Address(bytes: $0) }
        outputIndex = attrs.u32(RTA.oif).map { Int32(bitPattern: $0) }
        metric = attrs.u32(RTA.priority) ?? 0
        isMultipath = attrs[RTA.multipath] != nil
    }
}
