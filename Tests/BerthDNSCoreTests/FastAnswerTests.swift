import BerthAddress
@testable import BerthDNSCore
import BerthDNSWire
import XCTest

/// The fast path (`FastAnswer`) against the full path (`DNSResolver.decideFully`): whenever
/// the fast path answers, its bytes must be exactly the full path's, for every query shape.
final class FastAnswerTests: XCTestCase {
    /// The fixture plus 40 endpoints sharing the alias `many` on frontend, with IPv4 and IPv6
    /// addresses: 40 records overflow 512 bytes (TC) and 1232 with AAAA.
    static let snapshot: DNSSnapshot = {
        var snapshot = Fixture.snapshot
        for i in 0..<40 {
            snapshot = snapshot.updating(endpoint: DNSEndpointEntry(
                id: "e-many-\(i)", network: "frontend", container: Fixture.key(100 + UInt64(i)), name: "many-\(i)",
                aliases: ["many"], address: IPv4Address(10, 88, 1, UInt8(i)),
                address6: Fixture.v6("fd00:88::1:\(i)")), id: "e-many-\(i)", generation: 7)
        }
        return snapshot
    }()

    /// Clients and their listeners: plain, multi-homed (api sees frontend and backend), by
    /// IPv6, on an internal network (no RA), and a stranger (REFUSED by the full path).
    static let clients: [(String, String)] = [("10.88.0.10", "frontend"), ("10.88.0.4", "frontend"),
                                              ("10.89.0.4", "backend"), ("fd00:88::10", "frontend"),
                                              ("10.90.0.10", "secure"), ("10.88.9.9", "frontend")]

    static let names = ["web", "WeB", "www", "web.frontend", "WEB.FRONTEND", "web.berth.internal",
                        "Www.Berth.Internal", "cache", "CACHE.berth.internal", "cache-1", "api", "api.backend",
                        "api.berth.internal", "db", "db.backend", "database.berth.internal", "vault", "agent.corp.test",
                        "many", "Many.Berth.Internal", "nosuch", "nosuch.berth.internal", "berth.internal",
                        "frontend", "example.com", "2.0.88.10.in-addr.arpa", "secret", "secret.other.test"]

    static let types: [DNSRecordType] = [.a, .aaaa, .any, .mx, .ptr, .soa, DNSRecordType(999)]

    static let ednsShapes: [DNSEDNS?] = [nil, DNSEDNS(), DNSEDNS(udpPayloadSize: 100), DNSEDNS(udpPayloadSize: 600),
                                         DNSEDNS(udpPayloadSize: 4096, dnssecOK: true),
                                         DNSEDNS(options: [DNSEDNSOption(code: 10, data: Array(0..<8))]),
                                         DNSEDNS(version: 1)]

    /// Compares the two paths for `bytes`; true when the fast path answered.
    @discardableResult
    static func compare(_ bytes: [UInt8], client: String, network: String, transport: DNSTransport,
                        rotation: Int, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        let snapshot = Self.snapshot
        let fast = bytes.withUnsafeBytes {
            FastAnswer.answer($0, from: Fixture.ip(client), listenerNetwork: network, transport: transport,
                              snapshot: snapshot, rotation: rotation)
        }
        let (full, outcome) = DNSResolver.decideFully(bytes, from: Fixture.ip(client), listenerNetwork: network,
                                                      transport: transport, snapshot: snapshot, rotation: rotation)
        let (public_, publicOutcome) = DNSResolver.decide(bytes, from: Fixture.ip(client), listenerNetwork: network,
                                                          transport: transport, snapshot: snapshot, rotation: rotation)
        guard case .respond(let fullBytes) = full else {
            XCTAssertNil(fast, "fast path answered what the full path does not", file: file, line: line)
            return false
        }
        if case .respond(let publicBytes) = public_ {
            XCTAssertEqual(publicBytes, fullBytes, file: file, line: line)
        } else {
            XCTFail("decide and decideFully differ", file: file, line: line)
        }
        XCTAssertEqual(publicOutcome, outcome, file: file, line: line)
        guard let fast else { return false }
        XCTAssertEqual(outcome, .local, file: file, line: line)
        XCTAssertEqual(fast, fullBytes, "\(bytes)", file: file, line: line)
        return true
    }

