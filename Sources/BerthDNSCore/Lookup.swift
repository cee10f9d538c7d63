import BerthAddress
import BerthDNSWire

/// One query being answered from the snapshot: the question lowered once, the client's
/// visible networks, and the ways to write an answer. Made for every query: it holds few
/// references (each is a retain and a release per query).
struct Lookup {
    let query: DNSMessage
    /// The snapshot's networks (not the snapshot: fewer references to copy).
    let networks: [String: NetworkIndex]
    let generation: UInt64
    /// The listener's network, already looked up (usually the only visible one).
    let listenerName: String
    let listener: NetworkIndex
    let limit: Int
    /// Varies per query: where a list of several addresses starts.
    let rotation: Int
    /// The client's container's DNS networks (a network appears once per endpoint on it).
    let visible: [String]
    /// The question's name, lowered wire form: every comparison is on these bytes.
    let lowered: [UInt8]
    /// The name already matched by the fast path (nil: match it here).
    let match: NameMatch?

    init(query: DNSMessage, snapshot: DNSSnapshot, listenerName: String, listener: NetworkIndex, limit: Int,
         rotation: Int, visible: [String], match: NameMatch? = nil) {
        self.query = query
        self.networks = snapshot.index
        self.generation = snapshot.generation
        self.listenerName = listenerName
        self.listener = listener
        self.limit = limit
        self.rotation = rotation
        self.visible = visible
        self.lowered = WireName.lowered(query.questions[0].name)
        self.match = match
    }

    /// The question (decide checked there is exactly one).
    var question: DNSQuestion { query.questions[0] }

    func isVisible(_ network: String) -> Bool { visible.contains(network) }

    /// RA: recursion is offered where the listener may forward.
    var recursionAvailable: Bool { !listener.entry.isInternal }

    /// An authoritative answer with `answers`.
    func answer(_ answers: [DNSResourceRecord]) -> (DNSDecision, DNSOutcome) {
        var response = query.response(authoritative: true)
        response.recursionAvailable = recursionAvailable
        response.answers = answers
        return (.respond(response.serialize(maxSize: limit)), .local)
    }

    /// NXDOMAIN (`exists` false) or NODATA (`exists` true) with the SOA of `zone`.
    func negative(zone: Zone, exists: Bool) -> (DNSDecision, DNSOutcome) {
        let soa = zone.soa(generation: generation)
        var response = exists ? query.noDataResponse(soa: soa) : query.nameErrorResponse(soa: soa)
        response.recursionAvailable = recursionAvailable
        return (.respond(response.serialize(maxSize: limit)), exists ? .nodata : .nxdomain)
    }
}
