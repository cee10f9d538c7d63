extension DNSMessage {
    /// The largest message: what a TCP length prefix can carry.
    public static let maxSize = 65535

    /// Writes the message in at most `maxSize` bytes (clamped to 12…65,535), compressing names.
    ///
    /// The header and the questions are always written. Records follow one whole record at a
    /// time: when an answer or authority record does not fit, it and everything after it is
    /// left out and TC is set; when only additional records do not fit, they are left out
    /// without TC (RFC 2181 §9: the client has what it asked for). Room for the OPT record is
    /// kept first, so a client that sent one always gets one back (RFC 6891 §7). The counts in
    /// the header are those of what was written. A response code above 15 is written only
    /// with `edns` (its upper bits live in the OPT record).
    public func serialize(maxSize: Int = DNSMessage.maxSize) -> [UInt8] {
        let limit = min(max(maxSize, Self.headerSize), Self.maxSize)
        var writer = DNSWriter(capacity: min(limit, 512))
        writer.u16(id)
        writer.u16(0)  // flags, once TC is known
        for _ in 0..<4 { writer.u16(0) }  // counts, once known

        let questionCount = min(questions.count, Int(UInt16.max))
        for question in questions.prefix(questionCount) {
            writer.name(question.name, compress: true)
            writer.u16(question.type.rawValue)
            writer.u16(question.class.rawValue)
        }
        writer.patch16(UInt16(questionCount), at: 4)

        var optSize = 0
        if let edns { optSize = 11 + edns.options.reduce(0) { $0 + 4 + $1.data.count } }
        let budget = limit - optSize
        var truncated = isTruncated
        var full = false
        let sections = [(answers, 6, true), (authority, 8, true), (additional, 10, false)]
        for (records, countOffset, required) in sections where !full {
            var count = 0
            for record in records {
                let mark = writer.mark
                Self.write(record, into: &writer)
                if writer.bytes.count > budget || count == Int(UInt16.max) {
                    writer.rollback(to: mark)
                    if required { truncated = true }
                    full = true
                    break
                }
                count += 1
            }
            writer.patch16(UInt16(count), at: countOffset)
        }

        var flags = self.flags
        if truncated { flags |= 0x0200 }
        writer.patch16(flags, at: 2)
        if let edns {
            Self.write(edns, extendedRCode: UInt8(truncatingIfNeeded: rcode.rawValue >> 4), into: &writer)
            let additionalCount = UInt16(writer.bytes[10]) << 8 | UInt16(writer.bytes[11])
            writer.patch16(additionalCount + 1, at: 10)
        }
        return writer.bytes
    }

    private static func write(_ record: DNSResourceRecord, into writer: inout DNSWriter) {
        writer.name(record.name, compress: true)
        writer.u16(record.type.rawValue)
        writer.u16(record.class.rawValue)
        writer.u32(record.ttl)
        let lengthOffset = writer.bytes.count
        writer.u16(0)
        switch record.data {
        case .a(let address): writer.u32(address.value)
        case .aaaa(let address):
            writer.u32(UInt32(truncatingIfNeeded: address.high >> 32))
            writer.u32(UInt32(truncatingIfNeeded: address.high))
            writer.u32(UInt32(truncatingIfNeeded: address.low >> 32))
            writer.u32(UInt32(truncatingIfNeeded: address.low))
        // Compression inside RDATA only for the types of RFC 1035 (RFC 3597 §4).
        case .ns(let name), .cname(let name), .ptr(let name): writer.name(name, compress: true)
        case .mx(let preference, let exchange):
            writer.u16(preference)
            writer.name(exchange, compress: true)
        case .soa(let soa):
            writer.name(soa.mname, compress: true)
            writer.name(soa.rname, compress: true)
            for value in [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum] { writer.u32(value) }
        case .txt(let strings):
            for string in strings {
                // A character string holds at most 255 bytes; a longer one becomes several.
                var rest = string[...]
                repeat {
                    let chunk = rest.prefix(255)
                    writer.u8(UInt8(chunk.count))
                    writer.append(chunk)
                    rest = rest.dropFirst(chunk.count)
                } while !rest.isEmpty
            }
        case .other(_, let bytes): writer.append(bytes)
        }
        // An RDATA over 65,535 bytes makes the message too long; the caller drops the record.
        writer.patch16(UInt16(truncatingIfNeeded: writer.bytes.count - lengthOffset - 2), at: lengthOffset)
    }

    private static func write(_ edns: DNSEDNS, extendedRCode: UInt8, into writer: inout DNSWriter) {
        writer.u8(0)  // the root
        writer.u16(DNSRecordType.opt.rawValue)
        writer.u16(edns.udpPayloadSize)
        writer.u32(UInt32(extendedRCode) << 24 | UInt32(edns.version) << 16 | (edns.dnssecOK ? 0x8000 : 0))
        writer.u16(UInt16(truncatingIfNeeded: edns.options.reduce(0) { $0 + 4 + $1.data.count }))
        for option in edns.options {
            writer.u16(option.code)
            writer.u16(UInt16(truncatingIfNeeded: option.data.count))
            writer.append(option.data)
        }
    }
}
