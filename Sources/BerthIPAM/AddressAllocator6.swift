import BerthAddress

/// IPv6 address assignment inside one network's subnet (the IPv6 twin of ``AddressAllocator``).
/// Pure policy: it asks the caller whether an address is taken.
public enum AddressAllocator6 {
    /// Checks that `ip` may be given to a container on a network with `subnet` and `gateway`:
    /// inside the subnet, not the subnet-router anycast address (the subnet's first address,
    /// RFC 4291 §2.6.1), not the gateway. Whether another endpoint holds it is the caller's check.
    public static func validateStatic(_ ip: IPv6Address, subnet: IPv6Subnet, gateway: IPv6Address) throws {
        guard subnet.contains(ip) else { throw IPAMError.notInSubnet6(ip, subnet) }
        if ip == subnet.network && subnet.prefixLength < 127 { throw IPAMError.anycastAddress6(ip, subnet) }
        if ip == gateway { throw IPAMError.gatewayAddress6(ip, subnet) }
    }

    /// The next free address, round-robin like ``AddressAllocator/next(subnet:range:gateway:after:isTaken:)``:
    /// upward from just after `cursor` through `range ∩ subnet`, skipping the subnet-router
    /// anycast address, the gateway and taken addresses; nil when `limit` candidates were all
    /// taken (a /64 holds 2^64 addresses, so the walk is bounded by what can actually be taken:
    /// the caller passes the number of endpoints plus a margin).
    public static func next(subnet: IPv6Subnet, range: IPv6Subnet?, gateway: IPv6Address,
                            after cursor: IPv6Address?, limit: UInt64,
                            isTaken: (IPv6Address) throws -> Bool) throws -> IPv6Address? {
        let effective: IPv6Subnet
        if let range {
            guard range.overlaps(subnet) else { throw IPAMError.rangeOutsideSubnet6(range: range, subnet: subnet) }
            effective = range.prefixLength >= subnet.prefixLength ? range : subnet
        } else {
            effective = subnet
        }
        let count = effective.cappedSize
        var offset: UInt64 = 0
        if let cursor, effective.contains(cursor) {
            let next = effective.offset(of: cursor) &+ 1
            offset = count == UInt64.max ? next : next % count
        }
        for _ in 0..<min(count, limit) {
            let ip = effective.address(at: offset)
            offset = count != UInt64.max && offset + 1 == count ? 0 : offset &+ 1
            if ip == subnet.network && subnet.prefixLength < 127 { continue }
            if ip == gateway { continue }
            if try isTaken(ip) { continue }
            return ip
        }
        return nil
    }
}
