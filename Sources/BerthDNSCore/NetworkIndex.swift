import BerthAddress
import BerthDNSWire

/// One endpoint's part in a name's answer.
struct NameOwner: Sendable {
    let id: String
    let address: IPv4Address?
    let address6: IPv6Address?
}

/// One endpoint holding an address: whom a query from it comes from, and what a PTR for it says.
struct AddressOwner: Sendable {
    let id: String
    let container: DNSContainerKey
    /// `NAME.NETWORK.` (the name, else the first alias); nil when it has neither.
    let ptrTarget: DNSName?
}

/// A network's settings and what is derived from them, made once per change of the network.
/// A class of constants: the query path copies a network's index out of a dictionary, and a
/// reference is one retain where the fields would be a dozen.
final class NetworkSettings: Sendable {
    let entry: DNSNetworkEntry
    /// Lowered wire forms of the network's name and domain, the suffixes of `X.N` and `X.D`.
    let nameSuffix: [UInt8]?
    let domainSuffix: [UInt8]?
    /// The zones as configured (the owners of the SOA records in negative answers).
    let nameZone: Zone?
    let domainZone: Zone?
    /// The reverse zones of the subnets (`88.10.in-addr.arpa.`), cut at the last whole octet
    /// or nibble of the prefix.
    let reverseZone4: Zone?
    let reverseZone6: Zone?

    init(_ entry: DNSNetworkEntry) {
        self.entry = entry
        nameSuffix = WireName.lowered(entry.name)
        domainSuffix = WireName.lowered(entry.domain)
        nameZone = nameSuffix == nil ? nil : (try? DNSName(entry.name)).map(Zone.init)
        domainZone = domainSuffix == nil ? nil : (try? DNSName(entry.domain)).map(Zone.init)
        reverseZone4 = entry.subnet.map { Zone(NetworkIndex.reverseZone($0)) }
        reverseZone6 = entry.subnet6.map { Zone(NetworkIndex.reverseZone($0)) }
    }
}

/// A network's part of the snapshot: its settings, and its endpoints by name and by address.
///
/// Names are stored once, as `X`; `X.N` and `X.D` are found by cutting the suffix off the
/// question, so a name costs one table entry however many ways it can be asked.
struct NetworkIndex: Sendable {
    private(set) var settings: NetworkSettings
    /// `X` (lowered wire) → the endpoints answering to it.
    private(set) var names = ShardedDictionary<NameKey, [NameOwner]>()
    /// Address → the endpoints holding it (one, unless changes arrive out of order).
    private(set) var byAddress = ShardedDictionary<IPAddress, [AddressOwner]>()

    init(_ entry: DNSNetworkEntry) { settings = NetworkSettings(entry) }

    var entry: DNSNetworkEntry { settings.entry }

    /// Replaces the network's settings, keeping its endpoints (names do not depend on them;
    /// PTR targets do, but a network keeps its name while it exists).
    mutating func configure(_ entry: DNSNetworkEntry) { settings = NetworkSettings(entry) }

    /// The keys an endpoint answers to: its name and aliases, lowered, each once.
    static func keys(of endpoint: DNSEndpointEntry) -> [NameKey] {
        var keys: [NameKey] = []
        for text in [endpoint.name].compactMap({ $0 }) + endpoint.aliases {
            guard let wire = WireName.lowered(text) else { continue }
            let key = NameKey(wire)
            if !keys.contains(key) { keys.append(key) }
        }
        return keys
    }

    mutating func add(_ endpoint: DNSEndpointEntry) {
        let owner = NameOwner(id: endpoint.id, address: endpoint.address, address6: endpoint.address6)
        for key in Self.keys(of: endpoint) { names[key] = (names[key] ?? []) + [owner] }
        let target = ptrTarget(of: endpoint)
        for address in Self.addresses(of: endpoint) {
            byAddress[address] = (byAddress[address] ?? [])
                + [AddressOwner(id: endpoint.id, container: endpoint.container, ptrTarget: target)]
        }
    }

    mutating func remove(_ endpoint: DNSEndpointEntry) {
        for key in Self.keys(of: endpoint) {
            let rest = names[key]?.filter { $0.id != endpoint.id }
            names[key] = rest?.isEmpty == false ? rest : nil
        }
        for address in Self.addresses(of: endpoint) {
            let rest = byAddress[address]?.filter { $0.id != endpoint.id }
            byAddress[address] = rest?.isEmpty == false ? rest : nil
        }
    }

    private static func addresses(of endpoint: DNSEndpointEntry) -> [IPAddress] {
        [endpoint.address.map(IPAddress.v4), endpoint.address6.map(IPAddress.v6)].compactMap { $0 }
    }

    private func ptrTarget(of endpoint: DNSEndpointEntry) -> DNSName? {
        guard let host = endpoint.name ?? endpoint.aliases.first, let hostName = try? DNSName(host),
              !hostName.isRoot, let network = settings.nameZone?.name else { return nil }
        return try? DNSName(labels: hostName.labels + network.labels)
    }

    /// Whether `address` is inside one of the network's subnets, and that subnet's reverse zone.
    func reverseZone(containing address: IPAddress) -> Zone? {
        switch address {
        case .v4(let a): entry.subnet?.contains(a) == true ? settings.reverseZone4 : nil
        case .v6(let a): entry.subnet6?.contains(a) == true ? settings.reverseZone6 : nil
        }
    }

    static func reverseZone(_ subnet: IPv4Subnet) -> DNSName {
        let octets = subnet.network.bytes.prefix(subnet.prefixLength / 8)
        let labels = octets.reversed().map { Array(String($0).utf8) } + [Array("in-addr".utf8), Array("arpa".utf8)]
        return (try? DNSName(labels: labels)) ?? .root
    }

    static func reverseZone(_ subnet: IPv6Subnet) -> DNSName {
        let digits = Array("0123456789abcdef".utf8)
        var nibbles: [UInt8] = []
        for byte in subnet.network.bytes {
            nibbles.append(digits[Int(byte >> 4)])
            nibbles.append(digits[Int(byte & 0xF)])
        }
        let labels = nibbles.prefix(subnet.prefixLength / 4).reversed().map { [$0] } + [Array("ip6".utf8), Array("arpa".utf8)]
        return (try? DNSName(labels: labels)) ?? .root
    }
}
