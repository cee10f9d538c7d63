import BerthAddress
import BerthDNSWire

extension Lookup {
    /// Rules 1 and 2: `X`, `X.N` and `X.D` on the visible networks, answered or denied here;
    /// nil for a name that is not Berth's (rule 4).
    func localName() -> (DNSDecision, DNSOutcome)? {
        switch match ?? NameMatch.match(lowered, visible: visible, listenerName: listenerName, listener: listener,
                                        networks: networks) {
        case .found(let found): answer(found)
        case .apex(let zone): apex(zone)
        case .negative(let zone): negative(zone: zone, exists: false)
        case .none: nil
        }
    }

    private func answer(_ found: Found) -> (DNSDecision, DNSOutcome) {
        let type = question.type
        var answers: [DNSResourceRecord] = []
        if type == .a || type == .any {
            found.records(into: &answers, owner: question.name, rotation: rotation) { $0.address.map { .a($0) } }
        }
        if type == .aaaa || type == .any {
            found.records(into: &answers, owner: question.name, rotation: rotation) { $0.address6.map { .aaaa($0) } }
        }
        if answers.isEmpty, let zone = found.zone { return negative(zone: zone, exists: true) }
        return answer(answers)
    }

    /// The zone's own name: it exists (its SOA), so NODATA for other types, never NXDOMAIN
    /// (which would deny every name below it, RFC 8020).
    private func apex(_ zone: Zone) -> (DNSDecision, DNSOutcome) {
        guard question.type == .soa || question.type == .any else { return negative(zone: zone, exists: true) }
        var soa = zone.soa(generation: generation)
        soa.name = question.name
        return answer([soa])
    }
}

/// The endpoints found for a question, from one or more (network, form) matches.
struct Found {
    private(set) var owners: [NameOwner] = []
    /// How many matches contributed (more than one may repeat an endpoint).
    private(set) var sources = 0
    /// The zone of the first match, for a NODATA answer's SOA.
    private(set) var zone: Zone?

    mutating func add(_ more: [NameOwner], zone: Zone?) {
        if sources == 0 { owners = more } else { owners += more }
        sources += 1
        if self.zone == nil { self.zone = zone }
    }

    /// Appends the records `data` makes of the owners (one family: each address once, TTL 0),
    /// starting at `rotation` and wrapping around.
    func records(into answers: inout [DNSResourceRecord], owner: DNSName, rotation: Int,
                 _ data: (NameOwner) -> DNSRecordData?) {
        forEach(rotation: rotation, data) { answers.append(DNSResourceRecord(name: owner, ttl: 0, data: $0)) }
    }

    /// Calls `body` with what `data` makes of each owner (nil: nothing), each value once,
    /// starting at `rotation` and wrapping around: the order of every answer, whichever way it
    /// is written (`records(into:)`, or `FastAnswer`'s bytes).
    func forEach<Value: Hashable>(rotation: Int, _ data: (NameOwner) -> Value?, _ body: (Value) -> Void) {
        // The common case, one endpoint: no intermediate arrays.
        if owners.count == 1 {
            if let value = data(owners[0]) { body(value) }
            return
        }
        var all = owners.compactMap(data)
        if sources > 1 {
            // Two matches may be one endpoint (`X` and `X.D` on one network).
            var seen = Set<Value>()
            all = all.filter { seen.insert($0).inserted }
        }
        guard !all.isEmpty else { return }
        let start = Int(rotation.magnitude % UInt(all.count))
        for k in 0..<all.count { body(all[(start + k) % all.count]) }
    }
}
