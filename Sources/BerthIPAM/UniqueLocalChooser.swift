import BerthAddress

/// Picks the IPv6 subnet of a new network that asks for IPv6 without naming one: a unique local
/// /64 (RFC 4193) `fdGG:GGGG:GGGG:SSSS::/64`, where G is the host's 40-bit global ID (random,
/// chosen once and kept) and S the first 16-bit subnet ID whose /64 overlaps nothing in use.
public enum UniqueLocalChooser {
    /// The /48 of `globalID` (its low 40 bits): `fd` followed by the ID.
    public static func prefix(globalID: UInt64) -> IPv6Subnet {
        let high = (UInt64(0xFD) << 56) | ((globalID & 0xFF_FFFF_FFFF) << 16)
        return IPv6Subnet(address: IPv6Address(high: high, low: 0), prefixLength: 48)
    }

    /// The first /64 of the global ID's /48, by subnet ID from 1 up (0 is left out, as the
    /// prefix's own first subnet is where people put their infrastructure), that overlaps none
    /// of `avoiding` (other networks, host interface subnets, routes); nil when all 65 535 are
    /// taken. Cost is O(candidates × avoided).
    public static func choose(globalID: UInt64, avoiding: [IPv6Subnet]) -> IPv6Subnet? {
        let base = prefix(globalID: globalID).network.high
        for subnetID in UInt64(1)...0xFFFF {
            let candidate = IPv6Subnet(address: IPv6Address(high: base | subnetID, low: 0), prefixLength: 64)
            if !avoiding.contains(where: { $0.overlaps(candidate) }) { return candidate }
        }
        return nil
    }
}
