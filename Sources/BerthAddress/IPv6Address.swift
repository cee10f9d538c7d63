/// An IPv6 address as a 128-bit value (two host-order halves), parsed from any RFC 4291 text
/// form and printed in the RFC 5952 canonical form.
public struct IPv6Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The upper 64 bits (the routing prefix and subnet of a /64).
    public var high: UInt64
    /// The lower 64 bits (the interface identifier of a /64).
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// `::`, the unspecified address.
    public static let unspecified = IPv6Address(high: 0, low: 0)
    /// `::1`, the loopback address.
    public static let loopback = IPv6Address(high: 0, low: 1)

    /// Parses the text forms of RFC 4291 §2.2: eight groups of one to four hex digits, `::` for
    /// one run of zero groups, and a dotted IPv4 address in the last 32 bits
    /// (`::ffff:192.0.2.1`). No zone (`%eth0`), no brackets, no prefix: those belong to the
    /// callers that accept them.
    public init?(_ text: some StringProtocol) {
        var groups: [UInt16] = []
        groups.reserveCapacity(8)
        var gap: Int?                      // where `::` stands, as a group index
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 45 else { return nil }
        var i = 0
        if bytes.starts(with: [UInt8(ascii: ":"), UInt8(ascii: ":")]) {
            gap = 0
            i = 2
        } else if bytes[0] == UInt8(ascii: ":") {
            return nil                     // a single leading colon
        }
        while i < bytes.count {
            // One group: hex digits up to the next colon, or a dotted IPv4 tail.
            var end = i
            while end < bytes.count, bytes[end] != UInt8(ascii: ":") { end += 1 }
            let field = bytes[i..<end]
            if field.contains(UInt8(ascii: ".")) {
                // Only as the last field, and only where two groups are left for it.
                guard end == bytes.count, let v4 = IPv4Address(String(decoding: field, as: UTF8.self)) else { return nil }
                groups.append(UInt16(v4.value >> 16))
                groups.append(UInt16(v4.value & 0xFFFF))
                i = end
                break
            }
            guard (1...4).contains(field.count) else { return nil }
            var value: UInt16 = 0
            for byte in field {
                guard let digit = IPv6Address.hexDigit(byte) else { return nil }
                value = value << 4 | UInt16(digit)
            }
            groups.append(value)
            i = end
            guard i < bytes.count else { break }
            // A colon: `::` marks the gap (once), a single colon separates.
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: ":") {
                guard gap == nil else { return nil }
                gap = groups.count
                i += 1
            } else if i == bytes.count {
                return nil                 // a single trailing colon
            }
        }
        if let gap {
            // `::` stands for at least one zero group.
            guard groups.count <= 7 else { return nil }
            groups.insert(contentsOf: [UInt16](repeating: 0, count: 8 - groups.count), at: gap)
        }
        guard groups.count == 8 else { return nil }
        var high: UInt64 = 0, low: UInt64 = 0
        for g in groups[0..<4] { high = high << 16 | UInt64(g) }
        for g in groups[4..<8] { low = low << 16 | UInt64(g) }
        self.init(high: high, low: low)
    }

    /// The sixteen octets in network order, as they go on the wire.
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> UInt64(56 - 8 * $0)) }
    }

    /// From sixteen octets in network order (netlink attributes); nil for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0, low: UInt64 = 0
        for (i, byte) in bytes.enumerated() {
            if i < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.init(high: high, low: low)
    }

    /// The eight 16-bit groups, most significant first.
    public var groups: [UInt16] {
        (0..<4).map { UInt16(truncatingIfNeeded: high >> UInt64(48 - 16 * $0)) }
            + (0..<4).map { UInt16(truncatingIfNeeded: low >> UInt64(48 - 16 * $0)) }
    }

    /// RFC 5952: lowercase hex without leading zeros; the longest run of two or more zero
    /// groups (the first of equal runs) as `::`; an IPv4-mapped address (`::ffff:0:0/96`) with
    /// its last 32 bits dotted.
    public var description: String {
        let g = groups
        if high == 0, low >> 32 == 0xFFFF {
            return "::ffff:" + IPv4Address(UInt32(truncatingIfNeeded: low)).description
        }
        var bestStart = -1, bestLength = 1     // a single zero group is never compressed
        var runStart = -1
        for i in 0...8 {
            if i < 8, g[i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength { (bestStart, bestLength) = (runStart, i - runStart) }
                runStart = -1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            range.map { String(g[$0], radix: 16) }.joined(separator: ":")
        }
        guard bestStart >= 0 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    /// `ff00::/8`.
    public var isMulticast: Bool { high >> 56 == 0xFF }
    /// `::1`.
    public var isLoopback: Bool { self == .loopback }
    /// `::`.
    public var isUnspecified: Bool { self == .unspecified }
    /// `fe80::/10`, which every IPv6 interface has of its own.
    public var isLinkLocal: Bool { high >> 54 == 0x3FA }
    /// `fc00::/7`, unique local addresses (RFC 4193).
    public var isUniqueLocal: Bool { high >> 57 == 0x7E }

    public static func < (lhs: IPv6Address, rhs: IPv6Address) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// The address `offset` after this one (wrapping past the end, as addresses do).
    public func advanced(by offset: UInt64) -> IPv6Address {
        let (low, carry) = self.low.addingReportingOverflow(offset)
        return IPv6Address(high: high &+ (carry ? 1 : 0), low: low)
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
