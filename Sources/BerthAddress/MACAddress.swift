/// A 48-bit Ethernet MAC address.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    /// The six octets, first on the wire first.
    public let bytes: [UInt8]

    /// Creates an address from exactly six octets.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 6 else { return nil }
        self.bytes = Array(bytes)
    }

    /// Parses `aa:bb:cc:dd:ee:ff` (also with `-`), case-insensitive. Inlinable for the same
    /// reason as ``IPv4Address/init(_:)``.
    @inlinable
    public init?(_ text: some StringProtocol) {
        // Hand-rolled: split(separator:) and UInt8(_:radix:) cost tens of microseconds of generic
        // set-up in a fresh process, and the store parses a MAC for every endpoint it reads.
        let utf8 = Array(text.utf8)
        guard utf8.count == 17 else { return nil }
        let separator = utf8[2]
        guard separator == UInt8(ascii: ":") || separator == UInt8(ascii: "-") else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out = [UInt8](repeating: 0, count: 6)
        for k in 0..<6 {
            let at = k * 3
            if k > 0 && utf8[at - 1] != separator { return nil }
            guard let high = nibble(utf8[at]), let low = nibble(utf8[at + 1]) else { return nil }
            out[k] = high << 4 | low
        }
        bytes = out
    }

    /// A locally administered unicast address derived from `seed` (stable for the same seed).
    /// The first octet has the locally-administered bit set and the multicast bit clear.
    public init(locallyAdministeredFrom seed: UInt64) {
        var b = [UInt8](repeating: 0, count: 6)
        for i in 0..<6 { b[i] = UInt8(truncatingIfNeeded: seed >> UInt64(8 * (5 - i))) }
        b[0] = (b[0] & 0xFC) | 0x02
        bytes = b
    }

    /// True when the group (multicast) bit is set.
    public var isMulticast: Bool { bytes[0] & 1 == 1 }
    /// True for 00:00:00:00:00:00.
    public var isZero: Bool { bytes.allSatisfy { $0 == 0 } }

    public var description: String {
        // Hand-rolled: String(_:radix:) and joined(separator:) cost tens of microseconds of
        // generic set-up in a fresh process, and every connect prints a MAC.
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(17)
        for (i, b) in bytes.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ":")) }
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
