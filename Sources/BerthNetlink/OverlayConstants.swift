// Kernel uapi constants for VXLAN links, neighbour and FDB entries and on-link routes, from
// <linux/if_link.h>, <linux/neighbour.h> and <linux/rtnetlink.h> (cross-checked against the C
// headers in the unit tests).

extension RTM {
    public static let newNeigh: UInt16 = 28
    public static let delNeigh: UInt16 = 29
    public static let getNeigh: UInt16 = 30
}

/// VXLAN link attributes (`IFLA_VXLAN_*`), nested in `IFLA_INFO_DATA` of a vxlan.
public enum IFLAVXLAN {
    public static let id: UInt16 = 1
    public static let local: UInt16 = 4
    /// u8: 0 turns source-address learning off (`nolearning`).
    public static let learning: UInt16 = 7
    /// be16: the UDP destination port, in network order.
    public static let port: UInt16 = 15
}

/// Neighbour attributes (`NDA_*`) and `ndmsg` values.
public enum NDA {
    public static let dst: UInt16 = 1
    public static let lladdr: UInt16 = 2
    /// `NUD_PERMANENT`: a static entry, never aged out nor probed.
    public static let nudPermanent: UInt16 = 0x80
    /// `NTF_SELF`: the entry belongs to the device itself (the VXLAN's own FDB), not to a bridge
    /// it is a port of.
    public static let ntfSelf: UInt8 = 0x02
    /// `sizeof(struct ndmsg)`.
    public static let headerSize = 12
}

extension AddressFamily {
    /// `AF_BRIDGE`: FDB entries.
    public static let bridge: UInt8 = 7
}

extension RTA {
    /// `RTNH_F_ONLINK` in `rtm_flags`: the gateway is on the link even without a matching
    /// address there (the VXLAN device carries only a /32).
    public static let flagOnLink: UInt32 = 4
}

extension RouteField {
    /// The route protocol (`rtm_protocol`) Berth tags its overlay routes with, so a dump tells
    /// them from everyone else's. 190 is not assigned in rtnetlink.h or iproute2's rt_protos.
    public static let protocolBerth: UInt8 = 190
}
