import BerthAddress

/// One entry of the question section.
public struct DNSQuestion: Hashable, Sendable {
    /// The name asked about, in the case the client sent (echoed as is).
    public var name: DNSName
    /// The type asked for (ANY included).
    public var type: DNSRecordType
    /// The class; IN in practice.
    public var `class`: DNSClass

    /// A question for `name`.
    public init(name: DNSName, type: DNSRecordType, class: DNSClass = .in) {
        self.name = name
        self.type = type
        self.class = `class`
    }
}

/// A resource record of the answer, authority or additional section (OPT is not one of these:
/// it is `DNSMessage.edns`).
public struct DNSResourceRecord: Hashable, Sendable {
    /// The owner of the record.
    public var name: DNSName
    /// The class; IN in practice.
    public var `class`: DNSClass
    /// Seconds a resolver may cache the record.
    public var ttl: UInt32
    /// The RDATA, which also decides the type.
    public var data: DNSRecordData

    /// A record owned by `name`.
    public init(name: DNSName, class: DNSClass = .in, ttl: UInt32, data: DNSRecordData) {
        self.name = name
        self.class = `class`
        self.ttl = ttl
        self.data = data
    }

    /// The record's type, from its data.
    public var type: DNSRecordType { data.type }
}

/// The fields of an SOA record (RFC 1035 §3.3.13); `minimum` is the negative-caching TTL of
/// RFC 2308 §4.
public struct DNSSOA: Hashable, Sendable {
    /// The primary name server.
    public var mname: DNSName
    /// The mailbox of the person responsible, as a name (`hostmaster.berth.internal.`).
    public var rname: DNSName
    /// The zone's version; berth-dns bumps it with each snapshot of names.
    public var serial: UInt32
    /// Seconds before a secondary checks for a new serial.
    public var refresh: UInt32
    /// Seconds before a secondary retries a failed refresh.
    public var retry: UInt32
    /// Seconds after which a secondary stops answering without a refresh.
    public var expire: UInt32
    /// Seconds a resolver may cache a negative answer (RFC 2308 §4).
    public var minimum: UInt32

    /// An SOA from its fields.
    public init(mname: DNSName, rname: DNSName, serial: UInt32, refresh: UInt32, retry: UInt32,
                expire: UInt32, minimum: UInt32) {
        self.mname = mname
        self.rname = rname
        self.serial = serial
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimum = minimum
    }
}

/// Record data: typed for what berth-dns answers or must rewrite, opaque for everything else.
///
/// MX is typed although berth-dns never answers it, because its exchange name may be
/// compressed (RFC 1035): kept as bytes, a forwarded MX record would carry a pointer into a
/// message it is no longer part of. Types defined later may not be compressed (RFC 3597 §4),
/// so their bytes travel unchanged.
public enum DNSRecordData: Hashable, Sendable {
    case a(IPv4Address)
    case aaaa(IPv6Address)
    case ns(DNSName)
    case cname(DNSName)
    case ptr(DNSName)
    case mx(preference: UInt16, exchange: DNSName)
    case soa(DNSSOA)
    /// The character strings, each at most 255 bytes on the wire (longer ones are split when
    /// written).
    case txt([[UInt8]])
    /// Any other type, as the bytes of its RDATA.
    case other(type: DNSRecordType, bytes: [UInt8])

    /// The record type this data belongs to.
    public var type: DNSRecordType {
        switch self {
        case .a: .a
        case .aaaa: .aaaa
        case .ns: .ns
        case .cname: .cname
        case .ptr: .ptr
        case .mx: .mx
        case .soa: .soa
        case .txt: .txt
        case .other(let type, _): type
        }
    }
}

/// EDNS(0) parameters: the OPT pseudo-record of RFC 6891 §6.1. The extended part of the
/// response code is not here: `DNSMessage.rcode` holds all 12 bits.
public struct DNSEDNS: Hashable, Sendable {
    /// The largest UDP response the sender can receive (the OPT record's CLASS field).
    public var udpPayloadSize: UInt16
    /// The EDNS version; only 0 is defined, a query with any other gets BADVERS.
    public var version: UInt8
    /// DO: the sender wants DNSSEC records (RFC 3225).
    public var dnssecOK: Bool
    /// Options in the order received, uninterpreted.
    public var options: [DNSEDNSOption]

    /// EDNS parameters; 1232 bytes is the DNS Flag Day 2020 payload size, safe from fragmentation.
    public init(udpPayloadSize: UInt16 = 1232, version: UInt8 = 0, dnssecOK: Bool = false,
                options: [DNSEDNSOption] = []) {
        self.udpPayloadSize = udpPayloadSize
        self.version = version
        self.dnssecOK = dnssecOK
        self.options = options
    }
}

/// One EDNS option (code and data), kept opaque.
public struct DNSEDNSOption: Hashable, Sendable {
    /// The option code (10 for a cookie, 8 for client subnet…).
    public var code: UInt16
    /// The option's bytes.
    public var data: [UInt8]

    /// An option from its code and bytes.
    public init(code: UInt16, data: [UInt8]) {
        self.code = code
        self.data = data
    }
}
