extension IPv4Subnet {
    /// The blocks no container network can live in: a bridge address there would clash with
    /// the host's own loopback, or with addresses that are not unicast at all (RFC 6890).
    static let specialPurpose: [(block: IPv4Subnet, name: String)] = [
        (IPv4Subnet(address: IPv4Address(0x0000_0000), prefixLength: 8), "'this network' (0.0.0.0/8)"),
        (IPv4Subnet(address: IPv4Address(0x7F00_0000), prefixLength: 8), "loopback (127.0.0.0/8)"),
        (IPv4Subnet(address: IPv4Address(0xE000_0000), prefixLength: 4), "multicast (224.0.0.0/4)"),
        (IPv4Subnet(address: IPv4Address(0xF000_0000), prefixLength: 4), "reserved (240.0.0.0/4)"),
    ]

    /// The special-purpose block this subnet overlaps, described for an error message, or nil
    /// when it is an ordinary unicast subnet.
    public var specialPurposeBlock: String? {
        IPv4Subnet.specialPurpose.first { $0.block.overlaps(self) }?.name
    }
}
