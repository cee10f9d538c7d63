import BerthAddress
import XCTest
@testable import BerthFirewall

/// `berth doctor` on an overlay host: another firewall's input chain that keeps the VXLAN port
/// out, from captured `nft list ruleset` text (the way nft and iptables-nft list them).
final class DiagnosisOverlayTests: XCTestCase {
    private let overlay = FirewallNetwork(id: "dddd", name: "ov1", bridge: "bo0123456789ab", subnet: IPv4Subnet("10.240.3.0/24")!,
                                          masquerade: true, isInternal: false,
                                          overlay: FirewallOverlay(device: "bv0123456789ab", subnet: IPv4Subnet("10.240.0.0/16")!, port: 4789))
    private let plain = FirewallNetwork(id: "aaaa", name: "web", bridge: "berth0", subnet: IPv4Subnet("172.17.0.0/24")!,
                                        masquerade: true, isInternal: false)
    private let table = "table inet berth {\n\tchain fwd-in-dddd {\n\t}\n\tchain fwd-in-aaaa {\n\t}\n\t\"bo0123456789ab\" \"berth0\"\n}\n"

    private func findings(_ networks: [FirewallNetwork], ruleset: String) -> [FirewallFinding] {
        NftablesFirewall.findings(for: networks, table: table, ruleset: ruleset,
                                  health: FirewallHealth(tablePresent: true, dockerAccept: nil))
    }

    /// iptables -P INPUT DROP with only ssh allowed, as iptables-nft lists it.
    private let iptablesDrop = """
        table ip filter {
        \tchain INPUT {
        \t\ttype filter hook input priority filter; policy drop;
        \t\tct state related,established counter packets 0 bytes 0 accept
        \t\tmeta l4proto tcp tcp dport 22 counter packets 0 bytes 0 accept
        \t}
        }
        """

    func testADropPolicyWithoutAnAcceptForThePortIsReportedWithTheFix() {
        let found = findings([overlay], ruleset: iptablesDrop)
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(found.first?.problem,
                       "table ip filter chain INPUT has an input hook with policy drop and accepts no UDP port 4789: VXLAN packets from the overlay's other hosts never arrive (overlay network 'ov1')")
        XCTAssertEqual(found.first?.fix, "iptables -I INPUT -p udp --dport 4789 -j ACCEPT")
    }

    func testAnAcceptForThePortAloneOrInASetSilencesIt() {
        let single = iptablesDrop.replacing("tcp dport 22", with: "udp dport 4789")
        XCTAssertEqual(findings([overlay], ruleset: single), [])
        let set = """
            table inet filter {
            \tchain input {
            \t\ttype filter hook input priority filter; policy drop;
            \t\tudp dport { 53, 4789, 8472 } accept
            \t}
            }
            """
        XCTAssertEqual(findings([overlay], ruleset: set), [])
        // Another port in the set is not this one.
        XCTAssertEqual(findings([overlay], ruleset: set.replacing(" 4789,", with: "")).count, 1)
    }

    func testAnExplicitDropOfThePortIsReportedEvenWithAnAcceptPolicy() {
        let ruleset = """
            table inet guard {
            \tchain in {
            \t\ttype filter hook input priority filter; policy accept;
            \t\tudp dport 4789 drop
            \t}
            }
            """
        let found = findings([overlay], ruleset: ruleset)
        XCTAssertEqual(found.map(\.problem), ["table inet guard chain in drops UDP port 4789: VXLAN packets from the overlay's other hosts never arrive (overlay network 'ov1')"])
        XCTAssertEqual(found.first?.fix, "nft insert rule inet guard in udp dport 4789 accept")
        // With that fix inserted above the drop, the accept wins.
        let fixed = ruleset.replacing("\t\tudp dport 4789 drop", with: "\t\tudp dport 4789 accept\n\t\tudp dport 4789 drop")
        XCTAssertEqual(findings([overlay], ruleset: fixed), [])
    }

    func testOwnersGetTheirOwnFixAndBerthsTableAndIPv6TablesAreLeftOut() {
        let ufw = iptablesDrop.replacing("\t}\n}", with: "\t}\n\tchain ufw-user-input {\n\t}\n}")
        XCTAssertEqual(findings([overlay], ruleset: ufw).first?.fix, "ufw allow 4789/udp")
        let ip6 = iptablesDrop.replacing("table ip filter", with: "table ip6 filter")
        XCTAssertEqual(findings([overlay], ruleset: ip6), [])
        let berths = iptablesDrop.replacing("table ip filter", with: "table inet berth")
        XCTAssertEqual(findings([overlay], ruleset: berths), [])
    }

    func testNoOverlayNetworkNoInputFinding() {
        XCTAssertEqual(findings([plain], ruleset: iptablesDrop), [])
    }
}
