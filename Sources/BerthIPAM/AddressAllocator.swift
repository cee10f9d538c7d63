import BerthAddress

/// Address assignment inside one network's subnet. Pure policy: it never sees the store, it asks
/// the caller whether an address is taken (so the store can answer with one indexed lookup).
public enum AddressAllocator {
    /// Checks that `ip` may be given to a container on a network with `subnet` and `gateway`.
    /// Throws ``IPAMError`` if it lies outside the subnet, is the network or broadcast address
    /// (prefixes below /31 only: /31 and /32 have neither, RFC 3021), or is the gateway.
    /// Whether another endpoint already holds it is the caller's check.
    public static func validateStatic(_ ip: IPv4Address, subnet: IPv4Subnet, gateway: IPv4Address) throws {
        guard subnet.contains(ip) else { throw IPAMError.notInSubnet(ip, subnet) }
        if subnet.prefixLength < 31 {
            if ip == subnet.network { throw IPAMError.networkAddress(ip, subnet) }
            if ip == subnet.broadcast { throw IPAMError.broadcastAddress(ip, subnet) }
        }
        if ip == gateway { throw IPAMError.gatewayAddress(ip, subnet) }
    }

    /// The next free address, round-robin like CNI host-local.
    ///
    /// The walk starts just after `cursor` (the network's last allocation) — or at the start of
    /// the range when there is no cursor or it lies outside the range — goes upward through
    /// `range ∩ subnet` (`range` defaults to the whole subnet), wraps around once and stops where
    /// it began. It skips the network and broadcast addresses (prefixes below /31), the gateway,
    /// and every address for which `isTaken` returns true. Round-robin rather than lowest-free so
    /// a just-released address is not handed straight to the next container, whose peers may
    /// still have the old one's ARP entry cached.
    ///
    /// - Returns: the address, or nil when every candidate is taken.
    /// - Throws: ``IPAMError/rangeOutsideSubnet(range:subnet:)`` if `range` and `subnet` do not
    ///   overlap; anything `isTaken` throws.
    public static func next(subnet: IPv4Subnet, range: IPv4Subnet?, gateway: IPv4Address,
                            after cursor: IPv4Address?,
                            isTaken: (IPv4Address) throws -> Bool) throws -> IPv4Address? {
        let effective: IPv4Subnet
        if let range {
            guard range.overlaps(subnet) else { throw IPAMError.rangeOutsideSubnet(range: range, subnet: subnet) }
            // Two overlapping CIDR blocks always nest, so the intersection is the longer prefix.
            effective = range.prefixLength >= subnet.prefixLength ? range : subnet
        } else {
            effective = subnet
        }
        // 64-bit so that stepping past 255.255.255.255 cannot trap.
        let low = UInt64(effective.network.value)
        let count = effective.size
        var offset: UInt64 = 0
        if let cursor, effective.contains(cursor) {
            offset = (UInt64(cursor.value) - low + 1) % count
        }
        let hasReservedEnds = subnet.prefixLength < 31
        for _ in 0..<count {
            let ip = IPv4Address(UInt32(low + offset))
            offset = offset + 1 == count ? 0 : offset + 1
            if hasReservedEnds && (ip == subnet.network || ip == subnet.broadcast) { continue }
            if ip == gateway { continue }
            if try isTaken(ip) { continue }
            return ip
        }
        return nil
    }
}
