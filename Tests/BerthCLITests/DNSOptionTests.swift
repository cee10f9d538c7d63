import BerthAddress
@testable import BerthCLI
import BerthEngine
import BerthJSON
import XCTest

/// The name service's options: `network create --dns/--no-dns/--disable-dns/--dns-domain`,
/// `--alias` of connect and run, and `dns status`'s table.
final class DNSOptionTests: XCTestCase {
    private func create(_ arguments: [String]) throws -> NetworkSpec {
        let command = try NetworkCreate.parse(["web"] + arguments)
        var spec = NetworkSpec(name: "web")
        try DNSArguments.parse(command.dns, off: command.noDNS).apply(to: &spec, domain: command.dnsDomain)
        return spec
    }

    func testDNSIsOnByDefaultWithTheBerthDomain() throws {
        let spec = try create([])
        XCTAssertTrue(spec.dns)
        XCTAssertEqual(spec.dnsDomain, "berth.internal")
        XCTAssertEqual(spec.dnsServers, [])
    }

    func testEverySpellingOfOff() throws {
        for arguments in [["--dns=false"], ["--dns", "false"], ["--no-dns"], ["--disable-dns"], ["--dns", "true", "--no-dns"]] {
            XCTAssertFalse(try create(arguments).dns, "\(arguments)")
        }
        XCTAssertTrue(try create(["--dns=true"]).dns)
        XCTAssertTrue(try create(["--dns=false", "--dns=true"]).dns, "the last toggle wins")
    }

    func testAddressesAreUpstreamsInOrderAndImplyOn() throws {
        let spec = try create(["--dns", "192.0.2.53", "--dns=2001:db8::53"])
        XCTAssertTrue(spec.dns)
        XCTAssertEqual(spec.dnsServers, [IPAddress("192.0.2.53")!, IPAddress("2001:db8::53")!])
    }

    func testDomainIsCheckedAndLowercased() throws {
        XCTAssertEqual(try create(["--dns-domain", "Corp.Example."]).dnsDomain, "corp.example")
        XCTAssertThrowsError(try create(["--dns-domain", "bad_domain.example"])) {
            XCTAssertTrue("\($0)".contains("invalid DNS domain"), "\($0)")
        }
    }

    func testBadValuesAreOneLineErrors() {
        XCTAssertThrowsError(try create(["--dns", "maybe"])) { XCTAssertTrue("\($0)".contains("invalid --dns value 'maybe'"), "\($0)") }
        XCTAssertThrowsError(try create(["--dns", "0.0.0.0"])) { XCTAssertTrue("\($0)".contains("not a unicast address"), "\($0)") }
        XCTAssertThrowsError(try create(["--dns", "192.0.2.53", "--no-dns"])) { XCTAssertTrue("\($0)".contains("turned off"), "\($0)") }
    }

    func testAliasesParseRepeatedAndAreChecked() throws {
        let connect = try NetworkConnect.parse(["web", "1234", "--alias", "db", "--alias=cache.local", "--name", "api"])
        XCTAssertEqual(try checkedAliases(connect.aliases), ["db", "cache.local"])
        XCTAssertEqual(try RunCommand.parse(["--alias", "x", "--", "true"]).aliases, ["x"])
        XCTAssertThrowsError(try checkedAliases(["not an alias"])) { XCTAssertTrue("\($0)".contains("invalid alias"), "\($0)") }
        XCTAssertNil(FastPath.parse(["network", "connect", "web", "1234", "--alias", "db"]),
                     "--alias goes through the full parser")
    }

    func testStatusTable() throws {
        let json = #"{"pid":42,"generation":7,"started":1700000000,"listeners":[{"network":"web","address":"10.88.0.1","port":53},{"network":"web","address":"fd00::1","port":53}],"names":3,"counters":{"queries":10,"local":6,"forwarded":4}}"#
        guard case .object(let object) = try JSONParser.parse(Array(json.utf8)) else { return XCTFail("not an object") }
        XCTAssertEqual(DNSStatusText.lines(object), [
            "pid:        42",
            "generation: 7",
            "started:    1700000000 (unix time)",
            "listeners:  10.88.0.1:53 (web), [fd00::1]:53 (web)",
            "names:      3",
            "counters:   queries 10, local 6, forwarded 4",
        ])
    }
}
