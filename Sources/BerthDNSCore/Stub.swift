// TEMPORARY stub of the BerthDNSCore API (/work/notes/core-api.md) so berth-dns builds and can be
// tested before the real module lands. Deleted before the server's branch is merged.
import BerthAddress
import BerthDNSWire

public struct DNSNetworkEntry: Sendable, Equatable {
    public var name: String
    public var domain: String
    public var isInternal: Bool
    public var upstreams: [IPAddress]
    public var subnet: IPv4Subnet?
    public var gateway: IPv4Address?
    public var subnet6: IPv6Subnet?
    public var gateway6: IPv6Address?
    public init(name: String, domain: String, isInternal: Bool, upstreams: [IPAddress], subnet: IPv4Subnet?,
                gateway: IPv4Address?, subnet6: IPv6Subnet?, gateway6: IPv6Address?) {
        self.name = name; self.domain = domain; self.isInternal = isInternal; self.upstreams = upstreams
        self.subnet = subnet; self.gateway = gateway; self.subnet6 = subnet6; self.gateway6 = gateway6
    }
}

public struct DNSContainerKey: Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64
    public init(device: UInt64, inode: UInt64) { self.device = device; self.inode = inode }
}

public struct DNSEndpointEntry: Sendable, Equatable {
    public var id: String
    public var network: String
    public var container: DNSContainerKey
    public var name: String?
    public var aliases: [String]
    public var address: IPv4Address?
    public var address6: IPv6Address?
    public init(id: String, network: String, container: DNSContainerKey, name: String?, aliases: [String],
                address: IPv4Address?, address6: IPv6Address?) {
        self.id = id; self.network = network; self.container = container; self.name = name
        self.aliases = aliases; self.address = address; self.address6 = address6
    }
}

