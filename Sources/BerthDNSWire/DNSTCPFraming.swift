/// DNS over TCP (RFC 1035 §4.2.2, RFC 7766 §8): each message preceded by its length in two
/// bytes, network order.
public enum DNSTCPFraming {
    /// A message with its length prefix. Throws for an empty message or one over 65,535 bytes
    /// (the prefix cannot say so).
    public static func frame(_ message: [UInt8]) throws -> [UInt8] {
        guard (1...DNSMessage.maxSize).contains(message.count) else {
            throw DNSWireError.badFrameLength(message.count)
        }
        return [UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
    }
}

/// Reassembles messages from a TCP stream read in arbitrary pieces (pipelined queries, a prefix
/// split across reads).
///
/// Holds at most one partial message beyond what `next()` has not yet returned; consumed bytes
/// are dropped in bulk, so a long-lived connection does not grow the buffer.
public struct DNSTCPStreamParser: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0

    /// An empty parser, for a new connection.
    public init() {}

    /// Bytes received but not yet returned as a message.
    public var bufferedCount: Int { buffer.count - start }

    /// Adds bytes as read from the connection.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        // Compact before growing, once the consumed part is worth moving.
        if start > 0, start >= 4096 || start == buffer.count {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete message, or nil until more bytes arrive. Throws for a length prefix of
    /// 0, which no message has: the connection should be closed, since what follows cannot be
    /// framed any more.
    public mutating func next() throws -> [UInt8]? {
        guard bufferedCount >= 2 else { return nil }
        let length = Int(buffer[start]) << 8 | Int(buffer[start + 1])
        guard length > 0 else { throw DNSWireError.badFrameLength(0) }
        guard bufferedCount - 2 >= length else { return nil }
        let message = Array(buffer[(start + 2)..<(start + 2 + length)])
        start += 2 + length
        return message
    }
}
