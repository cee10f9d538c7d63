/// An IPv4 address, stored as a host-order 32-bit integer.
///
/// Parsing is strict dotted-quad (`a.b.c.d`, each part 0–255, no leading zeros beyond a lone `0`),
/// so `010.0.0.1` or `1.2.3` are rejected rather than guessed at.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The address as a host-order integer (`10.0.0.1` is `0x0A000001`).
    public var value: UInt32

    /// Creates an address from a host-order integer.
    public init(_ value: UInt32) { self.value = value }

    /// Creates an address from four octets, most significant first.
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Parses dotted-quad notation; returns nil for anything else.
    ///
    /// Inlinable, so callers in other modules get it specialised for their concrete string type:
    /// an unspecialised generic walk over `some StringProtocol` makes a fresh process look up
    /// associated types and protocol conformances at run time, which costs more than the parse.
    @inlinable
    public init?(_ text: some StringProtocol) {
        var value: UInt32 = 0
        var parts = 0
        var current: UInt32 = 0
        var digits = 0
        var leadingZero = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                value = value << 8 | current
                parts += 1
                current = 0; digits = 0; leadingZero = false
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                if leadingZero { return nil }
                if digits == 0 && byte == UInt8(ascii: "0") { leadingZero = true }
                current = current * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 3, current <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, parts == 3 else { return nil }
        self.value = value << 8 | current
    }

    /// The four octets in network order, as they go on the wire.
    public var bytes: [UInt8] {
        [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    /// Creates an address from four network-order bytes; nil unless exactly four.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 4 else { return nil }
        var v: UInt32 = 0
        for b in bytes { v = v << 8 | UInt32(b) }
        value = v
    }

    public var description: String {
        "\(value >> 24).\((value >> 16) & 0xff).\((value >> 8) & 0xff).\(value & 0xff)"
    }

    /// True for 224.0.0.0/4.
    public var isMulticast: Bool { value >> 28 == 0xE }
    /// True for 127.0.0.0/8.
    public var isLoopback: Bool { value >> 24 == 127 }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }
}
