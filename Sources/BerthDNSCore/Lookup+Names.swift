import BerthAddress
import BerthDNSWire

extension Lookup {
    /// Rules 1 and 2: `X`, `X.N` and `X.D` on the visible networks, answered or denied here;
    /// nil for a name that is not Berth's (rule 4).
    func forwardName() -> (DNSDecision, DNSOutcome)? {
        var found = Found()
        var negativeZone: DNSName?  // rule 2: under a visible zone, not found
        var apexZone: DNSName?      // the question is a visible domain itself
        visibleNetworks { network in
            if let owners = network.names[NameKey(lowered)] {
                found.add(owners, zone: network.domainZone ?? network.nameZone)
            }
            if let suffix = network.nameSuffix, let cut = WireName.cut(lowered, below: suffix) {
                if let owners = network.names[NameKey(lowered[..<cut])] {
                    found.add(owners, zone: network.nameZone)
                } else if negativeZone == nil {
                    negativeZone = network.nameZone
                }
            }
            if let suffix = network.domainSuffix {
                if let cut = WireName.cut(lowered, below: suffix) {
                    if let owners = network.names[NameKey(lowered[..<cut])] {
                        found.add(owners, zone: network.domainZone)
                    } else if negativeZone == nil {
                        negativeZone = network.domainZone
                    }
                } else if apexZone == nil, lowered == suffix {
                    apexZone = network.domainZone
                }
            }
        }
        if found.sources > 0 { return answer(found) }
        if let apexZone { return apex(apexZone) }
        if let negativeZone { return negative(zone: negativeZone, exists: false) }
        return nil
    }

    private func answer(_ found: Found) -> (DNSDecision, DNSOutcome) {
        let type = question.type
        var answers: [DNSResourceRecord] = []
        if type == .a || type == .any {
            for address in found.addresses({ $0.address }, rotation: rotation) {
                answers.append(DNSResourceRecord(name: question.name, ttl: 0, data: .a(address)))
            }
        }
        if type == .aaaa || type == .any {
            for address in found.addresses({ $0.address6 }, rotation: rotation) {
                answers.append(DNSResourceRecord(name: question.name, ttl: 0, data: .aaaa(address)))
            }
        }
        if answers.isEmpty, let zone = found.zone { return negative(zone: zone, exists: true) }
        return answer(answers)
    }

    /// The zone's own name: it exists (its SOA), so NODATA for other types, never NXDOMAIN
    /// (which would deny every name below it, RFC 8020).
    private func apex(_ zone: DNSName) -> (DNSDecision, DNSOutcome) {
        guard question.type == .soa || question.type == .any else { return negative(zone: zone, exists: true) }
        var soa = DNSMessage.authoritySOA(zone: zone, serial: UInt32(truncatingIfNeeded: snapshot.generation))
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
    private(set) var zone: DNSName?

    mutating func add(_ more: [NameOwner], zone: DNSName?) {
        if sources == 0 { owners = more } else { owners += more }
        sources += 1
        if self.zone == nil { self.zone = zone }
    }

    /// The addresses of one family, each once, rotated by `rotation`.
    func addresses<Address: Hashable>(_ field: (NameOwner) -> Address?, rotation: Int) -> [Address] {
        var result = owners.compactMap(field)
        if sources > 1 {
            var seen = Set<Address>()
            result = result.filter { seen.insert($0).inserted }
        }
        guard result.count > 1 else { return result }
        let start = Int(rotation.magnitude % UInt(result.count))
        return Array(result[start...] + result[..<start])
    }
}
