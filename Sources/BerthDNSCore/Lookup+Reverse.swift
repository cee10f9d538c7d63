import BerthAddress
import BerthDNSWire

extension Lookup {
    /// Rule 3: the reverse name of an address inside a Berth DNS network's subnet is answered
    /// here, never forwarded (that would tell the upstream about Berth's addresses): a PTR to
    /// `NAME.NETWORK.` when the address is a visible endpoint's, else NXDOMAIN. Nil for any
    /// other name.
    func reverse() -> (DNSDecision, DNSOutcome)? {
        guard WireName.endsInArpa(lowered), let address = question.name.reverseAddress else { return nil }
        var ours: Zone?
        for (name, network) in networks {
            guard let zone = network.reverseZone(containing: address) else { continue }
            if ours == nil { ours = zone }
            guard isVisible(name),
                  let target = network.byAddress[address]?.lazy.compactMap(\.ptrTarget).first else { continue }
            guard question.type == .ptr || question.type == .any else { return negative(zone: zone, exists: true) }
            return answer([DNSResourceRecord(name: question.name, ttl: 0, data: .ptr(target))])
        }
        return ours.map { negative(zone: $0, exists: false) }
    }
}
