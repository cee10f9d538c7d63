import BerthAddress
import XCTest
@testable import BerthFirewall

final class FirewallDriverTests: XCTestCase {
    private let web = FirewallNetwork(id: "aaaa", name: "web", bridge: "berth0", subnet: IPv4Subnet("172.17.0.0/24")!,
                                      masquerade: true, isInternal: false)
    private let port = PortElement(hostIP: nil, proto: .tcp, hostPort: 8080,
                                   containerIP: IPAddress("172.17.0.2")!, containerPort: 80)

    func testNoFirewallChangesNothingAndReportsHealthy() throws {
        let driver = NoFirewall()
        XCTAssertEqual(driver.kind, FirewallKind.none)
        // No kernel, no libnftables: each of these would throw or fail here if it touched either.
        try driver.synchronize([web], ports: [port])
        try driver.publish([port])
        try driver.unpublish([port])
        try driver.synchronize([], ports: [])
        XCTAssertTrue(driver.health().intact)
        XCTAssertFalse(driver.health().dockerAcceptMissing)
        XCTAssertTrue(driver.hasRules(forNetworkID: web.id))
        XCTAssertEqual(driver.diagnose([web]), [])
    }

    func testKindParsesItsNamesAndMakesItsDriver() throws {
        XCTAssertEqual(try FirewallKind(parsing: "nftables"), .nftables)
        XCTAssertEqual(try FirewallKind(parsing: "none"), FirewallKind.none)
        XCTAssertTrue(FirewallKind.nftables.makeDriver() is NftablesFirewall)
        XCTAssertTrue(FirewallKind.none.makeDriver() is NoFirewall)
        for kind in FirewallKind.allCases {
            XCTAssertEqual(kind.makeDriver().kind, kind)
        }
    }

    func testUnknownKindNamesTheValidOnes() {
        XCTAssertThrowsError(try FirewallKind(parsing: "iptables")) { error in
            XCTAssertEqual(error as? UnknownFirewallKind, UnknownFirewallKind(value: "iptables"))
            XCTAssertEqual("\(error)", "firewall 'iptables' is not one of: nftables, none")
        }
        XCTAssertThrowsError(try FirewallKind(parsing: "NFTables"), "names are exact, as in configuration files")
    }

    func testNftablesDriverIsCheapToMake() {
        // Construction must not load libnftables: a connect that changes nothing never pays for it.
        let driver = NftablesFirewall()
        XCTAssertEqual(driver.kind, .nftables)
        XCTAssertTrue(driver.diagnose([]).isEmpty, "no network, nothing to read")
        XCTAssertNoThrow(try driver.publish([]))
        XCTAssertNoThrow(try driver.unpublish([]))
        let maps = (try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)) ?? ""
        XCTAssertFalse(maps.contains("libnftables"), "libnftables was loaded without a rule to change or list")
    }
}
