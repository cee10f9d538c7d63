import BerthAddress
@testable import BerthDNSWire
import XCTest

/// The response helpers berth-dns builds on, and TCP framing.
final class DNSResponseAndFramingTests: XCTestCase {
    func testResponseEchoesTheQuestionExactly() throws {
        let query = DNSMessage(id: 0xABCD, opcode: .query, recursionDesired: true, checkingDisabled: true,
                               questions: [DNSQuestion(name: try DNSName("Db.BERTH.internal"), type: .aaaa)],
                               edns: DNSEDNS(udpPayloadSize: 4096, dnssecOK: true))
        let queryBytes = query.serialize()
        var response = try DNSMessage(parsing: queryBytes).response()
        response.answers = [DNSResourceRecord(name: try DNSName("db.berth.internal"), ttl: 0,
                                              data: .aaaa(try XCTUnwrap(IPv6Address("fd00::5"))))]
        let bytes = response.serialize()
        XCTAssertEqual(Array(bytes[0..<4]), [0xAB, 0xCD, 0x81, 0x10], "id, QR, RD and CD")
        // The question's bytes are the query's, case and all.
        let questionEnd = 12 + 19 + 4
        XCTAssertEqual(Array(bytes[12..<questionEnd]), Array(queryBytes[12..<questionEnd]))
        let parsed = try DNSMessage(parsing: bytes)
        XCTAssertEqual(parsed.questions[0].name.description, "Db.BERTH.internal.")
        XCTAssertEqual(parsed.edns, DNSEDNS(udpPayloadSize: 1232))
        XCTAssertNil(DNSMessage(questions: query.questions).response().edns, "no OPT to a query without one")
    }

    func testNegativeAnswers() throws {
        let zone = try DNSName("berth.internal")
        let query = DNSMessage(id: 3, questions: [DNSQuestion(name: try DNSName("nope.berth.internal"), type: .a)])
        let soa = DNSMessage.authoritySOA(zone: zone, serial: 9)
        XCTAssertEqual(soa.data, .soa(DNSSOA(mname: try DNSName("ns.berth.internal"),
                                             rname: try DNSName("hostmaster.berth.internal"), serial: 9,
                                             refresh: 3600, retry: 600, expire: 86400, minimum: 0)))

        let nx = try DNSMessage(parsing: query.nameErrorResponse(soa: soa).serialize())
        XCTAssertEqual(nx.rcode, .nameError)
        XCTAssertTrue(nx.isAuthoritative)
        XCTAssertEqual(nx.answers, [])
        XCTAssertEqual(nx.authority, [soa])

        let noData = try DNSMessage(parsing: query.noDataResponse(soa: soa).serialize())
        XCTAssertEqual(noData.rcode, .noError)
        XCTAssertEqual(noData.answers, [])
        XCTAssertEqual(noData.authority, [soa])

        for rcode in [DNSResponseCode.refused, .serverFailure, .notImplemented] {
            let reply = try DNSMessage(parsing: query.response(rcode: rcode).serialize())
            XCTAssertEqual(reply.rcode, rcode)
            XCTAssertEqual(reply.questions, query.questions)
            XCTAssertEqual(reply.id, 3)
        }
    }

    func testFormatError() throws {
        // The question parses, the answer the header announces after it does not.
        var bad = Packets.query + [0xC0]
        bad[7] = 1
        let reply = try XCTUnwrap(DNSMessage.formatErrorResponse(toUnparsable: bad))
        XCTAssertEqual(reply.rcode, .formatError)
        XCTAssertEqual(reply.id, 0x1234)
        XCTAssertTrue(reply.recursionDesired)
        XCTAssertEqual(reply.questions.map(\.name), [try DNSName("example.com")])
        // Nothing after the header parses: no question is echoed.
        let headerOnly = try XCTUnwrap(DNSMessage.formatErrorResponse(toUnparsable: Array(Packets.query.prefix(14))))
        XCTAssertEqual(headerOnly.questions, [])
        XCTAssertEqual(headerOnly.id, 0x1234)
        XCTAssertFalse(try DNSMessage(parsing: headerOnly.serialize()).isTruncated)
        XCTAssertNil(DNSMessage.formatErrorResponse(toUnparsable: Array(Packets.query.prefix(11))))
        XCTAssertNil(DNSMessage.formatErrorResponse(toUnparsable: Array(Packets.answer.dropLast())), "never answer a response")
    }

    func testTCPFraming() throws {
        XCTAssertEqual(try DNSTCPFraming.frame(Packets.query), [0, UInt8(Packets.query.count)] + Packets.query)
        XCTAssertThrowsError(try DNSTCPFraming.frame([]))
        XCTAssertThrowsError(try DNSTCPFraming.frame([UInt8](repeating: 0, count: 65536)))
        XCTAssertNoThrow(try DNSTCPFraming.frame([UInt8](repeating: 0, count: 65535)))

        // Two pipelined messages and half of a third, read one byte at a time and then in bulk.
        let stream = try DNSTCPFraming.frame(Packets.query) + DNSTCPFraming.frame(Packets.answer)
            + Array(try DNSTCPFraming.frame(Packets.cnameChain).prefix(5))
        var parser = DNSTCPStreamParser()
        var messages: [[UInt8]] = []
        for byte in stream {
            parser.append([byte])
            while let message = try parser.next() { messages.append(message) }
        }
        XCTAssertEqual(messages, [Packets.query, Packets.answer])
        XCTAssertEqual(parser.bufferedCount, 5)
        parser.append(try DNSTCPFraming.frame(Packets.cnameChain).dropFirst(5))
        XCTAssertEqual(try parser.next(), Packets.cnameChain)
        XCTAssertNil(try parser.next())
        XCTAssertEqual(parser.bufferedCount, 0)

        var zero = DNSTCPStreamParser()
        zero.append([0, 0, 1])
        XCTAssertThrowsError(try zero.next()) { XCTAssertEqual($0 as? DNSWireError, .badFrameLength(0)) }
    }

    func testStreamParserCompacts() throws {
        var parser = DNSTCPStreamParser()
        let frame = try DNSTCPFraming.frame(Packets.answer)
        for _ in 0..<1000 {
            parser.append(frame)
            XCTAssertEqual(try parser.next(), Packets.answer)
        }
        XCTAssertEqual(parser.bufferedCount, 0)
    }
}
