import BerthDNSWire
import Glibc

/// A name as a table key: its wire form (length-prefixed labels, no root label) in ASCII lower
/// case. A slice, so that a query looks up a part of its own lowered name (`X` of `X.N`)
/// without copying it. Its FNV-1a hash is computed once and serves both to pick the shard and
/// as the dictionary's hash, so the name's bytes are read once per lookup.
struct NameKey: ShardKey {
    let bytes: ArraySlice<UInt8>
    let shard: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        shard = Int(truncatingIfNeeded: hash ^ hash >> 29)
    }

    init(_ bytes: [UInt8]) { self.init(bytes[...]) }

    static func == (lhs: NameKey, rhs: NameKey) -> Bool {
        guard lhs.shard == rhs.shard, lhs.bytes.count == rhs.bytes.count else { return false }
        return lhs.bytes.withUnsafeBytes { a in rhs.bytes.withUnsafeBytes { b in WireName.equal(a, b) } }
    }

    func hash(into hasher: inout Hasher) { hasher.combine(shard) }
}

/// Byte-level helpers on lowered wire names: the query path compares bytes, never Strings.
enum WireName {
    /// ASCII lower case of one byte; a length byte (at most 63) never changes.
    @inline(__always)
    static func fold(_ byte: UInt8) -> UInt8 { byte &- 0x41 < 26 ? byte | 0x20 : byte }

    /// The lowered wire form of a name (once per query: a loop over raw buffers, not `map`).
    static func lowered(_ name: DNSName) -> [UInt8] {
        name.wire.withUnsafeBufferPointer { wire in
            [UInt8](unsafeUninitializedCapacity: wire.count) { buffer, count in
                for i in 0..<wire.count { buffer[i] = fold(wire[i]) }
                count = wire.count
            }
        }
    }

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
        let equal = name.withUnsafeBytes { name in
            suffix.withUnsafeBytes { suffix in WireName.equal(UnsafeRawBufferPointer(rebasing: name[i...]), suffix) }
        }
        return equal ? i : nil
    }

    /// Whether two byte ranges are equal: `memcmp` (`elementsEqual` walks them a byte at a
    /// time through the iterator protocol, measurably slower in table lookups).
    @inline(__always)
    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard let p = a.baseAddress, let q = b.baseAddress else { return true }
        return memcmp(p, q, a.count) == 0
    }

    /// Whether a lowered name's last label is `arpa`: the cheap test before parsing an address.
    static func endsInArpa(_ name: [UInt8]) -> Bool {
        name.count >= 5 && name[(name.count - 5)...].elementsEqual([4, 0x61, 0x72, 0x70, 0x61])
    }
}
