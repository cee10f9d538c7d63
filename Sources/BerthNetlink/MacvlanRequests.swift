import BerthAddress

/// A macvlan's mode (`MACVLAN_MODE_*`, linux/if_link.h): how it forwards between itself and its
/// siblings on the same parent. Its raw value is the name `ip link` and Podman use.
public enum MacvlanMode: String, CaseIterable, Sendable {
    /// No traffic between siblings at all.
    case `private`
    /// Everything goes out of the parent; siblings reach each other only through an external
    /// switch that reflects frames (802.1Qbg).
    case vepa
    /// Siblings reach each other directly, inside the kernel (the default).
    case bridge
    /// The one macvlan takes the parent whole (and its MAC): one endpoint per parent.
    case passthru
    /// Receives only frames from a list of source MACs (empty at creation).
    case source

    /// The kernel's value (`IFLA_MACVLAN_MODE`).
    public var kernelValue: UInt32 {
        switch self {
        case .private: return 1
        case .vepa: return 2
        case .bridge: return 4
        case .passthru: return 8
        case .source: return 16
        }
    }

    /// The mode the kernel reports as `value`; nil for an unknown one.
    public init?(kernelValue value: UInt32) {
        guard let mode = MacvlanMode.allCases.first(where: { $0.kernelValue == value }) else { return nil }
        self = mode
    }
}

extension IFLA {
    /// `IFLA_MACVLAN_MODE`, inside `IFLA_INFO_DATA` of a macvlan.
    public static let macvlanMode: UInt16 = 1
}

extension RouteRequests {
    /// `ip link add NAME link PARENT address MAC mtu MTU netns FD type macvlan mode MODE`, in one
    /// request: the macvlan is born inside the namespace `namespaceFD` under its final name, hung
    /// off `parent` (an index in the namespace of the socket that sends this), and left down so
    /// its IPv6 settings can be made before it comes up. `mtu` 0 sends none (the parent's);
    /// `mac` nil lets the kernel choose (passthru inherits the parent's whatever is asked).
    public static func createMacvlan(name: String, parent: Int32, mode: MacvlanMode, mtu: Int,
                                     mac: MACAddress?, namespaceFD: Int32) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.newLink, flags: createFlags)
        r.appendIfInfo()
        r.attribute(IFLA.ifname, string: name)
        if let mac { r.attribute(IFLA.address, mac.bytes) }
        if mtu > 0 { r.attribute(IFLA.mtu, u32: UInt32(mtu)) }
        r.attribute(IFLA.link, u32: UInt32(bitPattern: parent))
        r.attribute(IFLA.netNsFd, u32: UInt32(bitPattern: namespaceFD))
        r.nested(IFLA.linkinfo) { info in
            info.attribute(IFLA.infoKind, string: "macvlan")
            info.nested(IFLA.infoData) { $0.attribute(IFLA.macvlanMode, u32: mode.kernelValue) }
        }
        return r
    }
}
