import BerthAddress
import BerthDNSCore
import BerthDNSWire
import XCTest

/// A small world of networks and containers, and helpers to ask it questions.
///
/// - frontend 10.88.0.0/16 + fd00:88::/64, domain berth.internal, host resolv.conf:
///   client .10, web .2 (+v6, alias www), cache .6 and .7 (shared alias `cache`), api .4
/// - backend 10.89.0.0/16, domain berth.internal, upstream 9.9.9.9: db .3 (alias database,
///   IPv4 only), api .4 (the same container as frontend's api: multi-homed), nameless .9
/// - secure 10.90.0.0/24, internal, domain corp.test: vault .2, agent .10
/// - other 10.91.0.0/16, domain other.test: secret .5 (no client container sees it)
enum Fixture {
    static func v4(_ text: String) -> IPv4Address { IPv4Address(text)! }
    static func v6(_ text: String) -> IPv6Address { IPv6Address(text)! }
    static func ip(_ text: String) -> IPAddress { IPAddress(text)! }
    static func key(_ n: UInt64) -> DNSContainerKey { DNSContainerKey(device: 4, inode: n) }

    static let frontend = DNSNetworkEntry(name: "frontend", domain: "berth.internal",
                                          subnet: IPv4Subnet("10.88.0.0/16"), gateway: v4("10.88.0.1"),
                                          subnet6: IPv6Subnet("fd00:88::/64"), gateway6: v6("fd00:88::1"))
    static let backend = DNSNetworkEntry(name: "backend", domain: "berth.internal", upstreams: [ip("9.9.9.9")],
                                         subnet: IPv4Subnet("10.89.0.0/16"), gateway: v4("10.89.0.1"))
    static let secure = DNSNetworkEntry(name: "secure", domain: "corp.test", isInternal: true,
                                        subnet: IPv4Subnet("10.90.0.0/24"), gateway: v4("10.90.0.1"))
    static let other = DNSNetworkEntry(name: "other", domain: "other.test",
                                       subnet: IPv4Subnet("10.91.0.0/16"), gateway: v4("10.91.0.1"))

    static let endpoints: [DNSEndpointEntry] = [
        DNSEndpointEntry(id: "e-client", network: "frontend", container: key(1), name: "client",
                         address: v4("10.88.0.10"), address6: v6("fd00:88::10")),
        DNSEndpointEntry(id: "e-web", network: "frontend", container: key(2), name: "web", aliases: ["www"],
                         address: v4("10.88.0.2"), address6: v6("fd00:88::2")),
        DNSEndpointEntry(id: "e-cache1", network: "frontend", container: key(3), name: "cache-1",
                         aliases: ["cache"], address: v4("10.88.0.6")),
        DNSEndpointEntry(id: "e-cache2", network: "frontend", container: key(4), name: "cache-2",
                         aliases: ["Cache"], address: v4("10.88.0.7")),
        DNSEndpointEntry(id: "e-api-f", network: "frontend", container: key(5), name: "api", address: v4("10.88.0.4")),
        DNSEndpointEntry(id: "e-api-b", network: "backend", container: key(5), name: "api", address: v4("10.89.0.4")),
        DNSEndpointEntry(id: "e-db", network: "backend", container: key(6), name: "db", aliases: ["database"],
                         address: v4("10.89.0.3")),
        DNSEndpointEntry(id: "e-anon", network: "backend", container: key(7), address: v4("10.89.0.9")),
        DNSEndpointEntry(id: "e-vault", network: "secure", container: key(8), name: "vault", address: v4("10.90.0.2")),
        DNSEndpointEntry(id: "e-agent", network: "secure", container: key(9), name: "agent", address: v4("10.90.0.10")),
        DNSEndpointEntry(id: "e-secret", network: "other", container: key(10), name: "secret", address: v4("10.91.0.5")),
    ]

    static let snapshot = DNSSnapshot(generation: 7, networks: [frontend, backend, secure, other], endpoints: endpoints)

    /// A query's bytes: id 0x4242, RD set.
    static func query(_ name: String, _ type: DNSRecordType, id: UInt16 = 0x4242, edns: DNSEDNS? = nil,
                      class: DNSClass = .in) -> [UInt8] {
        DNSMessage(id: id, recursionDesired: true,
                   questions: [DNSQuestion(name: try! DNSName(name), type: type, class: `class`)],
                   edns: edns).serialize()
    }

    /// What the resolver decides for raw bytes.
    static func decide(_ bytes: [UInt8], from client: String = "10.88.0.10", on network: String = "frontend",
                       transport: DNSTransport = .udp, snapshot: DNSSnapshot = snapshot,
                       rotation: Int = 0) -> (DNSDecision, DNSOutcome) {
        DNSResolver.decide(bytes, from: ip(client), listenerNetwork: network, transport: transport,
                           snapshot: snapshot, rotation: rotation)
    }

    /// The response the resolver sends, parsed; fails the test when it forwards or drops.
    static func respond(_ bytes: [UInt8], from client: String = "10.88.0.10", on network: String = "frontend",
                        transport: DNSTransport = .udp, snapshot: DNSSnapshot = snapshot, rotation: Int = 0,
                        file: StaticString = #filePath, line: UInt = #line) throws -> (DNSMessage, DNSOutcome, Int) {
        let (decision, outcome) = decide(bytes, from: client, on: network, transport: transport,
                                         snapshot: snapshot, rotation: rotation)
        guard case .respond(let reply) = decision else {
            XCTFail("expected a response, got \(decision)", file: file, line: line)
            throw CancellationError()
        }
        return (try DNSMessage(parsing: reply), outcome, reply.count)
    }

    /// Asks `name` for `type` from the client on frontend (or as given).
    static func ask(_ name: String, _ type: DNSRecordType = .a, from client: String = "10.88.0.10",
                    on network: String = "frontend", snapshot: DNSSnapshot = snapshot, rotation: Int = 0,
                    file: StaticString = #filePath, line: UInt = #line) throws -> (DNSMessage, DNSOutcome) {
        let (message, outcome, _) = try respond(query(name, type), from: client, on: network,
                                                snapshot: snapshot, rotation: rotation, file: file, line: line)
        return (message, outcome)
    }

    /// Whether the resolver forwards the question, and to which upstreams.
    static func forwarded(_ name: String, _ type: DNSRecordType = .a, from client: String = "10.88.0.10",
                          on network: String = "frontend") -> [IPAddress]?? {
        guard case .forward(let message, let upstreams) = decide(query(name, type), from: client, on: network).0 else {
            return nil
        }
        XCTAssertEqual(message.questions.first?.name.description, name.hasSuffix(".") ? name : name + ".")
        return .some(upstreams)
    }

    /// Whether the resolver forwards the question (to any upstreams).
    static func isForwarded(_ name: String, _ type: DNSRecordType = .a, from client: String = "10.88.0.10",
                            on network: String = "frontend") -> Bool {
        forwarded(name, type, from: client, on: network) != nil
    }

    static func addresses(_ message: DNSMessage) -> [String] {
        message.answers.map {
            switch $0.data {
            case .a(let a): a.description
            case .aaaa(let a): a.description
            case .ptr(let name): name.description
            default: "\($0.data)"
            }
        }
    }

    /// The SOA owner in the authority section, lowered (the writer may compress it into the
    /// question's name, whose case it then takes).
    static func soaZone(_ message: DNSMessage) -> String? {
        guard message.authority.count == 1, case .soa(let soa) = message.authority[0].data else { return nil }
        XCTAssertEqual(soa.serial, 7)
        return message.authority[0].name.lowercased.description
    }
}
