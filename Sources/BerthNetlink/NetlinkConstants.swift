// Kernel uapi constants used by Berth's rtnetlink client, copied from <linux/netlink.h>,
// <linux/rtnetlink.h>, <linux/if_link.h>, <linux/if_addr.h> and <linux/veth.h>.
// They are plain Swift values (not imported macros) so the encoder reads like the uapi it speaks
// and needs no C module; a unit test cross-checks each one against the C headers.

/// Netlink message types and flags (`<linux/netlink.h>`).
public enum NLMsg {
    public static let noop: UInt16 = 1
    public static let error: UInt16 = 2
    public static let done: UInt16 = 3
    public static let headerSize = 16
}

/// Netlink header flags (`NLM_F_*`).
public enum NLFlag {
    public static let request: UInt16 = 0x1
    public static let multi: UInt16 = 0x2
    public static let ack: UInt16 = 0x4
    public static let echo: UInt16 = 0x8
    public static let dumpInterrupted: UInt16 = 0x10
    public static let dump: UInt16 = 0x300
    public static let replace: UInt16 = 0x100
    public static let exclusive: UInt16 = 0x200
    public static let create: UInt16 = 0x400
    public static let append: UInt16 = 0x800
    /// Set on an error message when the kernel appended extended-ack attributes.
    public static let ackTLVs: UInt16 = 0x200
}

/// rtnetlink message types (`RTM_*`).
public enum RTM {
    public static let newLink: UInt16 = 16
    public static let delLink: UInt16 = 17
    public static let getLink: UInt16 = 18
    public static let setLink: UInt16 = 19
    public static let newAddr: UInt16 = 20
    public static let delAddr: UInt16 = 21
    public static let getAddr: UInt16 = 22
    public static let newRoute: UInt16 = 24
    public static let delRoute: UInt16 = 25
    public static let getRoute: UInt16 = 26
}

/// Link attributes (`IFLA_*`).
public enum IFLA {
    public static let address: UInt16 = 1
    public static let broadcast: UInt16 = 2
    public static let ifname: UInt16 = 3
    public static let mtu: UInt16 = 4
    public static let link: UInt16 = 5
    public static let master: UInt16 = 10
    public static let operstate: UInt16 = 16
    public static let linkinfo: UInt16 = 18
    public static let netNsPid: UInt16 = 19
    public static let group: UInt16 = 27
    public static let netNsFd: UInt16 = 28
    public static let ifalias: UInt16 = 20
    public static let linkNetnsid: UInt16 = 37
    /// `IFLA_EXT_MASK`: what a GETLINK reply leaves out (`RTEXT_FILTER_*`).
    public static let extMask: UInt16 = 29
    /// `RTEXT_FILTER_SKIP_STATS`: no counters in the reply (most of its bytes).
    public static let skipStats: UInt32 = 1 << 3
    /// `IFLA_NUM_TX_QUEUES` / `IFLA_NUM_RX_QUEUES`: queue counts, fixed at creation.
    public static let numTxQueues: UInt16 = 31
    public static let numRxQueues: UInt16 = 32
    /// `IFLA_AF_SPEC`: per address family settings, nested by family.
    public static let afSpec: UInt16 = 26
    /// `IFLA_INET6_ADDR_GEN_MODE`, nested in `afSpec` → `AF_INET6`.
    public static let inet6AddrGenMode: UInt16 = 8
    /// `IN6_ADDR_GEN_MODE_NONE`: the kernel makes no IPv6 link-local address for the link.
    public static let addrGenModeNone: UInt8 = 1
    /// Nested inside `linkinfo`.
    public static let infoKind: UInt16 = 1
    public static let infoData: UInt16 = 2
    public static let infoSlaveKind: UInt16 = 4
    /// `IFLA_BR_MCAST_SNOOPING` (u8), in a bridge's `infoData`.
    public static let bridgeMulticastSnooping: UInt16 = 23
}

/// `VETH_INFO_PEER`, nested in `IFLA_INFO_DATA` of a veth.
public let vethInfoPeer: UInt16 = 1

/// Address attributes (`IFA_*`).
public enum IFA {
    public static let address: UInt16 = 1
    public static let local: UInt16 = 2
    public static let label: UInt16 = 3
    public static let broadcast: UInt16 = 4
    /// `IFA_FLAGS` (u32): all the address flags; `ifa_flags` in the header has room for eight.
    public static let flags: UInt16 = 8
}

/// Address flags (`IFA_F_*`), in `ifa_flags` and the `IFA_FLAGS` attribute.
public enum AddressFlag {
    /// `IFA_F_NODAD`: no duplicate address detection, so an IPv6 address is usable at once.
    public static let noDAD: UInt32 = 0x02
    /// `IFA_F_DADFAILED`: another node on the link answered for the address; it is never used.
    public static let dadFailed: UInt32 = 0x08
    /// `IFA_F_TENTATIVE`: duplicate address detection is still running; not yet usable.
    public static let tentative: UInt32 = 0x40
    /// `IFA_F_PERMANENT`: without a lifetime (added by hand), not learned from the network.
    public static let permanent: UInt32 = 0x80
}

/// Route attributes (`RTA_*`) and rtmsg field values.
public enum RTA {
    public static let dst: UInt16 = 1
    public static let oif: UInt16 = 4
    public static let gateway: UInt16 = 5
    public static let priority: UInt16 = 6
    public static let prefsrc: UInt16 = 7
    /// `RTA_MULTIPATH`: the next hops of a route with several (no `gateway` or `oif` then).
    public static let multipath: UInt16 = 9
    public static let table: UInt16 = 15
}

/// Values of rtmsg fields.
public enum RouteField {
    public static let tableMain: UInt8 = 254
    public static let protocolBoot: UInt8 = 3
    public static let protocolKernel: UInt8 = 2
    public static let protocolStatic: UInt8 = 4
    /// `RTPROT_RA`: learned from an IPv6 router advertisement.
    public static let protocolRA: UInt8 = 9
    public static let scopeUniverse: UInt8 = 0
    public static let scopeLink: UInt8 = 253
    public static let scopeHost: UInt8 = 254
    public static let typeUnicast: UInt8 = 1
    public static let typeLocal: UInt8 = 2
}

/// Socket-level constants.
public enum NetlinkSocketOption {
    public static let solNetlink: Int32 = 270
    public static let capAck: Int32 = 10
    public static let extAck: Int32 = 11
    public static let getStrictChk: Int32 = 12
    /// `NLMSGERR_ATTR_MSG`: the human-readable extended-ack message.
    public static let errAttrMessage: UInt16 = 1
}

/// Address families and interface flags.
public enum AddressFamily {
    public static let unspec: UInt8 = 0
    public static let inet: UInt8 = 2
    public static let inet6: UInt8 = 10
}

/// `IFF_UP`.
public let interfaceFlagUp: UInt32 = 0x1
