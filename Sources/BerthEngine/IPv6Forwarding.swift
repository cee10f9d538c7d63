import BerthNetlink
import Glibc

/// IPv6 forwarding in the namespace Berth runs in, without breaking a host that configures its
/// own uplink from router advertisements.
///
/// Turning `net.ipv6.conf.all.forwarding` on makes the kernel a router, and a router ignores
/// router advertisements on every interface whose `accept_ra` is 1 (the default): a host whose
/// uplink gets its address and default route by SLAAC would silently lose them when they
/// expire. So before turning forwarding on, Berth raises `accept_ra` from 1 to 2 ("accept even
/// when forwarding") on each interface configured from router advertisements — one with a route
/// the kernel learned from them or an address SLAAC gave it (not permanent) — and says so.
/// Interfaces without such state are left alone: raising it on, say, a container runtime's
/// bridge would let that runtime's containers advertise routes to the host. `berth doctor`
/// reports an interface with such state at 1 while forwarding is on (one configured later, or
/// a change made by someone else).
enum IPv6Forwarding {
    static let forwardingPath = "/proc/sys/net/ipv6/conf/all/forwarding"

    /// Whether IPv6 forwarding is on in this namespace (false without IPv6).
    static var isOn: Bool { (try? SystemFile.read(forwardingPath))?.hasPrefix("1") == true }

    /// Turns forwarding on unless it is on already; returns the interfaces whose `accept_ra`
    /// it raised to 2 first (empty when nothing changed).
    @discardableResult
    static func enable(session: RouteSession) throws -> [String] {
        guard IPv6.available, !isOn else { return [] }
        let raised = try interfacesAcceptingRAOnlyWithoutForwarding(session: session)
        for name in raised { try SystemFile.write(acceptRAPath(name), "2") }
        try SystemFile.write(forwardingPath, "1")
        if !raised.isEmpty {
            Notice.emit("enabled IPv6 forwarding; set accept_ra=2 on \(raised.joined(separator: ", ")) so router advertisements (SLAAC) still configure \(raised.count == 1 ? "it" : "them")")
        }
        return raised
    }

    /// Interfaces configured from router advertisements that would stop accepting them once
    /// forwarding is on: a route learned from one, or an address SLAAC made, and `accept_ra` 1.
    /// Only those interfaces' sysctls are read (each read of a path under /proc/sys/net/ipv6
    /// costs time that grows with the namespaces on the host).
    static func interfacesAcceptingRAOnlyWithoutForwarding(session: RouteSession) throws -> [String] {
        var configured = Set(try session.routes6().filter(\.isFromRouterAdvertisement).compactMap(\.outputIndex))
        for a in try session.addresses6() where !a.isPermanent && !a.address.address.isLinkLocal {
            configured.insert(a.index)
        }
        guard !configured.isEmpty else { return [] }
        return try session.links().filter { link in
            configured.contains(link.index) && link.flags & 0x8 == 0   // IFF_LOOPBACK
                && (try? SystemFile.read(acceptRAPath(link.name)))?.hasPrefix("1") == true
        }.map(\.name)
    }

    static func acceptRAPath(_ name: String) -> String { "/proc/sys/net/ipv6/conf/\(name)/accept_ra" }
}
