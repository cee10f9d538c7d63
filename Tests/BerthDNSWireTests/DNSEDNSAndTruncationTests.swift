import BerthAddress
@testable import BerthDNSWire
import XCTest

/// EDNS(0), BADVERS, and writing within a size limit.
final class DNSEDNSAndTruncationTests: XCTestCase {
    private func response(answers: Int, additional: Int = 0, edns: DNSEDNS? = nil) throws -> DNSMessage {
        let name = try DNSName("db.berth.internal")  // 19 bytes: the question is 23
        let record = { (i: Int) in
            DNSResourceRecord(name: name, ttl: 0, data: .a(IPv4Address(10, 0, UInt8(i / 256), UInt8(i % 256))))
        }
        return DNSMessage(id: 1, isResponse: true, questions: [DNSQuestion(name: name, type: .a)],
                          answers: (0..<answers).map(record), additional: (0..<additional).map(record),
                          edns: edns)
    }

    func testParsesEDNS() throws {
        let query = try DNSMessage(parsing: Packets.ednsQuery)
        let edns = try XCTUnwrap(query.edns)
        XCTAssertEqual(edns.udpPayloadSize, 4096)
        XCTAssertEqual(edns.version, 0)
        XCTAssertTrue(edns.dnssecOK)
        XCTAssertEqual(edns.options, [DNSEDNSOption(code: 10, data: [1, 2, 3, 4, 5, 6, 7, 8])])
        XCTAssertEqual(query.additional, [])
        XCTAssertEqual(query.maxUDPResponseSize, 4096)
        XCTAssertFalse(query.hasUnsupportedEDNSVersion)
        XCTAssertEqual(query.serialize(), Packets.ednsQuery)
        XCTAssertEqual(try DNSMessage(parsing: Packets.query).maxUDPResponseSize, 512)
    }

    func testSmallPayloadSizeMeans512() throws {
        var bytes = Packets.ednsQuery
        bytes[bytes.count - 20] = 0x00  // the OPT CLASS field: payload 4096 → 0
        bytes[bytes.count - 19] = 0x00
        XCTAssertEqual(try DNSMessage(parsing: bytes).edns?.udpPayloadSize, 0)
        XCTAssertEqual(try DNSMessage(parsing: bytes).maxUDPResponseSize, 512)
    }

    func testBADVERS() throws {
        var bytes = Packets.ednsQuery
        bytes[bytes.count - 17] = 1  // the OPT TTL's version byte
        let query = try DNSMessage(parsing: bytes)
        XCTAssertEqual(query.edns?.version, 1)
        XCTAssertTrue(query.hasUnsupportedEDNSVersion)
        let reply = query.response(rcode: .badVersion, udpPayloadSize: 1232).serialize()
        // Header rcode 0, the OPT TTL's extended rcode 1: 1 << 4 | 0 = 16.
        XCTAssertEqual(Array(reply.prefix(4)), [0x00, 0x01, 0x81, 0x00])
        XCTAssertEqual(Array(reply.suffix(11)), Packets.hex("00 0029 04d0 01000000 0000"))
        let parsed = try DNSMessage(parsing: reply)
        XCTAssertEqual(parsed.rcode, .badVersion)
        XCTAssertEqual(parsed.edns?.version, 0)
        XCTAssertEqual(parsed.edns?.dnssecOK, false, "DO is not echoed by a server without DNSSEC")
    }

    func testTruncatesAtRecordBoundaries() throws {
        let message = try response(answers: 40)
        let bytes = message.serialize(maxSize: 512)
        let fit = (512 - 12 - 23) / 16
        XCTAssertEqual(bytes.count, 12 + 23 + fit * 16)
        let parsed = try DNSMessage(parsing: bytes)
        XCTAssertTrue(parsed.isTruncated)
        XCTAssertEqual(parsed.answers, Array(message.answers.prefix(fit)))

        let whole = try DNSMessage(parsing: message.serialize(maxSize: 4096))
        XCTAssertFalse(whole.isTruncated)
        XCTAssertEqual(whole.answers.count, 40)
    }

    func testOPTKeptWhenTruncating() throws {
        let message = try response(answers: 40, edns: DNSEDNS(udpPayloadSize: 1232))
        let bytes = message.serialize(maxSize: 512)
        XCTAssertLessThanOrEqual(bytes.count, 512)
        let parsed = try DNSMessage(parsing: bytes)
        XCTAssertTrue(parsed.isTruncated)
        XCTAssertEqual(parsed.answers.count, (512 - 12 - 23 - 11) / 16)
        XCTAssertEqual(parsed.edns, DNSEDNS(udpPayloadSize: 1232))
    }

    func testAdditionalDroppedWithoutTC() throws {
        let message = try response(answers: 2, additional: 40)
        let parsed = try DNSMessage(parsing: message.serialize(maxSize: 512))
        XCTAssertFalse(parsed.isTruncated, "RFC 2181 §9: the answer is complete")
        XCTAssertEqual(parsed.answers.count, 2)
        XCTAssertEqual(parsed.additional.count, (512 - 12 - 23 - 32) / 16)
    }

    func testDroppedRecordIsNoCompressionTarget() throws {
        // The first answer's owner is written in full, then dropped: the question stays, and the
        // remaining message must not point into the dropped bytes.
        let big = DNSResourceRecord(name: try DNSName("other.example"), ttl: 0,
                                    data: .other(type: DNSRecordType(99), bytes: Array(repeating: 0, count: 600)))
        let message = DNSMessage(questions: [DNSQuestion(name: try DNSName("q.example"), type: .a)],
                                 answers: [big],
                                 additional: [DNSResourceRecord(name: try DNSName("other.example"), ttl: 0,
                                                                data: .a(IPv4Address(1, 2, 3, 4)))])
        let parsed = try DNSMessage(parsing: message.serialize(maxSize: 512))
        XCTAssertTrue(parsed.isTruncated)
        XCTAssertEqual(parsed.answers, [])
        XCTAssertEqual(parsed.additional, [], "nothing after the truncation point")
    }
}
