import BerthAddress

/// Reverse-lookup names (PTR owners): `4.3.2.10.in-addr.arpa.` (RFC 1035 §3.5) and the
/// 32-nibble `…ip6.arpa.` (RFC 3596 §2.5), built from addresses and parsed back.
extension DNSName {
    private static let inAddrArpa: [UInt8] = Array("\u{7}in-addr\u{4}arpa".utf8)
    private static let ip6Arpa: [UInt8] = Array("\u{3}ip6\u{4}arpa".utf8)
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// The PTR owner of an IPv4 address: its octets in reverse under `in-addr.arpa.`.
    public init(reverseOf address: IPv4Address) {
        var wire: [UInt8] = []
        for byte in address.bytes.reversed() {
            let digits = Array(String(byte).utf8)
            wire.append(UInt8(digits.count))
            wire.append(contentsOf: digits)
        }
        self.init(unchecked: wire + Self.inAddrArpa)
    }

    /// The PTR owner of an IPv6 address: its 32 nibbles in reverse under `ip6.arpa.`.
    public init(reverseOf address: IPv6Address) {
        var wire: [UInt8] = []
        wire.reserveCapacity(64 + Self.ip6Arpa.count)
        for byte in address.bytes.reversed() {
            wire.append(1); wire.append(Self.hexDigits[Int(byte & 0xF)])
            wire.append(1); wire.append(Self.hexDigits[Int(byte >> 4)])
        }
        self.init(unchecked: wire + Self.ip6Arpa)
    }

    /// The PTR owner of an address of either family.
    public init(reverseOf address: IPAddress) {
        switch address {
        case .v4(let a): self.init(reverseOf: a)
        case .v6(let a): self.init(reverseOf: a)
        }
    }

    /// The address a complete reverse name stands for: exactly four decimal octets (no leading
    /// zeros) under `in-addr.arpa.`, or exactly 32 hex nibbles under `ip6.arpa.` (either case).
    /// Nil for anything else, including the partial names of a reverse zone's delegations.
    public var reverseAddress: IPAddress? {
        let labels = self.labels
        if labels.count == 6, droppingFirst(4) == DNSName(unchecked: Self.inAddrArpa) {
            var value: UInt32 = 0
            for label in labels[0..<4].reversed() {
                guard let octet = Self.decimalOctet(label) else { return nil }
                value = value << 8 | UInt32(octet)
            }
            return .v4(IPv4Address(value))
        }
        if labels.count == 34, droppingFirst(32) == DNSName(unchecked: Self.ip6Arpa) {
            var high: UInt64 = 0, low: UInt64 = 0
            for (index, label) in labels[0..<32].reversed().enumerated() {
                guard label.count == 1, let nibble = Self.hexValue(label[label.startIndex]) else { return nil }
                if index < 16 { high = high << 4 | UInt64(nibble) } else { low = low << 4 | UInt64(nibble) }
            }
            return .v6(IPv6Address(high: high, low: low))
        }
        return nil
    }

    private static func decimalOctet(_ label: ArraySlice<UInt8>) -> UInt8? {
        guard (1...3).contains(label.count), label.allSatisfy({ $0 &- 48 < 10 }) else { return nil }
        guard label.count == 1 || label[label.startIndex] != UInt8(ascii: "0") else { return nil }
        let value = label.reduce(0) { $0 * 10 + Int($1 - 48) }
        return value <= 255 ? UInt8(value) : nil
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - 48
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - 87
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - 55
        default: nil
        }
    }
}
