import XCTest
@testable import BerthFirewall

final class DockerAcceptTests: XCTestCase {
    func testNoDockerChainMeansNothingToDo() {
        XCTAssertNil(DockerAccept.script(existing: nil, wanted: true))
        XCTAssertNil(DockerAccept.script(existing: nil, wanted: false))
    }

    func testInsertsOneIptablesCompatibleRuleAtTheTop() {
        XCTAssertEqual(DockerAccept.script(existing: [], wanted: true),
                       "insert rule ip filter DOCKER-USER meta mark & 0x100000 == 0x100000 counter accept comment \"berth-vetted\"\n")
        XCTAssertNil(DockerAccept.script(existing: [7], wanted: true), "one rule present: nothing to change")
    }

    func testRemovesSurplusCopiesAndAllOnceUnwanted() {
        XCTAssertEqual(DockerAccept.script(existing: [7, 9], wanted: true),
                       "delete rule ip filter DOCKER-USER handle 9\n")
        XCTAssertEqual(DockerAccept.script(existing: [7, 9], wanted: false),
                       "delete rule ip filter DOCKER-USER handle 7\ndelete rule ip filter DOCKER-USER handle 9\n")
        XCTAssertNil(DockerAccept.script(existing: [], wanted: false))
    }

    func testIptablesSpellingMatchesTheMark() {
        XCTAssertEqual(DockerAccept.iptablesRule,
                       "-A DOCKER-USER -m mark --mark 0x100000/0x100000 -m comment --comment berth-vetted -j ACCEPT")
    }

    func testIPv6ChainOfDockersIp6tables() {
        XCTAssertEqual(DockerAccept.script(existing: [], wanted: true, family: DockerAccept.family6),
                       "insert rule ip6 filter DOCKER-USER meta mark & 0x100000 == 0x100000 counter accept comment \"berth-vetted\"\n")
        XCTAssertEqual(DockerAccept.script(existing: [3, 5], wanted: false, family: DockerAccept.family6),
                       "delete rule ip6 filter DOCKER-USER handle 3\ndelete rule ip6 filter DOCKER-USER handle 5\n")
        XCTAssertNil(DockerAccept.script(existing: nil, wanted: true, family: DockerAccept.family6), "Docker without ip6tables")
    }

    func testHealthOfBothChains() {
        let ipv6Missing = FirewallHealth(tablePresent: true, dockerAccept: [7], dockerAccept6: [])
        XCTAssertTrue(ipv6Missing.dockerAcceptMissing)
        XCTAssertFalse(ipv6Missing.intact)
        XCTAssertEqual(ipv6Missing.dockerAccept(family: "ip6"), [])
        XCTAssertEqual(ipv6Missing.dockerAccept(family: "ip"), [7])
        XCTAssertTrue(FirewallHealth(tablePresent: false, dockerAccept: [], dockerAccept6: [9]).dockerAcceptPresent)
        XCTAssertFalse(FirewallHealth(tablePresent: false, dockerAccept: nil).dockerAcceptPresent)
        XCTAssertFalse(FirewallHealth(tablePresent: true, dockerAccept: [7]).dockerAcceptMissing, "no ip6tables: nothing missing")
    }
}
