/// A 48-bit Ethernet MAC address.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    /// The six octets, first on the wire first.
    public let bytes: [UInt8]

    /// Creates an address from exactly six octets.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 6 else { return nil }
        self.bytes = Array(bytes)
    }

    /// Parses `aa:bb:cc:dd:ee:ff` (also with `-`), case-insensitive.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let groups = parts.count == 6 ? parts : text.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.count == 6 else { return nil }
        var out: [UInt8] = []
        for g in groups {
            guard g.count == 2, let v = UInt8(g, radix: 16) else { return nil }
            out.append(v)
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
        bytes.map { b in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined(separator: ":")
    }
}
