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
}