    func testFastPathBytesEqualTheFullPathsForEveryQueryShape() {
        var fastCount = 0, total = 0
        for (client, network) in Self.clients {
            for name in Self.names {
                for type in Self.types {
                    for (e, edns) in Self.ednsShapes.enumerated() {
                        for transport in [DNSTransport.udp, .tcp] {
                            // RD and CD in each combination, and junk in AA, TC, RA, Z, AD, rcode.
                            for flags: (UInt8, UInt8) in [(0x01, 0x00), (0x00, 0x10), (0x06, 0xEF), (0x00, 0x00)] {
                                var bytes = Fixture.query(name, type, id: UInt16(total & 0xFFFF), edns: edns)
                                bytes[2] = bytes[2] & 0xF8 | flags.0
                                bytes[3] = flags.1
                                let rotation = (total + e) % 5 - 1
                                if Self.compare(bytes, client: client, network: network, transport: transport,
                                                rotation: rotation) { fastCount += 1 }
                                total += 1
                            }
                        }
                    }
                }
            }
        }
        // The shapes the fast path exists for do take it.
        XCTAssertGreaterThan(fastCount, 1000)
        print("fast path answered \(fastCount) of \(total) query shapes")
    }

    func testCommonQueriesTakeTheFastPath() {
        for (name, type, edns) in [("web", DNSRecordType.a, nil), ("WeB.FrontEnd", .aaaa, nil), ("cache", .a, DNSEDNS()),
                                   ("many", .a, nil), ("many", .aaaa, DNSEDNS()), ("many", .aaaa, DNSEDNS(udpPayloadSize: 4096))] as [(String, DNSRecordType, DNSEDNS?)] {
            XCTAssertTrue(Self.compare(Fixture.query(name, type, edns: edns), client: "10.88.0.10", network: "frontend",
                                       transport: .udp, rotation: 3), name)
        }
        // Truncation: 40 A records do not fit in 512 bytes.
        let bytes = Fixture.query("many", .a)
        let reply = bytes.withUnsafeBytes {
            FastAnswer.answer($0, from: Fixture.ip("10.88.0.10"), listenerNetwork: "frontend", transport: .udp,
                              snapshot: Self.snapshot, rotation: 0)
        }
        XCTAssertEqual(reply.map { $0[2] & 0x02 }, 0x02)
        XCTAssertLessThanOrEqual(reply?.count ?? 0, 512)
    }

    /// Odd messages: extra sections, compression pointers, bad OPTs, cut short anywhere, and
    /// random corruption of valid queries. The fast path must answer none of them differently.
    func testMalformedAndUnusualQueriesAgree() {
        var messages: [[UInt8]] = []
        let base = Fixture.query("web.berth.internal", .a, edns: DNSEDNS(options: [DNSEDNSOption(code: 10, data: [1, 2, 3, 4])]))
        for cut in 0..<base.count { messages.append(Array(base.prefix(cut))) }
        messages.append(base + [0xDE, 0xAD])  // trailing bytes are ignored
        // Counts: two questions, an answer, an authority record, two additional records.
        for (offset, value) in [(5, 2), (7, 1), (9, 1), (11, 2), (11, 0)] as [(Int, UInt8)] {
            var bytes = base
            bytes[offset] = value
            messages.append(bytes)
        }
        // QR set, opcodes, the OPT's name, type, version, RDLENGTH and option length.
        let opt = base.count - 19
        for (offset, value) in [(2, 0x80), (2, 0x08), (2, 0x28), (opt, 1), (opt + 2, 40), (opt + 6, 1),
                                (opt + 10, 7), (opt + 10, 9), (opt + 14, 5), (opt + 14, 3)] as [(Int, UInt8)] {
            var bytes = base
            bytes[offset] |= value
            messages.append(bytes)
        }
        // A compression pointer in the question, a label of 64, the root, a 255-byte name.
        messages.append(Array(base.prefix(12)) + [0xC0, 12, 0, 1, 0, 1])
        messages.append(Array(base.prefix(12)) + [3] + Array("web".utf8) + [0xC0, 12, 0, 1, 0, 1])
        messages.append(Array(base.prefix(12)) + [64] + [UInt8](repeating: 0x61, count: 64) + [0, 0, 1, 0, 1])
        messages.append(Array(base.prefix(12)) + [0, 0, 1, 0, 1])
        for total in [253, 254, 255, 256] {
            var name: [UInt8] = []
            while name.count + 1 < total { let n = min(63, total - name.count - 2); name += [UInt8(n)] + [UInt8](repeating: 0x61, count: n) }
            var bytes = Array(base.prefix(12)) + name + [0, 0, 1, 0, 1]
            bytes[11] = 0
            messages.append(bytes)
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            var bytes = Fixture.query(["web", "many", "cache.berth.internal"].randomElement(using: &generator)!,
                                      [.a, .aaaa].randomElement(using: &generator)!,
                                      edns: Self.ednsShapes.randomElement(using: &generator)!)
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            messages.append(bytes)
        }
        for (i, bytes) in messages.enumerated() {
            for transport in [DNSTransport.udp, .tcp] {
                Self.compare(bytes, client: "10.88.0.10", network: "frontend", transport: transport, rotation: i)
            }
        }
    }
}
