import BerthAddress
import XCTest
@testable import BerthFirewall

/// `berth doctor` on an overlay host: another firewall's input chain that keeps the VXLAN port
/// out, from captured `nft list ruleset` text (the way nft, iptables-nft, ufw and firewalld list
/// their rules).
final class DiagnosisOverlayTests: XCTestCase {
    private let ov1 = VXLANInput(network: "ov1", port: 4789, underlay: IPv4Subnet("198.51.100.0/24")!)

    private func findings(_ ruleset: String, _ inputs: [VXLANInput]? = nil) -> [FirewallFinding] {
        NftablesFirewall.blockedVXLANFindings(inputs ?? [ov1], ruleset: ruleset)
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

    func testADropPolicyWithoutAnAcceptForThePortIsReportedWithAFixForTheUnderlayOnly() {
        let found = findings(iptablesDrop)
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(found.first?.problem,
                       "table ip filter chain INPUT drops incoming packets it does not accept and accepts no UDP port 4789: VXLAN packets from the overlay's other hosts are dropped (overlay network 'ov1')")
        XCTAssertEqual(found.first?.fix, "iptables -I INPUT -s 198.51.100.0/24 -p udp --dport 4789 -j ACCEPT")
        // Without a known underlay the fix names the port alone.
        XCTAssertEqual(findings(iptablesDrop, [VXLANInput(network: "ov1", port: 4789, underlay: nil)]).first?.fix,
                       "iptables -I INPUT -p udp --dport 4789 -j ACCEPT")
    }

    func testAnAcceptForThePortAloneInASetOrInARangeSilencesIt() {
        XCTAssertEqual(findings(iptablesDrop.replacing("tcp dport 22", with: "udp dport 4789")), [])
        XCTAssertEqual(findings(iptablesDrop.replacing("tcp dport 22", with: "udp dport 4700-4800")), [])
        let set = """
            table inet filter {
            \tchain input {
            \t\ttype filter hook input priority filter; policy drop;
            \t\tip saddr 198.51.100.0/24 udp dport { 53, 4789, 8472 } accept comment "vxlan"
            \t}
            }
            """
        XCTAssertEqual(findings(set), [])
        // Another port in the set is not this one.
        XCTAssertEqual(findings(set.replacing(" 4789,", with: "")).count, 1)
    }

    func testAnUnconditionalDropOfThePortIsReportedEvenWithAnAcceptPolicyUntilAnAcceptIsAbove() {
        let ruleset = """
            table inet guard {
            \tchain in {
            \t\ttype filter hook input priority filter; policy accept;
            \t\tudp dport 4789 counter packets 3 bytes 300 drop comment "no vxlan"
            \t}
            }
            """
        let found = findings(ruleset)
        XCTAssertEqual(found.map(\.problem), ["table inet guard chain in drops UDP port 4789: VXLAN packets from the overlay's other hosts never arrive (overlay network 'ov1')"])
        XCTAssertEqual(found.first?.fix, "nft insert rule inet guard in ip saddr 198.51.100.0/24 udp dport 4789 accept")
        // With that fix inserted above the drop, the accept wins.
        let fixed = ruleset.replacing("\t\tudp dport 4789 counter", with: "\t\tip saddr 198.51.100.0/24 udp dport 4789 accept\n\t\tudp dport 4789 counter")
        XCTAssertEqual(findings(fixed), [])
    }

    func testADropLimitedBySourceOrInterfaceIsNotReported() {
        let ruleset = """
            table inet guard {
            \tchain in {
            \t\ttype filter hook input priority filter; policy accept;
            \t\tip saddr != 198.51.100.0/24 udp dport 4789 drop
            \t\tiifname "wan0" udp dport 4789 drop
            \t}
            }
            """
        XCTAssertEqual(findings(ruleset), [])
    }

    func testFirewalldsTrailingRejectCountsAsADropPolicy() {
        // firewalld's filter_INPUT: no policy, zones jumped to, a reject at the end.
        let firewalld = """
            table inet firewalld {
            \tchain filter_INPUT {
            \t\ttype filter hook input priority filter + 10; policy accept;
            \t\tct state { established, related } accept
            \t\tiifname "lo" accept
            \t\tjump filter_INPUT_ZONES
            \t\tct state { invalid } drop
            \t\treject with icmpx admin-prohibited
            \t}
            \tchain filter_IN_public_allow {
            \t\ttcp dport 22 accept
            \t}
            }
            """
        let found = findings(firewalld)
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(found.first?.fix,
                       "firewall-cmd --permanent --add-rich-rule='rule family=\"ipv4\" source address=\"198.51.100.0/24\" port port=\"4789\" protocol=\"udp\" accept' && firewall-cmd --reload")
        // The port allowed in a zone: quiet.
        XCTAssertEqual(findings(firewalld.replacing("tcp dport 22 accept", with: "udp dport 4789 accept")), [])
    }

    func testUfwGetsItsOwnFixAndAnOutputAllowDoesNotCount() {
        let ufw = """
            table ip filter {
            \tchain INPUT {
            \t\ttype filter hook input priority filter; policy drop;
            \t\tjump ufw-before-input
            \t}
            \tchain ufw-user-output {
            \t\tudp dport 4789 accept
            \t}
            \tchain ufw-before-input {
            \t}
            }
            """
        XCTAssertEqual(findings(ufw).first?.fix, "ufw allow from 198.51.100.0/24 to any port 4789 proto udp")
        XCTAssertEqual(findings(ufw.replacing("ufw-user-output", with: "ufw-user-input")), [])
    }

    func testIPv6TablesAndBerthsOwnTableAreLeftOut() {
        XCTAssertEqual(findings(iptablesDrop.replacing("table ip filter", with: "table ip6 filter")), [])
        XCTAssertEqual(findings(iptablesDrop.replacing("table ip filter", with: "table inet berth")), [])
        XCTAssertEqual(findings(iptablesDrop, []), [])
    }
}
