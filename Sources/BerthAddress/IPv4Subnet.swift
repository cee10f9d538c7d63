/// An IPv4 network in CIDR notation, always normalised to its network address
/// (`10.0.0.7/24` is rejected by ``init(parsing:)`` unless `allowHostBits` is set).
public struct IPv4Subnet: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The network address (host bits zero).
    public let network: IPv4Address
    /// The prefix length, 0–32.
    public let prefixLength: Int

    /// Creates a subnet, clearing any host bits of `address`.
    public init(address: IPv4Address, prefixLength: Int) {
        precondition((0...32).contains(prefixLength))
        self.prefixLength = prefixLength
        self.network = IPv4Address(address.value & IPv4Subnet.mask(prefixLength))
    }

    /// Parses `a.b.c.d/n`. With `allowHostBits` false (the default) an address with host bits set,
    /// such as `10.0.0.7/24`, is rejected: it is almost always a typo for a gateway or a subnet.
    /// Inlinable for the same reason as ``IPv4Address/init(_:)``.
    @inlinable
    public init?(_ text: some StringProtocol, allowHostBits: Bool = false) {
        guard let (address, length) = IPv4Subnet.split(text) else { return nil }
        let masked = address.value & IPv4Subnet.mask(length)
        if !allowHostBits && masked != address.value { return nil }
        self.init(address: address, prefixLength: length)
    }

    /// `a.b.c.d/n` as its address and a prefix length of 0–32 (one or two digits).
    @inlinable
    static func split(_ text: some StringProtocol) -> (IPv4Address, Int)? {
        let utf8 = text.utf8
        guard let slash = utf8.firstIndex(of: UInt8(ascii: "/")),
              let address = IPv4Address(Substring(text[..<slash])) else { return nil }
        var length = 0
        var digits = 0
        for byte in utf8[utf8.index(after: slash)...] {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"), digits < 2 else { return nil }
            length = length * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
        }
        guard digits > 0, length <= 32 else { return nil }
        return (address, length)
    }

    /// The netmask for a prefix length as a host-order integer.
    public static func mask(_ prefixLength: Int) -> UInt32 {
        prefixLength == 0 ? 0 : UInt32.max << UInt32(32 - prefixLength)
    }

    /// The netmask of this subnet.
    public var netmask: IPv4Address { IPv4Address(IPv4Subnet.mask(prefixLength)) }
    /// The number of addresses the subnet spans (2^(32-prefix)).
    public var size: UInt64 { UInt64(1) << UInt64(32 - prefixLength) }
    /// The last address of the subnet (the broadcast address for prefixes shorter than /31).
    public var broadcast: IPv4Address { IPv4Address(network.value | ~IPv4Subnet.mask(prefixLength)) }
    /// The first address after the network address; the conventional gateway.
    public var firstHost: IPv4Address { IPv4Address(network.value &+ (prefixLength >= 31 ? 0 : 1)) }

    /// True when `address` lies inside this subnet.
    public func contains(_ address: IPv4Address) -> Bool {
        address.value & IPv4Subnet.mask(prefixLength) == network.value
    }

    /// True when `other` lies entirely inside this subnet.
    public func contains(_ other: IPv4Subnet) -> Bool {
        other.prefixLength >= prefixLength && contains(other.network)
    }

    /// True when the two subnets share at least one address.
    public func overlaps(_ other: IPv4Subnet) -> Bool {
        contains(other.network) || other.contains(network)
    }

    public var description: String { "\(network)/\(prefixLength)" }

    public static func < (lhs: IPv4Subnet, rhs: IPv4Subnet) -> Bool {
        (lhs.network, lhs.prefixLength) < (rhs.network, rhs.prefixLength)
    }
}

/// An address together with the prefix length of its subnet, as configured on an interface
/// (`10.88.0.2/24`).
public struct IPv4Interface: Hashable, Sendable, CustomStringConvertible {
    /// The interface address.
    public let address: IPv4Address
    /// The prefix length of the on-link subnet.
    public let prefixLength: Int

    public init(address: IPv4Address, prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses `a.b.c.d/n` with host bits allowed.
    @inlinable
    public init?(_ text: some StringProtocol) {
        guard let (address, length) = IPv4Subnet.split(text) else { return nil }
        self.init(address: address, prefixLength: length)
    }

    /// The subnet the address is on.
    public var subnet: IPv4Subnet { IPv4Subnet(address: address, prefixLength: prefixLength) }
    public var description: String { "\(address)/\(prefixLength)" }
}
