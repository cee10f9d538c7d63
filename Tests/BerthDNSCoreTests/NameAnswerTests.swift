import BerthAddress
import BerthDNSCore
import BerthDNSWire
import XCTest

/// Rules 1, 2 and 4 of docs/dns.md: names, their forms, negative answers and forwarding.
final class NameAnswerTests: XCTestCase {
    func testNameAliasAndQualifiedFormsAnswer() throws {
        for name in ["web", "www", "web.frontend", "www.frontend", "web.berth.internal", "www.berth.internal"] {
            let (message, outcome) = try Fixture.ask(name)
            XCTAssertEqual(outcome, .local, name)
            XCTAssertEqual(message.rcode, .noError, name)
            XCTAssertEqual(Fixture.addresses(message), ["10.88.0.2"], name)
            XCTAssertTrue(message.isAuthoritative, name)
            XCTAssertTrue(message.recursionAvailable, name)
            XCTAssertTrue(message.recursionDesired, name)
            XCTAssertEqual(message.id, 0x4242)
            XCTAssertEqual(message.answers.map(\.ttl), [0], name)
        }
    }

    func testAliasWithDotsIsMatchedWhole() throws {
        let snapshot = Fixture.snapshot.updating(endpoint: DNSEndpointEntry(
            id: "e-dotted", network: "frontend", container: Fixture.key(30), aliases: ["db.primary"],
            address: Fixture.v4("10.88.0.30")), id: "e-dotted", generation: 8)
        for name in ["db.primary", "DB.Primary.frontend", "db.primary.berth.internal"] {
            XCTAssertEqual(Fixture.addresses(try Fixture.ask(name, snapshot: snapshot).0), ["10.88.0.30"], name)
        }
        XCTAssertEqual(try Fixture.ask("primary.berth.internal", snapshot: snapshot).1, .nxdomain)
    }

    func testOwnerNameEchoesTheQuestionsCase() throws {
        let (message, _) = try Fixture.ask("WeB.FrontEnd")
        XCTAssertEqual(message.questions[0].name.wire, Array("\u{3}WeB\u{8}FrontEnd".utf8))
        XCTAssertEqual(message.answers.map(\.name.wire), [Array("\u{3}WeB\u{8}FrontEnd".utf8)])
        let (upper, _) = try Fixture.ask("WWW.BERTH.INTERNAL")
        XCTAssertEqual(upper.answers.first?.name.description, "WWW.BERTH.INTERNAL.")
    }

    func testAAAAAndANY() throws {
        let (six, _) = try Fixture.ask("web", .aaaa)
        XCTAssertEqual(Fixture.addresses(six), ["fd00:88::2"])
        XCTAssertEqual(six.answers.first?.type, .aaaa)
        let (any, outcome) = try Fixture.ask("web.frontend", .any)
        XCTAssertEqual(outcome, .local)
        XCTAssertEqual(Fixture.addresses(any), ["10.88.0.2", "fd00:88::2"])
    }

    func testNameWithoutRecordsOfTheTypeIsNODATAWithSOA() throws {
        for (name, type, zone) in [("cache-1", DNSRecordType.aaaa, "berth.internal."), ("web", .mx, "berth.internal."),
                                   ("web.frontend", .txt, "frontend."), ("cache-1.berth.internal", .aaaa, "berth.internal.")] {
            let (message, outcome) = try Fixture.ask(name, type)
            XCTAssertEqual(outcome, .nodata, name)
            XCTAssertEqual(message.rcode, .noError, name)
            XCTAssertEqual(message.answers, [], name)
            XCTAssertTrue(message.isAuthoritative, name)
            XCTAssertEqual(Fixture.soaZone(message), zone, name)
        }
    }

    func testSharedAliasAnswersEveryAddressRotated() throws {
        let (first, _) = try Fixture.ask("cache", rotation: 0)
        let (second, _) = try Fixture.ask("CACHE", rotation: 1)
        XCTAssertEqual(Set(Fixture.addresses(first)), ["10.88.0.6", "10.88.0.7"])
        XCTAssertEqual(Set(Fixture.addresses(second)), ["10.88.0.6", "10.88.0.7"])
        XCTAssertNotEqual(Fixture.addresses(first), Fixture.addresses(second))
        let (third, _) = try Fixture.ask("cache.berth.internal", rotation: 2)
        XCTAssertEqual(Fixture.addresses(third), Fixture.addresses(first))
        let (negative, _) = try Fixture.ask("cache", rotation: -1)
        XCTAssertEqual(negative.answers.count, 2)
    }

