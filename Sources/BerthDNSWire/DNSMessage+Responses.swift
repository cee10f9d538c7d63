extension DNSMessage {
    /// The EDNS version this codec speaks; a query with a higher one gets BADVERS.
    public static let ednsVersion: UInt8 = 0

    /// The largest UDP response this query may get: its EDNS payload size (never below 512,
    /// RFC 6891 §6.2.3), or 512 without EDNS (RFC 1035 §4.2.1).
    public var maxUDPResponseSize: Int {
        guard let edns else { return 512 }
        return max(512, Int(edns.udpPayloadSize))
    }

    /// Whether the query asks for an EDNS version above the one spoken here: answer it with
    /// `response(rcode: .badVersion)` and nothing else (RFC 6891 §6.1.3).
    public var hasUnsupportedEDNSVersion: Bool { (edns?.version ?? 0) > Self.ednsVersion }

    /// The skeleton of a response to this query: same id and opcode, QR set, RD and CD copied,
    /// the questions echoed exactly as received (case included), no records yet. When the
    /// query had an OPT record the response has one too (RFC 6891 §7), version 0, offering
    /// `udpPayloadSize`; DO is left clear, as a server without DNSSEC must (RFC 3225 §3).
    public func response(rcode: DNSResponseCode = .noError, authoritative: Bool = false,
                         udpPayloadSize: UInt16 = 1232) -> DNSMessage {
        DNSMessage(id: id, isResponse: true, opcode: opcode, isAuthoritative: authoritative,
                   recursionDesired: recursionDesired, checkingDisabled: checkingDisabled,
                   rcode: rcode, questions: questions,
                   edns: edns.map { _ in DNSEDNS(udpPayloadSize: udpPayloadSize) })
    }

    /// NXDOMAIN for a name that does not exist (for any type): authoritative, with the zone's
    /// SOA in the authority section so resolvers can cache the answer (RFC 2308 §3).
    public func nameErrorResponse(soa: DNSResourceRecord, udpPayloadSize: UInt16 = 1232) -> DNSMessage {
        var response = response(rcode: .nameError, authoritative: true, udpPayloadSize: udpPayloadSize)
        response.authority = [soa]
        return response
    }

    /// NODATA for a name that exists without records of the type asked (an AAAA query for an
    /// IPv4-only name): NOERROR, no answers, the zone's SOA in authority (RFC 2308 §2.2).
    public func noDataResponse(soa: DNSResourceRecord, udpPayloadSize: UInt16 = 1232) -> DNSMessage {
        var response = response(rcode: .noError, authoritative: true, udpPayloadSize: udpPayloadSize)
        response.authority = [soa]
        return response
    }

    /// A FORMERR response to bytes that did not parse as a message, echoing the id, opcode,
    /// RD and the questions when those parsed (otherwise none). Nil when there is nothing to
    /// answer: fewer than 12 bytes, or a message with QR set (answering a response could start
    /// a loop between two servers).
    public static func formatErrorResponse(toUnparsable bytes: [UInt8]) -> DNSMessage? {
        guard bytes.count >= headerSize, bytes[2] & 0x80 == 0 else { return nil }
        var reader = DNSReader(bytes)
        let query: DNSMessage
        if let parsed = try? DNSMessage(reading: &reader, questionsOnly: true) {
            query = parsed
        } else {
            // The header alone, its counts zeroed so that nothing more is read.
            reader = DNSReader(Array(bytes.prefix(4)) + [UInt8](repeating: 0, count: 8))
            query = (try? DNSMessage(reading: &reader, questionsOnly: true)) ?? DNSMessage()
        }
        return query.response(rcode: .formatError)
    }

    /// An SOA record for a zone berth-dns is authoritative for, as the authority section of a
    /// negative answer wants it: its TTL is the negative-caching TTL (RFC 2308 §5, the lesser
    /// of the record's TTL and MINIMUM, so both are `negativeTTL`).
    public static func authoritySOA(zone: DNSName, serial: UInt32, negativeTTL: UInt32 = 0) -> DNSResourceRecord {
        // A zone too long to take one more label names itself (still a valid SOA).
        let mname = (try? DNSName(labels: [Array("ns".utf8)] + zone.labels.map(Array.init))) ?? zone
        let rname = (try? DNSName(labels: [Array("hostmaster".utf8)] + zone.labels.map(Array.init))) ?? zone
        return DNSResourceRecord(name: zone, ttl: negativeTTL, data: .soa(DNSSOA(
            mname: mname, rname: rname, serial: serial, refresh: 3600, retry: 600,
            expire: 86400, minimum: negativeTTL)))
    }
}
