/// A message received from the kernel: its header fields and the bytes after the header.
public struct NetlinkMessage: Sendable {
    public let type: UInt16
    public let flags: UInt16
    public let sequence: UInt32
    /// Everything after the 16-byte `nlmsghdr`.
    public let payload: ArraySlice<UInt8>

    /// Splits a datagram from a netlink socket into messages. Truncated trailing data is dropped.
    public static func parse(_ buffer: [UInt8]) -> [NetlinkMessage] {
        var messages: [NetlinkMessage] = []
        var offset = 0
        while offset + NLMsg.headerSize <= buffer.count {
            let length = Int(buffer.loadLE(UInt32.self, at: offset))
            guard length >= NLMsg.headerSize, offset + length <= buffer.count else { break }
            messages.append(NetlinkMessage(
                type: buffer.loadLE(UInt16.self, at: offset + 4),
                flags: buffer.loadLE(UInt16.self, at: offset + 6),
                sequence: buffer.loadLE(UInt32.self, at: offset + 8),
                payload: buffer[(offset + NLMsg.headerSize)..<(offset + length)]))
            offset += (length + 3) & ~3
        }
        return messages
    }
}

/// Decoded attributes of one level: type → payload (the last one wins for repeated types).
///
/// Kept as the raw run of `rtattr`s and searched on each lookup: a message carries a few dozen
/// attributes and callers read a handful, and a dictionary's first use costs a fresh process
/// more (generic metadata and a conformance scan) than all the searches it would save.
public struct NetlinkAttributes: Sendable {
    private let bytes: ArraySlice<UInt8>

    /// Wraps a run of `rtattr`s. The nested flag (0x8000) and byte-order flag are masked off
    /// when types are compared; a truncated or malformed attribute ends the run.
    public init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
    }

    /// The raw payload of an attribute.
    public subscript(type: UInt16) -> ArraySlice<UInt8>? {
        var found: ArraySlice<UInt8>?
        var offset = bytes.startIndex
        while offset + 4 <= bytes.endIndex {
            let length = Int(bytes.loadLE(UInt16.self, at: offset))
            guard length >= 4, offset + length <= bytes.endIndex else { break }
            if bytes.loadLE(UInt16.self, at: offset + 2) & 0x3FFF == type {
                found = bytes[(offset + 4)..<(offset + length)]
            }
            offset += (length + 3) & ~3
        }
        return found
    }

    /// A NUL-terminated string attribute.
    public func string(_ type: UInt16) -> String? {
        guard let raw = self[type] else { return nil }
        return String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// A 32-bit integer attribute.
    public func u32(_ type: UInt16) -> UInt32? {
        guard let raw = self[type], raw.count >= 4 else { return nil }
        return raw.loadLE(UInt32.self, at: raw.startIndex)
    }

    /// The attributes nested inside an attribute.
    public func nested(_ type: UInt16) -> NetlinkAttributes? {
        self[type].map { NetlinkAttributes($0) }
    }
}

extension Collection where Element == UInt8, Index == Int {
    /// Reads a little-endian (host order on every platform Berth runs on) integer at `offset`.
    func loadLE<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        var value: T = 0
        for i in 0..<MemoryLayout<T>.size {
            value |= T(truncatingIfNeeded: self[offset + i]) << (8 * i)
        }
        return value
    }
}
