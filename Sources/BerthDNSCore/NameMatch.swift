/// What the client's visible networks say about a question's name (docs/dns.md rules 1 and 2),
/// before any answer is written: shared by `Lookup` (every answer) and `FastAnswer` (positive
/// A/AAAA answers written straight to bytes), so both match names by one rule.
enum NameMatch {
    /// Endpoints answer to the name (records of the type asked may still be missing: NODATA).
    case found(Found)
    /// The name is a visible network's domain itself.
    case apex(Zone)
    /// The name is under a visible zone and nobody answers to it: NXDOMAIN.
    case negative(Zone)
    /// Not Berth's name (rule 4).
    case none

    /// Matches `lowered` (the question's name, lowered wire form) as `X`, `X.N` and `X.D` on
    /// each network in `visible` (once each; the listener's index is already at hand).
    static func match(_ lowered: [UInt8], visible: [String], listenerName: String, listener: NetworkIndex,
                      networks: [String: NetworkIndex]) -> NameMatch {
        var found = Found()
        var negativeZone: Zone?  // rule 2: under a visible zone, not found
        var apexZone: Zone?      // the question is a visible domain itself
        func visit(_ network: NetworkIndex) {
            let settings = network.settings
            if let owners = network.names[NameKey(lowered)] {
                found.add(owners, zone: settings.domainZone ?? settings.nameZone)
            }
            /// `X.suffix`: X's owners, or the zone that denies X.
            func below(_ suffix: [UInt8]?, zone: Zone?) {
                guard let suffix, let cut = WireName.cut(lowered, below: suffix) else { return }
                if let owners = network.names[NameKey(lowered[..<cut])] {
                    found.add(owners, zone: zone)
                } else if negativeZone == nil {
                    negativeZone = zone
                }
            }
            below(settings.nameSuffix, zone: settings.nameZone)
            below(settings.domainSuffix, zone: settings.domainZone)
            if apexZone == nil, let domain = settings.domainSuffix, lowered == domain { apexZone = settings.domainZone }
        }
        for (i, name) in visible.enumerated() where !visible[..<i].contains(name) {
            if name == listenerName {
                visit(listener)
            } else if let network = networks[name] {
                visit(network)
            }
        }
        if found.sources > 0 { return .found(found) }
        if let apexZone { return .apex(apexZone) }
        if let negativeZone { return .negative(negativeZone) }
        return .none
    }
}
