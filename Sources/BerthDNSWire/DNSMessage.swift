/// A DNS message (RFC 1035 §4.1): header, question, answer, authority and additional sections.
///
/// A value: parse one with `init(parsing:)`, change it, write it with `serialize(maxSize:)`.
/// An OPT record is not kept among `additional`; it is `edns`, and its extended response code
/// is folded into `rcode`.
public struct DNSMessage: Hashable, Sendable {
    /// Matches a response to its query.
    public var id: UInt16
    /// QR: a response rather than a query.
    public var isResponse: Bool
    /// The kind of query, copied into the response.
    public var opcode: DNSOpcode
    /// AA: the answer comes from the zone's own server.
    public var isAuthoritative: Bool
    /// TC: the message was cut to fit; the client should retry over TCP.
    public var isTruncated: Bool
    /// RD: the client wants recursion (copied into the response).
    public var recursionDesired: Bool
    /// RA: the server offers recursion.
    public var recursionAvailable: Bool
    /// AD: the data was validated (DNSSEC, RFC 4035).
    public var authenticData: Bool
    /// CD: the client does its own validation (copied into the response, RFC 6840 §5.9).
    public var checkingDisabled: Bool
    /// The response code, with the extended bits of an OPT record (12 bits in all).
    public var rcode: DNSResponseCode
    /// What is asked; one question in practice.
    public var questions: [DNSQuestion]
    /// The records that answer the question.
    public var answers: [DNSResourceRecord]
    /// Records naming the authority (an SOA in a negative answer).
    public var authority: [DNSResourceRecord]
    /// The additional records, without the OPT record.
    public var additional: [DNSResourceRecord]
    /// The OPT record, when the message has one.
    public var edns: DNSEDNS?

    /// A message from its fields; every flag clear and every section empty by default.
    public init(id: UInt16 = 0, isResponse: Bool = false, opcode: DNSOpcode = .query,
                isAuthoritative: Bool = false, isTruncated: Bool = false, recursionDesired: Bool = false,
                recursionAvailable: Bool = false, authenticData: Bool = false,
                checkingDisabled: Bool = false, rcode: DNSResponseCode = .noError,
                questions: [DNSQuestion] = [], answers: [DNSResourceRecord] = [],
                authority: [DNSResourceRecord] = [], additional: [DNSResourceRecord] = [],
                edns: DNSEDNS? = nil) {
        self.id = id
        self.isResponse = isResponse
        self.opcode = opcode
        self.isAuthoritative = isAuthoritative
        self.isTruncated = isTruncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.authenticData = authenticData
        self.checkingDisabled = checkingDisabled
        self.rcode = rcode
        self.questions = questions
        self.answers = answers
        self.authority = authority
        self.additional = additional
        self.edns = edns
    }

    /// The size of the fixed header.
    public static let headerSize = 12

    /// The flags word of the header (without the extended rcode bits; Z always 0).
    var flags: UInt16 {
        var flags = UInt16(opcode.rawValue) << 11 | rcode.rawValue & 0x0F
        if isResponse { flags |= 0x8000 }
        if isAuthoritative { flags |= 0x0400 }
        if isTruncated { flags |= 0x0200 }
        if recursionDesired { flags |= 0x0100 }
        if recursionAvailable { flags |= 0x0080 }
        if authenticData { flags |= 0x0020 }
        if checkingDisabled { flags |= 0x0010 }
        return flags
    }
}
