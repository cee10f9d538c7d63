/// A record (or query) type. A struct rather than an enum: any 16-bit value may arrive and is
/// passed through unchanged.
public struct DNSRecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The value on the wire.
    public var rawValue: UInt16
    /// Any value, known or not.
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Any value, known or not.
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    /// An IPv4 address (RFC 1035).
    public static let a = DNSRecordType(1)
    /// A name server of a zone.
    public static let ns = DNSRecordType(2)
    /// An alias: the canonical name.
    public static let cname = DNSRecordType(5)
    /// The start of a zone of authority.
    public static let soa = DNSRecordType(6)
    /// A pointer, for reverse lookups.
    public static let ptr = DNSRecordType(12)
    /// A mail exchange.
    public static let mx = DNSRecordType(15)
    /// Text strings.
    public static let txt = DNSRecordType(16)
    /// An IPv6 address (RFC 3596).
    public static let aaaa = DNSRecordType(28)
    /// The EDNS pseudo-record (RFC 6891); parsed into `DNSMessage.edns`.
    public static let opt = DNSRecordType(41)
    /// Query type ANY (`*`).
    public static let any = DNSRecordType(255)

    /// The mnemonic of RFC 1035 and later, or a number for an unknown value.
    public var description: String {
        switch self {
        case .a: "A"
        case .ns: "NS"
        case .cname: "CNAME"
        case .soa: "SOA"
        case .ptr: "PTR"
        case .mx: "MX"
        case .txt: "TXT"
        case .aaaa: "AAAA"
        case .opt: "OPT"
        case .any: "ANY"
        default: "TYPE\(rawValue)"  // RFC 3597 §5
        }
    }
}

/// A record class; in practice always IN.
public struct DNSClass: RawRepresentable, Hashable, Sendable {
    /// The value on the wire.
    public var rawValue: UInt16
    /// Any value, known or not.
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Any value, known or not.
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    /// The Internet.
    public static let `in` = DNSClass(1)
    /// CHAOS (`version.bind` and friends).
    public static let chaos = DNSClass(3)
    /// Query class ANY.
    public static let any = DNSClass(255)
}

/// The kind of query in the header (4 bits).
public struct DNSOpcode: RawRepresentable, Hashable, Sendable {
    /// The value on the wire.
    public var rawValue: UInt8
    /// Keeps the low 4 bits: that is all the header has room for.
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x0F }

    /// A standard query, the only one berth-dns answers.
    public static let query = DNSOpcode(rawValue: 0)
    /// NOTIFY (RFC 1996).
    public static let notify = DNSOpcode(rawValue: 4)
    /// UPDATE (RFC 2136).
    public static let update = DNSOpcode(rawValue: 5)
}

/// A response code: 4 bits in the header, 12 with the 8 more an OPT record carries (RFC 6891).
public struct DNSResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The value on the wire.
    public var rawValue: UInt16
    /// Keeps the low 12 bits, the most the header and OPT together can carry.
    public init(rawValue: UInt16) { self.rawValue = rawValue & 0x0FFF }

    /// NOERROR: success (with or without answers).
    public static let noError = DNSResponseCode(rawValue: 0)
    /// FORMERR: the query could not be parsed.
    public static let formatError = DNSResponseCode(rawValue: 1)
    /// SERVFAIL: the server could not answer (an upstream failed).
    public static let serverFailure = DNSResponseCode(rawValue: 2)
    /// NXDOMAIN: the name does not exist (for any type).
    public static let nameError = DNSResponseCode(rawValue: 3)
    /// NOTIMP: an opcode the server does not support.
    public static let notImplemented = DNSResponseCode(rawValue: 4)
    /// REFUSED: the server will not answer this client.
    public static let refused = DNSResponseCode(rawValue: 5)
    /// BADVERS: the query's EDNS version is not one this server speaks (needs OPT to be sent).
    public static let badVersion = DNSResponseCode(rawValue: 16)

    /// The mnemonic of RFC 1035 and later, or a number for an unknown value.
    public var description: String {
        switch self {
        case .noError: "NOERROR"
        case .formatError: "FORMERR"
        case .serverFailure: "SERVFAIL"
        case .nameError: "NXDOMAIN"
        case .notImplemented: "NOTIMP"
        case .refused: "REFUSED"
        case .badVersion: "BADVERS"
        default: "RCODE\(rawValue)"
        }
    }
}
