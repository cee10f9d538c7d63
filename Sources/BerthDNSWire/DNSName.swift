/// A domain name: a sequence of labels, always absolute (`db.berth.internal.`).
///
/// Stored as its uncompressed wire form without the final root label (one array, however many
/// labels). Comparison and hashing ignore ASCII case (RFC 4343) while the bytes keep the case
/// they arrived with, so a question is echoed exactly as asked.
public struct DNSName: Hashable, Sendable {
    /// Length-prefixed labels, without the terminating zero: empty for the root.
    public let wire: [UInt8]

    /// The longest name, in wire form with its root label (RFC 1035 §2.3.4).
    public static let maxWireLength = 255
    /// The longest label (RFC 1035 §2.3.4).
    public static let maxLabelLength = 63
    /// The root, `.`.
    public static let root = DNSName(unchecked: [])

    /// Wraps wire bytes already known to be valid (parsed or built here).
    init(unchecked wire: [UInt8]) { self.wire = wire }

    /// A name from its labels, most specific first; throws for an empty label, a label over 63
    /// bytes, or a name over 255 bytes.
    public init(labels: [some Collection<UInt8>]) throws {
        var wire: [UInt8] = []
        for label in labels {
            guard !label.isEmpty, label.count <= Self.maxLabelLength else {
                throw DNSWireError.invalidName(String(decoding: label, as: UTF8.self))
            }
            wire.append(UInt8(label.count))
            wire.append(contentsOf: label)
        }
        guard wire.count + 1 <= Self.maxWireLength else { throw DNSWireError.nameTooLong }
        self.wire = wire
    }

    /// The labels, most specific first.
    public var labels: [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var i = 0
        while i < wire.count {
            let length = Int(wire[i])
            result.append(wire[(i + 1)..<(i + 1 + length)])
            i += 1 + length
        }
        return result
    }

    /// The number of labels (0 for the root).
    public var labelCount: Int {
        var count = 0, i = 0
        while i < wire.count { count += 1; i += 1 + Int(wire[i]) }
        return count
    }

    /// Whether this is the root name.
    public var isRoot: Bool { wire.isEmpty }

    /// Whether this name is `other` or below it (`db.berth.internal.` is in `berth.internal.`).
    public func isSubdomain(of other: DNSName) -> Bool {
        var i = 0
        // Walk label boundaries until the rest is exactly as long as `other`.
        while wire.count - i > other.wire.count { i += 1 + Int(wire[i]) }
        guard wire.count - i == other.wire.count else { return false }
        return Self.equalFolded(wire[i...], other.wire[...])
    }

    /// The name with the first `count` labels removed (the root when there are no more).
    public func droppingFirst(_ count: Int = 1) -> DNSName {
        var i = 0, dropped = 0
        while dropped < count, i < wire.count { i += 1 + Int(wire[i]); dropped += 1 }
        return DNSName(unchecked: Array(wire[i...]))
    }

    /// The same name with ASCII letters in lower case, as a key for tables of names.
    public var lowercased: DNSName { DNSName(unchecked: wire.map(Self.fold)) }

    /// ASCII lower case of one byte (length bytes are at most 63, so they never change).
    @inline(__always)
    static func fold(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }

    static func equalFolded(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { fold($0) == fold($1) }
    }

    /// Equal when the labels are, ignoring ASCII case (RFC 4343).
    public static func == (lhs: DNSName, rhs: DNSName) -> Bool {
        equalFolded(lhs.wire[...], rhs.wire[...])
    }

    /// Hashes the lower-case form, consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(wire.count)
        for byte in wire { hasher.combine(Self.fold(byte)) }
    }
}
