import BerthAddress
import XCTest
@testable import BerthFirewall

/// `berth doctor`'s firewall findings from captured `nft` output (integration tests grep for
/// these texts: keep them).
final class DiagnosisTests: XCTestCase {
    private let web = FirewallNetwork(id: "aaaa", name: "web", bridge: "berth0", subnet: IPv4Subnet("172.17.0.0/24")!,
                                      masquerade: true, isInternal: false)
    private let db = FirewallNetwork(id: "bbbb", name: "db", bridge: "berth1", subnet: IPv4Subnet("172.18.0.0/24")!,
                                     masquerade: true, isInternal: false)
    private let noDocker = FirewallHealth(tablePresent: true, dockerAccept: nil)

    /// Berth's table as `nft list table inet berth` prints it (abridged), with both networks.
    private let table = """
        table inet berth {
        \tchain forward {
        \t\ttype filter hook forward priority filter; policy accept;
        \t\tiifname vmap { "berth0" : jump fwd-in-aaaa, "berth1" : jump fwd-in-bbbb }
        \t}
        \tchain fwd-in-aaaa {
        \t\toifname "berth0" accept
        \t}
        \tchain fwd-in-bbbb {
        \t\toifname "berth1" accept
        \t}
        }
        """

    /// What `nft list ruleset` shows beside Berth's table on a host with Docker.
    private let dockerRuleset = """
        table ip filter {
        \tchain DOCKER-USER {
        \t\tmeta mark & 0x00100000 == 0x00100000 counter packets 0 bytes 0 accept comment "berth-vetted"
        \t}
        \tchain FORWARD {
        \t\ttype filter hook forward priority filter; policy drop;
        \t\tcounter packets 0 bytes 0 jump DOCKER-USER
        \t}
        }
        """

    private func findings(_ networks: [FirewallNetwork], table: String?, ruleset: String = "",
                          health: FirewallHealth? = nil) -> [FirewallFinding] {
        NftablesFirewall.findings(for: networks, table: table, ruleset: ruleset, health: health ?? noDocker)
    }

    func testNothingToSayWithoutNetworksOrWhenAllIsWell() {
        XCTAssertEqual(findings([], table: nil), [])
        XCTAssertEqual(findings([web, db], table: table), [])
    }

    func testAMissingTableIsReportedAlone() {
        XCTAssertEqual(findings([web], table: nil, health: FirewallHealth(tablePresent: false, dockerAccept: [])), [
            FirewallFinding(problem: "Berth's nftables table inet berth is missing (no NAT, no forwarding rules)",
                            fix: "berth firewall reload (the next berth connect restores it too)"),
        ])
    }

    func testANetworkWhoseChainOrBridgeIsGone() {
        let lacking = FirewallFinding(problem: "Berth's nftables table lacks the rules of network 'db' (altered by hand?)",
                                      fix: "berth firewall reload")
        let withoutChain = table.replacingOccurrences(of: "fwd-in-bbbb", with: "fwd-in-cccc")
        XCTAssertEqual(findings([web, db], table: withoutChain), [lacking])
        let withoutBridge = table.replacingOccurrences(of: "\"berth1\"", with: "\"other\"")
        XCTAssertEqual(findings([web, db], table: withoutBridge), [lacking])
    }

    func testDockerWithoutBerthsAcceptRule() {
        let missing = FirewallHealth(tablePresent: true, dockerAccept: [])
        let ruleset = dockerRuleset.replacingOccurrences(of: "\t\tmeta mark & 0x00100000 == 0x00100000 counter packets 0 bytes 0 accept comment \"berth-vetted\"\n", with: "")
        // Docker's drop policy itself is not reported again: Berth's own rule is the fix.
        XCTAssertEqual(findings([web], table: table, ruleset: ruleset, health: missing), [
            FirewallFinding(problem: "Docker's DOCKER-USER chain lacks Berth's accept rule: Docker's FORWARD policy drop eats container traffic",
                            fix: "berth firewall reload (the next berth connect restores it too)"),
        ])
        XCTAssertEqual(findings([web], table: table, ruleset: dockerRuleset, health: FirewallHealth(tablePresent: true, dockerAccept: [4])), [])
    }

    func testOtherFirewallsThatDropForwardedTraffic() {
        let ruleset = """
            table inet berth {
            \tchain forward {
            \t\ttype filter hook forward priority filter; policy drop;
            \t}
            }
            table inet custom {
            \tchain fwd {
            \t\ttype filter hook forward priority filter; policy drop;
            \t}
            }
            table ip6 only6 {
            \tchain fwd {
            \t\ttype filter hook forward priority filter; policy drop;
            \t}
            }
            table ip filter {
            \tchain ufw-before-forward {
            \t}
            \tchain FORWARD {
            \t\ttype filter hook forward priority filter; policy drop;
            \t}
            }
            """
        XCTAssertEqual(findings([web], table: table, ruleset: ruleset), [
            FirewallFinding(problem: "table inet custom chain fwd has a forward hook with policy drop: it drops container traffic Berth accepts",
                            fix: "nft insert rule inet custom fwd meta mark and 0x100000 == 0x100000 accept (Berth marks the traffic it accepts)"),
            FirewallFinding(problem: "table ip filter chain FORWARD has a forward hook with policy drop: it drops container traffic Berth accepts",
                            fix: "ufw route allow in on berth0 && ufw route allow out on berth0"),
        ])
        // Once the fix is in, the chain lets Berth's traffic through.
        let fixed = ruleset.replacingOccurrences(of: "chain fwd {\n", with: "chain fwd {\n\t\tmeta mark & 0x00100000 == 0x00100000 accept\n")
        XCTAssertEqual(findings([web], table: table, ruleset: fixed).count, 1)
    }
}
