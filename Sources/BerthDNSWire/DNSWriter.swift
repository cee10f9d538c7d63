/// Builds a message, compressing names (RFC 1035 §4.1.4) against the names already written.
///
/// The compression table is the list of offsets where a label was written in full; a name is
/// matched against the bytes already in the buffer (following their pointers), so the table
/// needs no copies of names. Linear, but a response holds a few dozen names at most.
struct DNSWriter {
    private(set) var bytes: [UInt8] = []
    /// Offsets of labels written in full that a pointer can reach (below 0x4000).
    private var labelOffsets: [Int] = []

    init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    /// A point to return to when what follows does not fit.
    struct Mark { let count: Int; let labels: Int }

    var mark: Mark { Mark(count: bytes.count, labels: labelOffsets.count) }

    /// Forgets everything written since `mark`, compression targets included (a later name must
    /// never point into a record that was dropped).
    mutating func rollback(to mark: Mark) {
        bytes.removeSubrange(mark.count...)
        labelOffsets.removeSubrange(mark.labels...)
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func u32(_ value: UInt32) {
        u16(UInt16(truncatingIfNeeded: value >> 16))
        u16(UInt16(truncatingIfNeeded: value))
    }

    mutating func append(_ data: some Collection<UInt8>) { bytes.append(contentsOf: data) }

    /// Overwrites a 16-bit field written earlier (counts, RDLENGTH).
    mutating func patch16(_ value: UInt16, at offset: Int) {
        bytes[offset] = UInt8(truncatingIfNeeded: value >> 8)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    /// Writes `name`, ending in a pointer to an earlier copy of its longest known suffix when
    /// `compress` is set. Its labels become targets for later names either way.
    mutating func name(_ name: DNSName, compress: Bool) {
        let wire = name.wire
        // The labels before `end` are written in full; from `end` on, a pointer (or the root).
        var end = 0
        var target: Int?
        while end < wire.count {
            if compress, let found = findSuffix(wire[end...]) { target = found; break }
            end += 1 + Int(wire[end])
        }
        let start = bytes.count
        bytes.append(contentsOf: wire[..<end])
        if let target { u16(0xC000 | UInt16(target)) } else { bytes.append(0) }
        // Targets only once the name is complete: matching against its own unfinished labels
        // (the second label of `a.a.` against the first) would read past the buffer's end.
        var label = 0
        while label < end, start + label < 0x4000 {
            labelOffsets.append(start + label)
            label += 1 + Int(wire[label])
        }
    }

    /// The offset of an earlier name equal (ignoring ASCII case) to `suffix`.
    private func findSuffix(_ suffix: ArraySlice<UInt8>) -> Int? {
        for offset in labelOffsets where matches(at: offset, suffix) { return offset }
        return nil
    }

    private func matches(at offset: Int, _ suffix: ArraySlice<UInt8>) -> Bool {
        var p = offset
        var s = suffix.startIndex
        while true {
            var length = bytes[p]
            // Pointers this writer wrote always point backwards: this cannot loop.
            while length & 0xC0 == 0xC0 {
                p = Int(length & 0x3F) << 8 | Int(bytes[p + 1])
                length = bytes[p]
            }
            if s == suffix.endIndex { return length == 0 }
            guard suffix[s] == length, length != 0 else { return false }
            for k in 1...Int(length) where DNSName.fold(bytes[p + k]) != DNSName.fold(suffix[s + k]) {
                return false
            }
            p += 1 + Int(length)
            s += 1 + Int(length)
        }
    }
}
