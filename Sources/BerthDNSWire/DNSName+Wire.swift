extension DNSName {
    /// The most compression pointers one name may follow. A name has at most 127 labels, so a
    /// valid message never needs more; the limit bounds the work a crafted chain can cause.
    static let maxPointers = 127

    /// Reads a name at the reader's offset, following compression pointers, and leaves the
    /// reader after the name's bytes at that position (after its first pointer, if any).
    ///
    /// Each pointer must go strictly before the labels that led to it, which rules out loops
    /// (a pointer to itself, or a cycle) and forward references to bytes not yet validated.
    static func read(from reader: inout DNSReader) throws -> DNSName {
        let bytes = reader.bytes
        var wire: [UInt8] = []
        var position = reader.offset
        var limit = reader.offset  // pointers must target offsets below this
        var pointers = 0
        var end: Int?  // where the reader resumes: after the first pointer, or after the name
        while true {
            guard position < bytes.count else { throw DNSWireError.truncated(offset: position) }
            let length = bytes[position]
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    reader.offset = end ?? position + 1
                    return DNSName(unchecked: wire)
                }
                let count = Int(length)
                guard bytes.count - position > count else { throw DNSWireError.truncated(offset: position) }
                guard wire.count + 1 + count + 1 <= maxWireLength else { throw DNSWireError.nameTooLong }
                wire.append(contentsOf: bytes[position...(position + count)])
                position += 1 + count
            case 0xC0:
                guard bytes.count - position >= 2 else { throw DNSWireError.truncated(offset: position) }
                let target = Int(length & 0x3F) << 8 | Int(bytes[position + 1])
                guard target < limit else { throw DNSWireError.badPointer(offset: position) }
                pointers += 1
                guard pointers <= maxPointers else { throw DNSWireError.tooManyPointers }
                if end == nil { end = position + 2 }
                limit = target
                position = target
            default:
                // 01 and 10: the extended label types of RFC 6891 §5, obsolete and unused.
                throw DNSWireError.badLabel(offset: position)
            }
        }
    }
}
