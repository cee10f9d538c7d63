import BerthAddress

extension DNSMessage {
    /// Parses a whole message. Throws `DNSWireError` for anything malformed: data that ends
    /// inside a field or before the counts are satisfied, a bad name, record data that does
    /// not match its type or length, a misplaced or repeated OPT. Bytes after the last record
    /// are ignored (RFC 1035 gives them no meaning).
    public init(parsing bytes: [UInt8]) throws {
        var reader = DNSReader(bytes)
        try self.init(reading: &reader, questionsOnly: false)
    }

    /// Parses a message from any byte collection (a slice, a buffer from a socket), copying it
    /// once into the array the reader works on.
    public init(parsing bytes: some Collection<UInt8>) throws {
        try self.init(parsing: Array(bytes))
    }

    /// Reads the header and then either everything or only the question section (for a
    /// FORMERR response that echoes what could be read).
    init(reading reader: inout DNSReader, questionsOnly: Bool) throws {
        let id = try reader.u16()
        let flags = try reader.u16()
        let questionCount = try reader.u16(), answerCount = try reader.u16()
        let authorityCount = try reader.u16(), additionalCount = try reader.u16()
        self.init(id: id, isResponse: flags & 0x8000 != 0,
                  opcode: DNSOpcode(rawValue: UInt8(truncatingIfNeeded: flags >> 11)),
                  isAuthoritative: flags & 0x0400 != 0, isTruncated: flags & 0x0200 != 0,
                  recursionDesired: flags & 0x0100 != 0, recursionAvailable: flags & 0x0080 != 0,
                  authenticData: flags & 0x0020 != 0, checkingDisabled: flags & 0x0010 != 0,
                  rcode: DNSResponseCode(rawValue: flags & 0x0F))
        // No reserveCapacity from the counts: they are the sender's claim, checked only as the
        // records are read (a 12-byte message may claim 65,535 of each).
        for _ in 0..<questionCount {
            let name = try DNSName.read(from: &reader)
            questions.append(DNSQuestion(name: name, type: DNSRecordType(try reader.u16()),
                                         class: DNSClass(try reader.u16())))
        }
        if questionsOnly { return }
        for _ in 0..<answerCount { answers.append(try Self.readRecord(&reader)) }
        for _ in 0..<authorityCount { authority.append(try Self.readRecord(&reader)) }
        for _ in 0..<additionalCount {
            switch try Self.readEntry(&reader) {
            case .record(let record):
                additional.append(record)
            case .opt(let opt, let extendedRCode):
                guard edns == nil else { throw DNSWireError.badOPT }
                edns = opt
                // The upper 8 bits of the 12-bit response code (RFC 6891 §6.1.3).
                rcode = DNSResponseCode(rawValue: UInt16(extendedRCode) << 4 | rcode.rawValue)
            }
        }
    }

    /// A record of the additional section: a resource record or the OPT pseudo-record.
    private enum Entry {
        case record(DNSResourceRecord)
        case opt(DNSEDNS, extendedRCode: UInt8)
    }

    /// Reads a record of the answer or authority section, where OPT has no place.
    private static func readRecord(_ reader: inout DNSReader) throws -> DNSResourceRecord {
        guard case .record(let record) = try readEntry(&reader) else { throw DNSWireError.badOPT }
        return record
    }

    private static func readEntry(_ reader: inout DNSReader) throws -> Entry {
        let name = try DNSName.read(from: &reader)
        let type = DNSRecordType(try reader.u16())
        let rawClass = try reader.u16()
        let ttl = try reader.u32()
        let length = Int(try reader.u16())
        guard reader.remaining >= length else { throw DNSWireError.truncated(offset: reader.offset) }
        let end = reader.offset + length
        if type == .opt {
            guard name.isRoot else { throw DNSWireError.badOPT }
            var options: [DNSEDNSOption] = []
            while reader.offset < end {
                let code = try reader.u16()
                let optionLength = Int(try reader.u16())
                guard end - reader.offset >= optionLength else {
                    throw DNSWireError.badRecordData(type: type.rawValue, offset: reader.offset)
                }
                options.append(DNSEDNSOption(code: code, data: Array(try reader.take(optionLength))))
            }
            guard reader.offset == end else { throw DNSWireError.badRecordData(type: type.rawValue, offset: end) }
            let opt = DNSEDNS(udpPayloadSize: rawClass, version: UInt8(truncatingIfNeeded: ttl >> 16),
                              dnssecOK: ttl & 0x8000 != 0, options: options)
            return .opt(opt, extendedRCode: UInt8(truncatingIfNeeded: ttl >> 24))
        }
        let data = try readData(type: type, end: end, &reader)
        return .record(DNSResourceRecord(name: name, class: DNSClass(rawClass), ttl: ttl, data: data))
    }

    /// Reads RDATA that ends at `end` (already checked to be inside the message). A name in it
    /// may point anywhere earlier in the message, but its own bytes must end by `end`.
    private static func readData(type: DNSRecordType, end: Int, _ reader: inout DNSReader) throws -> DNSRecordData {
        let start = reader.offset
        func name() throws -> DNSName {
            let name = try DNSName.read(from: &reader)
            guard reader.offset <= end else { throw DNSWireError.badRecordData(type: type.rawValue, offset: start) }
            return name
        }
        func u32() throws -> UInt32 {
            guard end - reader.offset >= 4 else { throw DNSWireError.badRecordData(type: type.rawValue, offset: start) }
            return try reader.u32()
        }
        let data: DNSRecordData
        switch type {
        case .a:
            guard end - start == 4 else { throw DNSWireError.badRecordData(type: type.rawValue, offset: start) }
            data = .a(IPv4Address(try reader.u32()))
        case .aaaa:
            guard end - start == 16 else { throw DNSWireError.badRecordData(type: type.rawValue, offset: start) }
            let high = UInt64(try reader.u32()) << 32 | UInt64(try reader.u32())
            let low = UInt64(try reader.u32()) << 32 | UInt64(try reader.u32())
            data = .aaaa(IPv6Address(high: high, low: low))
        case .ns: data = .ns(try name())
        case .cname: data = .cname(try name())
        case .ptr: data = .ptr(try name())
        case .mx:
            guard end - start >= 2 else { throw DNSWireError.badRecordData(type: type.rawValue, offset: start) }
            let preference = try reader.u16()
            data = .mx(preference: preference, exchange: try name())
        case .soa:
            let mname = try name(), rname = try name()
            data = .soa(DNSSOA(mname: mname, rname: rname, serial: try u32(), refresh: try u32(),
                               retry: try u32(), expire: try u32(), minimum: try u32()))
        case .txt:
            var strings: [[UInt8]] = []
            while reader.offset < end {
                let count = Int(try reader.u8())
                guard end - reader.offset >= count else {
                    throw DNSWireError.badRecordData(type: type.rawValue, offset: reader.offset)
                }
                strings.append(Array(try reader.take(count)))
            }
            data = .txt(strings)
        default:
            data = .other(type: type, bytes: Array(try reader.take(end - start)))
        }
        guard reader.offset == end else { throw DNSWireError.badRecordData(type: type.rawValue, offset: start) }
        return data
    }
}
