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

    /// A dual-stack network, and its fwd-out chain as `nft list table inet berth` prints it.
    private let dual = FirewallNetwork(id: "dddd", name: "dual", bridge: "berthd", subnet: IPv4Subnet("172.19.0.0/24")!,
                                       subnet6: IPv6Subnet("fd00:6::/64")!, masquerade: true, isInternal: false)
    private let dualTable = """
        table inet berth {
        \tmap ports6-any {
        \t\ttype inet_proto . inet_service : ipv6_addr . inet_service
        \t\telements = { tcp . 8080 : fd00:6::2 . 80 }
        \t}
        \tset hairpin-sources6 {
        \t\ttype ipv6_addr
        \t\tflags interval
        \t\tauto-merge
        \t\telements = { fd00:6::/64 }
        \t}
        \tchain forward {
        \t\ttype filter hook forward priority filter - 1; policy accept;
        \t\tiifname vmap { "berthd" : jump fwd-out-dddd }
        \t\toifname vmap { "berthd" : jump fwd-in-dddd }
        \t}
        \tchain fwd-in-dddd {
        \t\tct state established,related goto vetted
        \t}
        \tchain fwd-out-dddd {
        \t\tip saddr 172.19.0.0/24 goto egress
        \t\tip6 saddr fd00:6::/64 goto egress
        \t\tip6 saddr { ::, fe80::/10 } oifname "berthd" goto vetted
        \t\tdrop
        \t}
        }
        """

    /// `nft list ruleset` text of a table whose forward base chain drops by default, after empty
    /// chains that tell whose table it is.
    private func dropping(_ table: String, chain: String = "FORWARD", besides chains: [String] = []) -> String {
        let others = chains.map { "\tchain \($0) {\n\t}\n" }.joined()
        return "table \(table) {\n\(others)\tchain \(chain) {\n\t\ttype filter hook forward priority filter; policy drop;\n\t}\n}\n"
    }

    func testIPv6MapsAndSetsAreNotDrift() {
        XCTAssertEqual(findings([dual], table: dualTable), [])
    }

    func testANetworkWithoutItsIPv6Rules() {
        // A table rendered before the network had IPv6 (or altered by hand).
        let old = dualTable.replacingOccurrences(of: "\t\tip6 saddr fd00:6::/64 goto egress\n", with: "")
        XCTAssertEqual(findings([dual], table: old), [
            FirewallFinding(problem: "Berth's nftables table lacks the rules of network 'dual' (altered by hand?)",
                            fix: "berth firewall reload"),
        ])
    }

    func testDockerWithoutBerthsIPv6AcceptRule() {
        let ruleset = dropping("ip6 filter", besides: ["DOCKER-USER"])
        XCTAssertEqual(findings([dual], table: dualTable, ruleset: ruleset,
                                health: FirewallHealth(tablePresent: true, dockerAccept: [4], dockerAccept6: [])), [
            FirewallFinding(problem: "Docker's IPv6 DOCKER-USER chain (ip6tables) lacks Berth's accept rule: Docker's IPv6 FORWARD policy drop eats container traffic",
                            fix: "berth firewall reload (the next berth connect restores it too)"),
        ])
        XCTAssertEqual(findings([dual], table: dualTable, ruleset: ruleset,
                                health: FirewallHealth(tablePresent: true, dockerAccept: [4], dockerAccept6: [6])), [])
    }

    func testIPv6TablesThatDropMatterOnceANetworkHasIPv6() {
        let ruleset = dropping("ip6 only6", chain: "fwd") + dropping("ip6 filter", besides: ["ufw6-before-forward"])
            + dropping("ip legacy")
        let only6 = FirewallNetwork(id: "eeee", name: "six", bridge: "berth6", subnet: nil,
                                    subnet6: IPv6Subnet("2001:db8:6::/64")!, masquerade: false, isInternal: false)
        let table = dualTable.replacingOccurrences(of: "dddd", with: "eeee").replacingOccurrences(of: "berthd", with: "berth6")
            .replacingOccurrences(of: "fd00:6::/64 goto", with: "2001:db8:6::/64 goto")
        // An IPv6-only network: IPv4 tables never see its traffic.
        XCTAssertEqual(findings([only6], table: table, ruleset: ruleset), [
            FirewallFinding(problem: "table ip6 only6 chain fwd has a forward hook with policy drop: it drops container traffic Berth accepts",
                            fix: "nft insert rule ip6 only6 fwd meta mark and 0x100000 == 0x100000 accept (Berth marks the traffic it accepts)"),
            FirewallFinding(problem: "table ip6 filter chain FORWARD has a forward hook with policy drop: it drops container traffic Berth accepts",
                            fix: "ufw route allow in on berth6 && ufw route allow out on berth6"),
        ])
        // An IPv4-only network: IPv6 tables never see its traffic.
        XCTAssertEqual(findings([web], table: self.table, ruleset: ruleset).map(\.problem), [
            "table ip legacy chain FORWARD has a forward hook with policy drop: it drops container traffic Berth accepts",
        ])
        XCTAssertEqual(findings([web], table: self.table, ruleset: ruleset).map(\.fix), [
            "nft insert rule ip legacy FORWARD meta mark and 0x100000 == 0x100000 accept (Berth marks the traffic it accepts)",
        ])
        XCTAssertEqual(findings([only6], table: table, ruleset: dropping("ip6 filter")).map(\.fix), [
            "ip6tables -I FORWARD -m mark --mark 0x100000/0x100000 -j ACCEPT (Berth marks the traffic it accepts)",
        ])
    }
}
