/// Why bytes could not be read as a DNS message, or a name or frame could not be built.
///
/// Every malformed input ends in one of these, never in a trap or a read past the buffer: the
/// bytes come from any container on a network (and from upstream servers), so they are hostile.
public enum DNSWireError: Error, Equatable, Sendable {
    /// The data ended inside a field; `offset` is where the field started.
    case truncated(offset: Int)
    /// A label longer than 63 bytes, or a label type other than 00 (length) and 11 (pointer).
    case badLabel(offset: Int)
    /// A name longer than 255 bytes in wire form.
    case nameTooLong
    /// A compression pointer to itself, forwards, or outside the message.
    case badPointer(offset: Int)
    /// More compression pointers in one name than it could need (a loop).
    case tooManyPointers
    /// Record data whose length does not match its type (an A record of 5 bytes, a name that
    /// runs past its RDLENGTH).
    case badRecordData(type: UInt16, offset: Int)
    /// More than one OPT record, or an OPT record that is not in the additional section or not
    /// owned by the root (RFC 6891 §6.1.1).
    case badOPT
    /// Text that is not a domain name: an empty label, a label over 63 bytes, a bad escape.
    case invalidName(String)
    /// A TCP frame length of 0, or a message too long for the 2-byte length prefix.
    case badFrameLength(Int)
}
