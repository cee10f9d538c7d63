import Glibc

/// IPv6 on the links Berth creates. Neither end of a veth needs an IPv6 link-local address (an
/// IPv6 network's addresses are added explicitly, without DAD), so both come up with
/// `addrgenmode none`: the kernel then runs no duplicate
/// address detection, multicast reports or router solicitations for them, background work that
/// competes with the next attach for the rtnl lock. Set through netlink, not the `disable_ipv6`
/// sysctl, whose path lookup under /proc/sys grows with the number of network namespaces.
enum IPv6 {
    /// Whether the kernel has IPv6 at all (not booted with `ipv6.disable=1`, not built without):
    /// whether an IPv6 socket opens. Not by looking under `/proc/sys/net/ipv6`: the kernel keeps
    /// one directory entry of that name per network namespace that has looked there, all in
    /// one hash chain, so the lookup costs time that grows with the containers on the host.
    static let available: Bool = {
        let fd = socket(AF_INET6, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }()

    /// Whether `addrgenmode none` can be set on a link of this MTU (0: the default). Not without
    /// IPv6 in the kernel, nor below IPv6's minimum MTU of 1280: the kernel keeps no IPv6 state
    /// for such a link (so it has no addresses to skip) and refuses the setting.
    static func canSkipAddresses(mtu: Int) -> Bool {
        available && (mtu == 0 || mtu >= 1280)
    }
}
