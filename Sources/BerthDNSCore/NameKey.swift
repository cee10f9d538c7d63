import BerthDNSWire

/// A name as a table key: its wire form (length-prefixed labels, no root label) in ASCII lower
/// case. A slice, so that a query looks up a part of its own lowered name (`X` of `X.N`)
/// without copying it; hashed as one block of bytes rather than byte by byte.
struct NameKey: Hashable, Sendable {
    let bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }
    init(_ bytes: [UInt8]) { self.bytes = bytes[...] }

    static func == (lhs: NameKey, rhs: NameKey) -> Bool {
        lhs.bytes.elementsEqual(rhs.bytes)
    }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

/// Byte-level helpers on lowered wire names: the query path compares bytes, never Strings.
enum WireName {
    /// ASCII lower case of one byte; a length byte (at most 63) never changes.
    @inline(__always)
    static func fold(_ byte: UInt8) -> UInt8 { byte &- 0x41 < 26 ? byte | 0x20 : byte }

    /// The lowered wire form of a name.
    static func lowered(_ name: DNSName) -> [UInt8] { name.wire.map(fold) }

    /// The lowered wire form of a name's text (`web`, `berth.internal`); nil when the text is
    /// not a valid name (an empty label, a label over 63 bytes).
    static func lowered(_ text: String) -> [UInt8]? {
        guard !text.isEmpty, let name = try? DNSName(text), !name.isRoot else { return nil }
        return lowered(name)
    }

    /// Where `suffix` starts in `name` when `name` is strictly below it (at least one label
    /// before it): the length of the part before, the `X` of `X.suffix`. Both lowered.
    static func cut(_ name: [UInt8], below suffix: [UInt8]) -> Int? {
        guard name.count > suffix.count, !suffix.isEmpty else { return nil }
        var i = 0
        // Walk label boundaries until the rest is no longer than the suffix.
        while name.count - i > suffix.count { i += 1 + Int(name[i]) }
        guard name.count - i == suffix.count else { return nil }
        return name[i...].elementsEqual(suffix) ? i : nil
    }

    /// Whether a lowered name's last label is `arpa`: the cheap test before parsing an address.
    static func endsInArpa(_ name: [UInt8]) -> Bool {
        name.count >= 5 && name[(name.count - 5)...].elementsEqual([4, 0x61, 0x72, 0x70, 0x61])
    }
}
