import BerthAddress
import BerthDNSCore
import BerthDNSWire
import XCTest

/// Rule 3: reverse names of Berth addresses are answered here, never forwarded.
final class ReverseTests: XCTestCase {
    private func reverse(_ address: String) -> String { DNSName(reverseOf: Fixture.ip(address)).description }

    func testPTRv4AndV6NameTheEndpointOnItsNetwork() throws {
        for address in ["10.88.0.2", "fd00:88::2"] {
            let (message, outcome) = try Fixture.ask(reverse(address), .ptr)
            XCTAssertEqual(outcome, .local, address)
            XCTAssertEqual(Fixture.addresses(message), ["web.frontend."], address)
            XCTAssertEqual(message.answers.first?.ttl, 0)
            XCTAssertTrue(message.isAuthoritative)
        }
        let (upper, _) = try Fixture.ask("2.0.88.10.IN-ADDR.ARPA", .ptr)
        XCTAssertEqual(upper.answers.first?.name.description, "2.0.88.10.IN-ADDR.ARPA.")
        let (any, _) = try Fixture.ask(reverse("10.88.0.10"), .any)
        XCTAssertEqual(Fixture.addresses(any), ["client.frontend."])
    }

    func testPTRUsesTheFirstAliasWithoutAName() throws {
        let snapshot = Fixture.snapshot.updating(endpoint: DNSEndpointEntry(
            id: "e-alias", network: "frontend", container: Fixture.key(20), aliases: ["Proxy", "edge"],
            address: Fixture.v4("10.88.0.20")), id: "e-alias", generation: 8)
        let (message, _) = try Fixture.ask(reverse("10.88.0.20"), .ptr, snapshot: snapshot)
        XCTAssertEqual(Fixture.addresses(message), ["Proxy.frontend."])
    }

    func testBerthAddressesWithoutAVisibleNameAreNXDOMAIN() throws {
        // (address, client, listener, reverse zone)
        let cases = [("10.91.0.5", "10.88.0.10", "frontend", "91.10.in-addr.arpa."),  // another network's
                     ("10.89.0.3", "10.88.0.10", "frontend", "89.10.in-addr.arpa."),  // not visible
                     ("10.88.0.200", "10.88.0.10", "frontend", "88.10.in-addr.arpa."),  // nobody's
                     ("fd00:88::99", "10.88.0.10", "frontend", "0.0.0.0.0.0.0.0.8.8.0.0.0.0.d.f.ip6.arpa."),
                     ("10.89.0.9", "10.89.0.4", "backend", "89.10.in-addr.arpa."),  // no name, no alias
                     ("10.90.0.77", "10.90.0.10", "secure", "0.90.10.in-addr.arpa.")]
        for (address, client, listener, zone) in cases {
            let (message, outcome) = try Fixture.ask(reverse(address), .ptr, from: client, on: listener)
            XCTAssertEqual(outcome, .nxdomain, address)
            XCTAssertEqual(message.rcode, .nameError, address)
            XCTAssertTrue(message.isAuthoritative, address)
            XCTAssertEqual(Fixture.soaZone(message), zone, address)
        }
    }

    func testOtherTypesOfAnAnsweredReverseNameAreNODATA() throws {
        let (message, outcome) = try Fixture.ask(reverse("10.88.0.2"), .a)
        XCTAssertEqual(outcome, .nodata)
        XCTAssertEqual(Fixture.soaZone(message), "88.10.in-addr.arpa.")
    }

    func testReverseNamesOutsideBerthSubnetsAreForwarded() {
        XCTAssertEqual(Fixture.forwarded(reverse("8.8.8.8"), .ptr), .some(nil))
        XCTAssertEqual(Fixture.forwarded(reverse("2001:db8::1"), .ptr), .some(nil))
        XCTAssertEqual(Fixture.forwarded("88.10.in-addr.arpa", .ptr), .some(nil), "not an address's name")
        XCTAssertEqual(Fixture.forwarded(reverse("10.90.1.1"), .ptr), .some(nil), "outside secure's /24")
    }
}
