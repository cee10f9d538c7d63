/// An IPv6 prefix in CIDR notation, always normalised to its network address
/// (`2001:db8::5/64` is rejected by ``init(_:allowHostBits:)`` unless `allowHostBits` is set).
public struct IPv6Subnet: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The network address (host bits zero).
    public let network: IPv6Address
    /// The prefix length, 0–128.
    public let prefixLength: Int

    /// Creates a subnet, clearing any host bits of `address`.
    public init(address: IPv6Address, prefixLength: Int) {
        precondition((0...128).contains(prefixLength))
        self.prefixLength = prefixLength
        network = IPv6Subnet.masked(address, prefixLength)
    }

    /// Parses `ADDRESS/n` with n of 0–128. With `allowHostBits` false (the default) an address
    /// with host bits set is rejected: it is almost always a typo for a gateway or a subnet.
    public init?(_ text: some StringProtocol, allowHostBits: Bool = false) {
        guard let (address, length) = IPv6Subnet.split(text) else { return nil }
        if !allowHostBits && IPv6Subnet.masked(address, length) != address { return nil }
        self.init(address: address, prefixLength: length)
    }

    /// `ADDRESS/n` as its address and a prefix length of 0–128 (one to three digits).
    static func split(_ text: some StringProtocol) -> (IPv6Address, Int)? {
        let utf8 = text.utf8
        guard let slash = utf8.firstIndex(of: UInt8(ascii: "/")),
              let address = IPv6Address(Substring(text[..<slash])) else { return nil }
        var length = 0
        var digits = 0
        for byte in utf8[utf8.index(after: slash)...] {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"), digits < 3 else { return nil }
            length = length * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
        }
        guard digits > 0, length <= 128 else { return nil }
        return (address, length)
    }

    /// `address` with every bit past `prefixLength` cleared.
    static func masked(_ address: IPv6Address, _ prefixLength: Int) -> IPv6Address {
        func mask(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : bits >= 64 ? .max : UInt64.max << UInt64(64 - bits) }
        return IPv6Address(high: address.high & mask(prefixLength), low: address.low & mask(prefixLength - 64))
    }

    /// The first address after the network address; the conventional gateway (the network
    /// address itself for /127 and /128, which have no subnet-router anycast to spare).
    public var firstHost: IPv6Address { prefixLength >= 127 ? network : network.advanced(by: 1) }

    /// True when `address` lies inside this subnet.
    public func contains(_ address: IPv6Address) -> Bool {
        IPv6Subnet.masked(address, prefixLength) == network
    }

    /// True when `other` lies wholly inside this subnet.
    public func contains(_ other: IPv6Subnet) -> Bool {
        other.prefixLength >= prefixLength && contains(other.network)
    }

    /// True when the two subnets share any address.
    public func overlaps(_ other: IPv6Subnet) -> Bool {
        contains(other.network) || other.contains(network)
    }

    public var description: String { "\(network)/\(prefixLength)" }

    public static func < (lhs: IPv6Subnet, rhs: IPv6Subnet) -> Bool {
        (lhs.network, lhs.prefixLength) < (rhs.network, rhs.prefixLength)
    }
}

/// An IPv6 address with the prefix length of its on-link subnet, as an interface carries it
/// (`2001:db8::5/64`).
public struct IPv6Interface: Hashable, Sendable, CustomStringConvertible {
    /// The interface address.
    public let address: IPv6Address
    /// The prefix length of the on-link subnet.
    public let prefixLength: Int

    public init(address: IPv6Address, prefixLength: Int) {
        precondition((0...128).contains(prefixLength))
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses `ADDRESS/n` with host bits allowed.
    public init?(_ text: some StringProtocol) {
        guard let (address, length) = IPv6Subnet.split(text) else { return nil }
        self.init(address: address, prefixLength: length)
    }

    /// The on-link subnet.
    public var subnet: IPv6Subnet { IPv6Subnet(address: address, prefixLength: prefixLength) }
    public var description: String { "\(address)/\(prefixLength)" }
}

extension IPv6Subnet {
    /// The number of addresses below the prefix, capped at `UInt64.max` for prefixes shorter
    /// than /65 (no network holds more containers than that).
    public var cappedSize: UInt64 { prefixLength <= 64 ? UInt64.max : UInt64(1) << UInt64(128 - prefixLength) }

    /// The address `offset` places into the subnet (wrapping within its low 64 bits).
    public func address(at offset: UInt64) -> IPv6Address { network.advanced(by: offset) }

    /// The offset of `address` from the start of the subnet, for addresses within its low 64
    /// bits (every address of a /64 or longer prefix).
    public func offset(of address: IPv6Address) -> UInt64 { address.low &- network.low }
}