public struct DNSSnapshot: Sendable {
    public static let empty = DNSSnapshot(generation: 0, networks: [], endpoints: [])
    public let generation: UInt64
    public let networks: [String: DNSNetworkEntry]
    let endpoints: [String: DNSEndpointEntry]
    public init(generation: UInt64, networks: [DNSNetworkEntry], endpoints: [DNSEndpointEntry]) {
        self.generation = generation
        self.networks = Dictionary(networks.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
        self.endpoints = Dictionary(endpoints.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
    }
    private init(generation: UInt64, networks: [String: DNSNetworkEntry], endpoints: [String: DNSEndpointEntry]) {
        self.generation = generation; self.networks = networks; self.endpoints = endpoints
    }
    public var endpointCount: Int { endpoints.count }
    public var nameCount: Int { endpoints.values.reduce(0) { $0 + ($1.name == nil ? 0 : 1) + $1.aliases.count } }
    public func updating(network: DNSNetworkEntry?, named name: String, generation: UInt64) -> DNSSnapshot {
        var n = networks, e = endpoints
        n[name] = network
        if network == nil { e = e.filter { $0.value.network != name } }
        return DNSSnapshot(generation: generation, networks: n, endpoints: e)
    }
    public func updating(endpoint: DNSEndpointEntry?, id: String, generation: UInt64) -> DNSSnapshot {
        var e = endpoints
        e[id] = endpoint
        return DNSSnapshot(generation: generation, networks: networks, endpoints: e)
    }
}

public enum DNSDecision: Sendable {
    case respond([UInt8])
    case forward(DNSMessage, upstreams: [IPAddress]?)
    case drop
}

public enum DNSTransport: Sendable { case udp, tcp }

public enum DNSOutcome: Sendable { case local, nxdomain, nodata, refused, forwarded, formerr, notimp, badvers, dropped }

public struct DNSResolver: Sendable {
    public static func decide(_ bytes: some Collection<UInt8>, from client: IPAddress, listenerNetwork: String,
                              transport: DNSTransport, snapshot: DNSSnapshot, rotation: Int) -> (DNSDecision, DNSOutcome) {
        let raw = Array(bytes)
        guard let query = try? DNSMessage(parsing: raw) else {
            if let r = DNSMessage.formatErrorResponse(toUnparsable: raw) { return (.respond(r.serialize()), .formerr) }
            return (.drop, .dropped)
        }
        if query.isResponse { return (.drop, .dropped) }
        guard let network = snapshot.networks[listenerNetwork],
              let me = snapshot.endpoints.values.first(where: {
                  $0.network == listenerNetwork && ($0.address.map(IPAddress.v4) == client || $0.address6.map(IPAddress.v6) == client)
              }), let q = query.questions.first
        else { return (.respond(query.response(rcode: .refused).serialize(maxSize: 512)), .refused) }
        _ = me
        let text = q.name.description.lowercased().trimmingCharacters(dot: true)
        let candidates = snapshot.endpoints.values.filter { e in
            e.network == listenerNetwork && ([e.name].compactMap { $0 } + e.aliases).contains { n in
                text == n || text == n + "." + listenerNetwork || text == n + "." + network.domain
            }
        }
        if !candidates.isEmpty {
            var r = query.response(authoritative: true)
            for c in candidates {
                if q.type == .a, let a = c.address { r.answers.append(DNSResourceRecord(name: q.name, ttl: 0, data: .a(a))) }
                if q.type == .aaaa, let a = c.address6 { r.answers.append(DNSResourceRecord(name: q.name, ttl: 0, data: .aaaa(a))) }
            }
            return (.respond(r.serialize(maxSize: transport == .udp ? query.maxUDPResponseSize : 65535)), .local)
        }
        if network.isInternal { return (.respond(query.response(rcode: .refused).serialize(maxSize: 512)), .refused) }
        return (.forward(query, upstreams: network.upstreams.isEmpty ? nil : network.upstreams), .forwarded)
    }
    public static func relay(_ upstreamReply: DNSMessage, to query: DNSMessage, transport: DNSTransport) -> [UInt8] {
        var r = upstreamReply
        r.id = query.id
        r.questions = query.questions
        return r.serialize(maxSize: transport == .udp ? query.maxUDPResponseSize : 65535)
    }
    public static func serverFailure(for query: DNSMessage, transport: DNSTransport) -> [UInt8] {
        query.response(rcode: .serverFailure).serialize(maxSize: 512)
    }
}

extension String {
    fileprivate func trimmingCharacters(dot: Bool) -> String { hasSuffix(".") ? String(dropLast()) : self }
}

public enum ResolvConf {
    public static func nameservers(in text: String) -> [IPAddress] {
        var out: [IPAddress] = []
        for line in text.split(separator: "\n") {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard f.count >= 2, f[0] == "nameserver" else { continue }
            let a = f[1].split(separator: "%").first.map(String.init) ?? ""
            if let ip = IPAddress(a), !out.contains(ip) { out.append(ip) }
        }
        return out
    }
}

public struct UpstreamPlan: Sendable {
    public static let overallDeadline: Duration = .milliseconds(3500)
    let upstreams: [IPAddress]
    var index = 0
    public init(upstreams: [IPAddress]) { self.upstreams = upstreams }
    public var perAttemptTimeout: Duration {
        guard !upstreams.isEmpty else { return .seconds(1) }
        let ms = min(1000, max(250, 3000 / upstreams.count))
        return .milliseconds(ms)
    }
    public mutating func nextUpstream() -> IPAddress? {
        guard index < upstreams.count else { return nil }
        defer { index += 1 }
        return upstreams[index]
    }
    public static func judge(_ reply: DNSMessage) -> UpstreamVerdict {
        if reply.isTruncated { return .retryOverTCP }
        if reply.rcode == .serverFailure || reply.rcode == .refused { return .tryNext }
        return .accept
    }
}
public enum UpstreamVerdict: Sendable, Equatable { case accept, tryNext, retryOverTCP }
