import BerthAddress

/// IPv6 counterparts of the address and route requests (dual-stack networks).
extension RouteRequests {
    /// `ip -6 addr add ADDRESS/PREFIX dev INDEX [nodad]`.
    ///
    /// The address goes in `IFA_ADDRESS` alone, where the kernel looks for an IPv6 address;
    /// `IFA_LOCAL` is for a point-to-point pair (`IFA_ADDRESS` is then the peer). With `noDAD` the address skips duplicate address
    /// detection and is usable as soon as the request is acknowledged; otherwise it stays
    /// tentative for a second or more, and a container started meanwhile could not use it.
    /// The flag goes both in the header's 8-bit `ifa_flags` (all a kernel before 3.14 reads)
    /// and in `IFA_FLAGS`, which a newer kernel reads instead of the header when present.
    public static func addAddress(_ address: IPv6Interface, index: Int32, noDAD: Bool) -> NetlinkRequest {
        let flags = noDAD ? AddressFlag.noDAD : 0
        var r = NetlinkRequest(type: RTM.newAddr, flags: createFlags)
        r.appendIfAddr(family: AddressFamily.inet6, prefixLength: UInt8(address.prefixLength),
                       flags: UInt8(truncatingIfNeeded: flags), index: index)
        r.attribute(IFA.address, address.address.bytes)
        if flags != 0 { r.attribute(IFA.flags, u32: flags) }
        return r
    }

    /// `ip -6 addr del ADDRESS/PREFIX dev INDEX` (the address in `IFA_ADDRESS`, as it was added).
    public static func deleteAddress(_ address: IPv6Interface, index: Int32) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.delAddr, flags: NLFlag.ack)
        r.appendIfAddr(family: AddressFamily.inet6, prefixLength: UInt8(address.prefixLength), index: index)
        r.attribute(IFA.address, address.address.bytes)
        return r
    }

    /// `ip -6 route add default via GATEWAY dev INDEX`: `::/0` in the main table, metric 1024
    /// (the kernel's default for IPv6) unless `metric` is non-zero. Like the IPv4 request it fails with EEXIST when a
    /// default route of that metric exists, whoever added it: a second network's gateway, or a
    /// router advertisement (``Route6Info/isFromRouterAdvertisement``).
    public static func addDefaultRoute(via gateway: IPv6Address, index: Int32, metric: UInt32 = 0) -> NetlinkRequest {
        defaultRoute(family: AddressFamily.inet6, gateway: gateway.bytes, index: index, metric: metric)
    }
}
