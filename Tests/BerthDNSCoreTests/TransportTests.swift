import BerthAddress
import BerthDNSCore
import BerthDNSWire
import XCTest

/// Sizes per transport, and the replies built for forwarded queries.
final class TransportTests: XCTestCase {
    /// Forty endpoints sharing the alias `many` on frontend.
    private let crowded: DNSSnapshot = (1...40).reduce(Fixture.snapshot) { snapshot, i in
        snapshot.updating(endpoint: DNSEndpointEntry(
            id: "many-\(i)", network: "frontend", container: Fixture.key(UInt64(100 + i)), name: "many-\(i)",
            aliases: ["many"], address: IPv4Address(10, 88, 1, UInt8(i))), id: "many-\(i)", generation: 7)
    }

    func testFortyAddressesAreTruncatedOverUDPWithoutEDNS() throws {
        let (message, outcome, size) = try Fixture.respond(Fixture.query("many.berth.internal", .a), snapshot: crowded)
        XCTAssertEqual(outcome, .local)
        XCTAssertTrue(message.isTruncated)
        XCTAssertLessThanOrEqual(size, 512)
        XCTAssertGreaterThan(message.answers.count, 0)
        XCTAssertLessThan(message.answers.count, 40)
        XCTAssertTrue(message.answers.allSatisfy { if case .a = $0.data { true } else { false } }, "whole records")
    }

    func testFortyAddressesAreCompleteOverTCPAndWithEDNS() throws {
        let (tcp, _, _) = try Fixture.respond(Fixture.query("many.berth.internal", .a), transport: .tcp, snapshot: crowded)
        XCTAssertFalse(tcp.isTruncated)
        XCTAssertEqual(Set(Fixture.addresses(tcp)).count, 40)
        let edns = Fixture.query("many", .a, edns: DNSEDNS(udpPayloadSize: 1232))
        let (udp, _, size) = try Fixture.respond(edns, snapshot: crowded)
        XCTAssertFalse(udp.isTruncated)
        XCTAssertEqual(udp.answers.count, 40)
        XCTAssertLessThanOrEqual(size, 1232)
    }

    func testRelayRestoresTheClientsIdAndCase() throws {
        let asked = try DNSMessage(parsing: Fixture.query("WwW.Example.COM", .a, id: 0x1111))
        let lowered = try DNSName("www.example.com")
        let upstream = DNSMessage(id: 0x9999, isResponse: true, recursionAvailable: true,
                                  questions: [DNSQuestion(name: lowered, type: .a)],
                                  answers: [DNSResourceRecord(name: lowered, ttl: 300, data: .a(IPv4Address(93, 184, 216, 34)))],
                                  edns: DNSEDNS(udpPayloadSize: 4096))
        let reply = try DNSMessage(parsing: DNSResolver.relay(upstream, to: asked, transport: .udp))
        XCTAssertEqual(reply.id, 0x1111)
        XCTAssertEqual(reply.questions[0].name.wire, asked.questions[0].name.wire)
        XCTAssertEqual(reply.answers.first?.name.wire, asked.questions[0].name.wire)
        XCTAssertEqual(reply.answers.first?.ttl, 300)
        XCTAssertTrue(reply.recursionDesired)
        XCTAssertTrue(reply.recursionAvailable)
        XCTAssertNil(reply.edns, "the client sent no OPT")
    }

    func testRelayTruncatesForTheClientsTransport() throws {
        let asked = try DNSMessage(parsing: Fixture.query("big.example.com", .a))
        let name = try DNSName("big.example.com")
        let upstream = DNSMessage(id: 1, isResponse: true, questions: [DNSQuestion(name: name, type: .a)],
                                  answers: (0..<60).map { DNSResourceRecord(name: name, ttl: 60, data: .a(IPv4Address(192, 0, 2, UInt8($0)))) })
        let udp = try DNSMessage(parsing: DNSResolver.relay(upstream, to: asked, transport: .udp))
        XCTAssertTrue(udp.isTruncated)
        XCTAssertLessThan(udp.answers.count, 60)
        let tcp = try DNSMessage(parsing: DNSResolver.relay(upstream, to: asked, transport: .tcp))
        XCTAssertFalse(tcp.isTruncated)
        XCTAssertEqual(tcp.answers.count, 60)
        var nx = upstream
        nx.rcode = .nameError
        nx.answers = []
        XCTAssertEqual(try DNSMessage(parsing: DNSResolver.relay(nx, to: asked, transport: .udp)).rcode, .nameError)
    }

    func testServerFailureEchoesTheQuery() throws {
        let asked = try DNSMessage(parsing: Fixture.query("Slow.Example", .aaaa, id: 7, edns: DNSEDNS(udpPayloadSize: 4096)))
        let reply = try DNSMessage(parsing: DNSResolver.serverFailure(for: asked, transport: .udp))
        XCTAssertEqual(reply.rcode, .serverFailure)
        XCTAssertEqual(reply.id, 7)
        XCTAssertTrue(reply.isResponse)
        XCTAssertEqual(reply.questions[0].name.wire, asked.questions[0].name.wire)
        XCTAssertNotNil(reply.edns)
    }
}