    func testMissingNameUnderAVisibleZoneIsNXDOMAINWithSOA() throws {
        for (name, zone) in [("nosuch.berth.internal", "berth.internal."), ("a.b.berth.internal", "berth.internal."),
                             ("nosuch.frontend", "frontend."), ("NoSuch.FRONTEND", "frontend."),
                             ("nosuch.backend", nil)] {
            guard let zone else {
                XCTAssertTrue(Fixture.isForwarded(name), "\(name): backend is not visible to the client")
                continue
            }
            let (message, outcome) = try Fixture.ask(name, .aaaa)
            XCTAssertEqual(outcome, .nxdomain, name)
            XCTAssertEqual(message.rcode, .nameError, name)
            XCTAssertTrue(message.isAuthoritative, name)
            XCTAssertTrue(message.recursionAvailable, name)
            XCTAssertEqual(Fixture.soaZone(message), zone, name)
        }
    }

    func testZoneApexExistsWithoutAddresses() throws {
        let (a, outcome) = try Fixture.ask("berth.internal", .a)
        XCTAssertEqual(outcome, .nodata)
        XCTAssertEqual(Fixture.soaZone(a), "berth.internal.")
        let (soa, _) = try Fixture.ask("Berth.Internal", .soa)
        XCTAssertEqual(soa.answers.count, 1)
        XCTAssertEqual(soa.answers.first?.name.description, "Berth.Internal.")
        XCTAssertEqual(soa.answers.first?.type, .soa)
    }

    func testOtherNamesAreForwardedToTheListenersUpstreams() throws {
        XCTAssertEqual(Fixture.forwarded("nosuch"), .some(nil), "an unknown single label")
        XCTAssertEqual(Fixture.forwarded("example.com", .aaaa), .some(nil), "the host's resolv.conf")
        XCTAssertEqual(Fixture.forwarded("frontend"), .some(nil), "a network's name alone is not X.N")
        XCTAssertEqual(Fixture.forwarded("example.com", from: "10.89.0.4", on: "backend"), .some([Fixture.ip("9.9.9.9")]))
        let (decision, outcome) = Fixture.decide(Fixture.query("Example.COM", .mx, id: 99))
        XCTAssertEqual(outcome, .forwarded)
        guard case .forward(let query, _) = decision else { return XCTFail("\(decision)") }
        XCTAssertEqual(query.id, 99)
        XCTAssertEqual(query.questions, [DNSQuestion(name: try DNSName("Example.COM"), type: .mx)])
        XCTAssertEqual(query.questions[0].name.description, "Example.COM.")
    }

    func testInternalNetworkRefusesForwardingButAnswersLocally() throws {
        let agent = "10.90.0.10"
        for name in ["example.com", "nosuch", "1.1.1.1.in-addr.arpa"] {
            let (message, outcome) = try Fixture.ask(name, name.hasSuffix("arpa") ? .ptr : .a, from: agent, on: "secure")
            XCTAssertEqual(outcome, .refused, name)
            XCTAssertEqual(message.rcode, .refused, name)
            XCTAssertFalse(message.recursionAvailable, name)
        }
        for name in ["vault", "vault.secure", "vault.corp.test", "VAULT.Corp.Test"] {
            let (message, outcome) = try Fixture.ask(name, from: agent, on: "secure")
            XCTAssertEqual(outcome, .local, name)
            XCTAssertEqual(Fixture.addresses(message), ["10.90.0.2"], name)
            XCTAssertFalse(message.recursionAvailable, "no recursion on an internal network")
        }
        let (missing, outcome) = try Fixture.ask("nosuch.corp.test", from: agent, on: "secure")
        XCTAssertEqual(outcome, .nxdomain)
        XCTAssertEqual(Fixture.soaZone(missing), "corp.test.")
        let (ptr, _) = try Fixture.ask("2.0.90.10.in-addr.arpa", .ptr, from: agent, on: "secure")
        XCTAssertEqual(Fixture.addresses(ptr), ["vault.secure."])
    }
}
