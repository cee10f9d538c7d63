import BerthAddress

/// Picks the subnet for a new network from the address pools.
public struct SubnetChooser: Sendable {
    private init() {}

    /// The first subnet, in pool order and ascending within a pool, that overlaps none of
    /// `avoiding` and contains none of `nameservers`; nil when every pool is used up.
    ///
    /// `avoiding` is whatever the caller knows to be taken: other Berth networks, host interface
    /// subnets, on-link routes. A nameserver inside the new subnet would be shadowed by the bridge
    /// route, breaking DNS for the host, hence the second list.
    ///
    /// Cost is O(candidates tried × (avoided + nameservers)). Each rejected candidate jumps past
    /// the whole block that rejected it, so avoiding 10.0.0.0/8 with a 10.0.0.0/8:24 pool costs
    /// one check, not 65 536.
    public static func choose(pools: [AddressPool], avoiding: [IPv4Subnet],
                              nameservers: [IPv4Address]) -> IPv4Subnet? {
        for pool in pools {
            // 64-bit arithmetic: the end of a pool ending at 255.255.255.255 is 2^32.
            let step = UInt64(1) << UInt64(32 - pool.size)
            let end = UInt64(pool.base.network.value) + pool.base.size
            var candidate = UInt64(pool.base.network.value)
            while candidate < end {
                let subnet = IPv4Subnet(address: IPv4Address(UInt32(candidate)), prefixLength: pool.size)
                var next = candidate + step
                var rejected = false
                for other in avoiding where other.overlaps(subnet) {
                    rejected = true
                    // Skip to the first candidate past the avoided block. When the avoided block is
                    // the larger one this can be many candidates ahead; otherwise it is just the next.
                    let otherEnd = UInt64(other.network.value) + other.size
                    let aligned = (otherEnd + step - 1) / step * step
                    next = max(next, aligned)
                }
                if !rejected {
                    rejected = nameservers.contains(where: { subnet.contains($0) })
                }
                if !rejected { return subnet }
                candidate = next
            }
        }
        return nil
    }
}
