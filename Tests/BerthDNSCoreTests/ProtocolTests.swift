import BerthAddress
import BerthDNSCore
import BerthDNSWire
import XCTest

/// The checks before any name is looked up: malformed, responses, opcodes, counts, EDNS, class.
final class ProtocolTests: XCTestCase {
    func testGarbageIsFORMERRWithTheHeaderEchoed() throws {
        // A header claiming one question, then a label running past the end.
        let garbage: [UInt8] = [0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 40, 0x61, 0x62]
        let (message, outcome, _) = try Fixture.respond(garbage)
        XCTAssertEqual(outcome, .formerr)
        XCTAssertEqual(message.rcode, .formatError)
        XCTAssertEqual(message.id, 0xABCD)
        XCTAssertTrue(message.isResponse)
        // Any source: FORMERR says nothing about names.
        let (_, fromStranger, _) = try Fixture.respond(garbage, from: "192.0.2.1", on: "nosuch")
        XCTAssertEqual(fromStranger, .formerr)
    }

    func testTooShortAndResponsesAreDropped() {
        for bytes in [[UInt8](), [1, 2, 3], [UInt8](repeating: 0, count: 11)] {
            guard case (.drop, .dropped) = Fixture.decide(bytes) else { return XCTFail("\(bytes)") }
        }
        var response = Fixture.query("web", .a)
        response[2] |= 0x80
        guard case (.drop, .dropped) = Fixture.decide(response) else { return XCTFail("QR set") }
        var junkResponse: [UInt8] = [0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 63]
        guard case (.drop, .dropped) = Fixture.decide(junkResponse) else { return XCTFail("QR set, unparsable") }
        junkResponse[2] = 0
        guard case (.respond, .formerr) = Fixture.decide(junkResponse) else { return XCTFail("unparsable query") }
    }

    func testOpcodeOtherThanQueryIsNOTIMP() throws {
        var message = try DNSMessage(parsing: Fixture.query("web", .a))
        message.opcode = .update
        let (reply, outcome, _) = try Fixture.respond(message.serialize())
        XCTAssertEqual(outcome, .notimp)
        XCTAssertEqual(reply.rcode, .notImplemented)
        XCTAssertEqual(reply.opcode, .update)
    }

    func testQuestionCountOtherThanOneIsFORMERR() throws {
        var message = try DNSMessage(parsing: Fixture.query("web", .a))
        message.questions.append(DNSQuestion(name: try DNSName("www"), type: .a))
        XCTAssertEqual(try Fixture.respond(message.serialize()).0.rcode, .formatError)
        message.questions = []
        let (reply, outcome, _) = try Fixture.respond(message.serialize())
        XCTAssertEqual(outcome, .formerr)
        XCTAssertEqual(reply.rcode, .formatError)
    }

    func testEDNSVersionAboveZeroIsBADVERS() throws {
        let bytes = Fixture.query("web", .a, edns: DNSEDNS(udpPayloadSize: 4096, version: 1))
        let (reply, outcome, _) = try Fixture.respond(bytes)
        XCTAssertEqual(outcome, .badvers)
        XCTAssertEqual(reply.rcode, .badVersion)
        XCTAssertEqual(reply.edns?.version, 0)
        XCTAssertEqual(reply.answers, [])
    }

    func testEDNSZeroIsAnsweredWithOPT() throws {
        let (reply, outcome, _) = try Fixture.respond(Fixture.query("web", .a, edns: DNSEDNS(udpPayloadSize: 4096)))
        XCTAssertEqual(outcome, .local)
        XCTAssertNotNil(reply.edns)
        XCTAssertEqual(Fixture.addresses(reply), ["10.88.0.2"])
    }

    func testClassOtherThanINIsREFUSED() throws {
        let (reply, outcome, _) = try Fixture.respond(Fixture.query("version.bind", .txt, class: .chaos))
        XCTAssertEqual(outcome, .refused)
        XCTAssertEqual(reply.rcode, .refused)
    }
}
