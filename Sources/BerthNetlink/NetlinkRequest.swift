/// Builds one netlink request message: a `nlmsghdr`, a fixed family header and attributes,
/// each aligned to 4 bytes. Integers are written in host byte order, as netlink expects;
/// IP addresses are written in network order, as the kernel stores them.
public struct NetlinkRequest: Sendable, Equatable {
    /// The encoded message. The header's length and sequence are patched by ``finalized(sequence:)``.
    public private(set) var bytes: [UInt8]

    /// Starts a message of `type` with `flags` (`NLM_F_REQUEST` is always added).
    public init(type: UInt16, flags: UInt16) {
        bytes = []
        bytes.reserveCapacity(128)
        appendInteger(UInt32(0))            // nlmsg_len, patched later
        appendInteger(type)
        appendInteger(flags | NLFlag.request)
        appendInteger(UInt32(0))            // nlmsg_seq, patched later
        appendInteger(UInt32(0))            // nlmsg_pid: 0 lets the kernel address the socket
    }

    /// The message type from the header.
    public var type: UInt16 { UInt16(bytes[4]) | UInt16(bytes[5]) << 8 }

    /// Appends an integer in host byte order.
    public mutating func appendInteger<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends raw bytes and pads to 4-byte alignment.
    public mutating func appendPadded(_ payload: some Collection<UInt8>) {
        bytes.append(contentsOf: payload)
        pad()
    }

    private mutating func pad() {
        while bytes.count % 4 != 0 { bytes.append(0) }
    }

    /// `struct ifinfomsg`.
    public mutating func appendIfInfo(family: UInt8 = AddressFamily.unspec, index: Int32 = 0,
                                      flags: UInt32 = 0, change: UInt32 = 0) {
        bytes.append(family); bytes.append(0)
        appendInteger(UInt16(0))            // ifi_type
        appendInteger(index)
        appendInteger(flags)
        appendInteger(change)
    }

    /// `struct ifaddrmsg`.
    public mutating func appendIfAddr(family: UInt8, prefixLength: UInt8, flags: UInt8 = 0,
                                      scope: UInt8 = 0, index: Int32) {
        bytes.append(contentsOf: [family, prefixLength, flags, scope])
        appendInteger(UInt32(bitPattern: index))
    }

    /// `struct rtmsg`.
    public mutating func appendRtMsg(family: UInt8, dstLength: UInt8 = 0, table: UInt8 = 0,
                                     protocol proto: UInt8 = 0, scope: UInt8 = 0, type: UInt8 = 0,
                                     flags: UInt32 = 0) {
        bytes.append(contentsOf: [family, dstLength, 0, 0, table, proto, scope, type])
        appendInteger(flags)                // rtm_flags (RTNH_F_ONLINK, …)
    }

    /// Appends an attribute with a raw payload.
    public mutating func attribute(_ type: UInt16, _ payload: some Collection<UInt8>) {
        appendInteger(UInt16(4 + payload.count))
        appendInteger(type)
        appendPadded(payload)
    }

    /// Appends a NUL-terminated string attribute.
    public mutating func attribute(_ type: UInt16, string: String) {
        attribute(type, Array(string.utf8) + [0])
    }

    /// Appends a 32-bit integer attribute.
    public mutating func attribute(_ type: UInt16, u32 value: UInt32) {
        appendInteger(UInt16(8))
        appendInteger(type)
        appendInteger(value)
    }

    /// Appends a nested attribute whose contents `body` writes.
    public mutating func nested(_ type: UInt16, _ body: (inout NetlinkRequest) -> Void) {
        let start = bytes.count
        appendInteger(UInt16(0))
        appendInteger(type)
        body(&self)
        let length = UInt16(bytes.count - start)
        bytes[start] = UInt8(truncatingIfNeeded: length)
        bytes[start + 1] = UInt8(truncatingIfNeeded: length >> 8)
    }

    /// The message with its length and sequence number filled in, ready to send.
    public func finalized(sequence: UInt32) -> [UInt8] {
        var out = bytes
        let length = UInt32(out.count)
        for i in 0..<4 {
            out[i] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(i)))
            out[8 + i] = UInt8(truncatingIfNeeded: sequence >> (8 * UInt32(i)))
        }
        return out
    }
}
