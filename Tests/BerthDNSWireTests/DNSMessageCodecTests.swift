import BerthAddress
@testable import BerthDNSWire
import XCTest

/// Messages against hand-built packets, byte for byte, and round trips.
final class DNSMessageCodecTests: XCTestCase {
    func testParsesAndWritesQuery() throws {
        let query = try DNSMessage(parsing: Packets.query)
        XCTAssertEqual(query.id, 0x1234)
        XCTAssertFalse(query.isResponse)
        XCTAssertTrue(query.recursionDesired)
        XCTAssertEqual(query.opcode, .query)
        XCTAssertEqual(query.questions, [DNSQuestion(name: try DNSName("example.com"), type: .a)])
        XCTAssertNil(query.edns)
        XCTAssertEqual(query.serialize(), Packets.query)

        let built = DNSMessage(id: 0x1234, recursionDesired: true,
                               questions: [DNSQuestion(name: try DNSName("example.com"), type: .a)])
        XCTAssertEqual(built.serialize(), Packets.query)
    }

    func testAnswerPointsIntoQuestion() throws {
        let query = try DNSMessage(parsing: Packets.query)
        var response = query.response()
        response.recursionAvailable = true
        response.answers = [DNSResourceRecord(name: try DNSName("example.com"), ttl: 3600,
                                              data: .a(try XCTUnwrap(IPv4Address("93.184.216.34"))))]
        XCTAssertEqual(response.serialize(), Packets.answer)
        XCTAssertEqual(try DNSMessage(parsing: Packets.answer), response)
    }

    func testCNAMEChainCompression() throws {
        let message = try DNSMessage(parsing: Packets.cnameChain)
        XCTAssertEqual(message.answers.map(\.data), [.cname(try DNSName("example.com")), .a(IPv4Address(10, 0, 0, 1))])
        XCTAssertEqual(message.answers[1].name.description, "example.com.")
        XCTAssertEqual(message.serialize(), Packets.cnameChain)
    }

    func testNestedPointers() throws {
        // The second answer's owner points at the first answer's RDATA, itself a pointer.
        var bytes = Packets.cnameChain
        let secondOwner = 12 + 21 + 12 + 2
        XCTAssertEqual(Array(bytes[secondOwner..<(secondOwner + 2)]), [0xC0, 0x10])
        bytes[secondOwner + 1] = UInt8(12 + 21 + 12)  // → the CNAME's RDATA, `c010`
        let message = try DNSMessage(parsing: bytes)
        XCTAssertEqual(message.answers[1].name, try DNSName("example.com"))
    }

    func testEveryRecordTypeRoundTrips() throws {
        let zone = try DNSName("berth.internal")
        let db = try DNSName("DB.berth.internal")
        let message = DNSMessage(
            id: 7, isResponse: true, isAuthoritative: true, recursionDesired: true, authenticData: true,
            checkingDisabled: true, rcode: .nameError,
            questions: [DNSQuestion(name: db, type: .any)],
            answers: [
                DNSResourceRecord(name: db, ttl: 0, data: .a(IPv4Address(10, 88, 0, 2))),
                DNSResourceRecord(name: db, ttl: 0, data: .aaaa(try XCTUnwrap(IPv6Address("fd00::2")))),
                DNSResourceRecord(name: db, ttl: 1, data: .cname(try DNSName("api.berth.internal"))),
                DNSResourceRecord(name: DNSName(reverseOf: IPv4Address(10, 88, 0, 2)), ttl: 2, data: .ptr(db)),
                DNSResourceRecord(name: zone, ttl: 3, data: .ns(try DNSName("ns.berth.internal"))),
                DNSResourceRecord(name: zone, ttl: 3, data: .mx(preference: 10, exchange: try DNSName("mx.example.com"))),
                DNSResourceRecord(name: db, class: .chaos, ttl: 4, data: .txt([Array("hello".utf8), [], [0, 255]])),
                DNSResourceRecord(name: db, ttl: 5, data: .other(type: DNSRecordType(33), bytes: [0, 1, 0, 2, 0, 80, 0])),
            ],
            authority: [DNSMessage.authoritySOA(zone: zone, serial: 42)],
            additional: [DNSResourceRecord(name: db, ttl: 9, data: .other(type: DNSRecordType(65280), bytes: []))],
            edns: DNSEDNS(udpPayloadSize: 1232, dnssecOK: true, options: [DNSEDNSOption(code: 10, data: [1, 2])]))
        let bytes = message.serialize()
        let parsed = try DNSMessage(parsing: bytes)
        XCTAssertEqual(parsed, message)
        XCTAssertEqual(parsed.questions[0].name.description, "DB.berth.internal.")
        XCTAssertEqual(parsed.serialize(), bytes)
        // Every owner after the question is a two-byte pointer.
        XCTAssertLessThan(bytes.count, 330)
    }

    func testNameRepeatingItsOwnLabels() throws {
        // Found by the fuzzer: a suffix of a name matched against the name's own first label.
        let name = try DNSName("a.a.A")
        let message = DNSMessage(questions: [DNSQuestion(name: name, type: .a)],
                                 answers: [DNSResourceRecord(name: try DNSName("a.a"), ttl: 0, data: .ptr(name))])
        let bytes = message.serialize()
        XCTAssertEqual(bytes, Packets.hex("0000 0000 0001 0001 0000 0000 01'a'01'a'01'A'00 0001 0001 c00e 000c 0001 00000000 0002 c00c"))
        XCTAssertEqual(try DNSMessage(parsing: bytes), message)
    }

    func testLongTXTStringIsSplit() throws {
        let name = try DNSName("t.example")
        let message = DNSMessage(answers: [DNSResourceRecord(name: name, ttl: 0, data: .txt([Array(repeating: 0x61, count: 300)]))])
        let parsed = try DNSMessage(parsing: message.serialize())
        XCTAssertEqual(parsed.answers[0].data, .txt([Array(repeating: 0x61, count: 255), Array(repeating: 0x61, count: 45)]))
    }

    func testTrailingBytesAreIgnored() throws {
        XCTAssertEqual(try DNSMessage(parsing: Packets.query + [1, 2, 3]).serialize(), Packets.query)
        XCTAssertEqual(try DNSMessage(parsing: Packets.query[...]).id, 0x1234)
    }

    func testParsesFromARawBuffer() throws {
        let message = try Packets.cnameChain.withUnsafeBytes { try DNSMessage(parsing: $0) }
        XCTAssertEqual(message, try DNSMessage(parsing: Packets.cnameChain))
    }

    func testTypeNames() {
        XCTAssertEqual([DNSRecordType.a, .aaaa, .ptr, .soa, DNSRecordType(65)].map(\.description),
                       ["A", "AAAA", "PTR", "SOA", "TYPE65"])
        XCTAssertEqual(DNSResponseCode.badVersion.description, "BADVERS")
        XCTAssertEqual(DNSResponseCode(rawValue: 0xFFFF).rawValue, 0x0FFF)
    }
}
