import BerthAddress
import BerthDNSWire

/// What to do with one query.
public enum DNSDecision: Sendable {
    /// Send these bytes back (already serialized and truncated for the transport).
    case respond([UInt8])
    /// Forward `query` (parsed) to `upstreams` (nil = the host's resolv.conf servers). The server
    /// does the forwarding and answers with the upstream's reply (or SERVFAIL).
    case forward(DNSMessage, upstreams: [IPAddress]?)
    /// Say nothing (unparsable junk with < 12 bytes, or a message with QR set).
    case drop
}

/// How the query arrived.
public enum DNSTransport: Sendable {
    /// A datagram: the response is cut to the client's EDNS size, or 512 bytes.
    case udp
    /// A TCP connection: up to 65,535 bytes.
    case tcp

    /// The largest response `query` may get on this transport.
    func responseLimit(for query: DNSMessage) -> Int {
        self == .tcp ? DNSMessage.maxSize : query.maxUDPResponseSize
    }
}

/// Counters kinds the decision belongs to (the server counts them for `berth dns status`).
public enum DNSOutcome: Sendable {
    /// Answered from the snapshot (records, or a PTR).
    case local
    /// NXDOMAIN for a name in a Berth zone.
    case nxdomain
    /// NOERROR without records: the name exists, not with that type.
    case nodata
    /// REFUSED: not a client of the listener's network, not class IN, or an internal network.
    case refused
    /// Handed to the server to forward.
    case forwarded
    /// FORMERR: unparsable, or not one question.
    case formerr
    /// NOTIMP: an opcode other than QUERY.
    case notimp
    /// BADVERS: an EDNS version above 0.
    case badvers
    /// Nothing sent.
    case dropped
}
