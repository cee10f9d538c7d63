import XCTest
import BerthAddress
@testable import BerthFirewall

/// The name service's rule (docs/dns.md, "Firewall"): DNS to a DNS network's gateways only
/// from its own bridge, per family; nothing for networks without DNS.
final class RulesetDNSTests: XCTestCase {
    private let web = FirewallNetwork(id: "aaaa", bridge: "berthw", subnet: IPv4Subnet("10.88.0.0/24")!,
                                      masquerade: true, isInternal: false,
                                      dns: true, gateway: IPv4Address("10.88.0.1"))
    private let dual = FirewallNetwork(id: "bbbb", bridge: "berthd", subnet: IPv4Subnet("10.89.0.0/24")!,
                                       subnet6: IPv6Subnet("fd00:89::/64")!, masquerade: true, isInternal: false,
                                       dns: true, gateway: IPv4Address("10.89.0.1"), gateway6: IPv6Address("fd00:89::1"))
    private let inner = FirewallNetwork(id: "cccc", bridge: "berthi", subnet: IPv4Subnet("10.9.0.0/24")!,
                                        masquerade: false, isInternal: true,
                                        dns: true, gateway: IPv4Address("10.9.0.1"))
    private let plain = FirewallNetwork(id: "dddd", bridge: "berthp", subnet: IPv4Subnet("10.7.0.0/24")!,
                                        masquerade: true, isInternal: false, gateway: IPv4Address("10.7.0.1"))

    func testIPv4DNSNetworkGetsAnInputChainOfItsOwn() {
        let script = Ruleset.script(for: [web])
        XCTAssertTrue(script.contains("""
              chain input {
                type filter hook input priority filter; policy accept;
                iifname != "berthw" ip daddr 10.88.0.1 meta l4proto { tcp, udp } th dport 53 drop
              }

            """), script)
    }

    func testDualStackInternalAndPlainNetworks() {
        let script = Ruleset.script(for: [web, dual, inner, plain])
        XCTAssertTrue(script.contains("""
              chain input {
                type filter hook input priority filter; policy accept;
                icmpv6 type { nd-redirect, nd-router-advert } iifname { "berthw", "berthd", "berthi", "berthp" } drop
                iifname != "berthw" ip daddr 10.88.0.1 meta l4proto { tcp, udp } th dport 53 drop
                iifname != "berthd" ip daddr 10.89.0.1 meta l4proto { tcp, udp } th dport 53 drop
                iifname != "berthd" ip6 daddr fd00:89::1 meta l4proto { tcp, udp } th dport 53 drop
                iifname != "berthi" ip daddr 10.9.0.1 meta l4proto { tcp, udp } th dport 53 drop
              }

            """), script)
        XCTAssertFalse(script.contains("10.7.0.1"), "no rule for a network without DNS")
        XCTAssertTrue(script.contains("chain guard-cccc {\n    ct state established,related return\n    iifname \"berthi\" return"),
                      "an internal network's containers still reach its gateway (the input chain's policy accepts)")
    }

    func testNoDNSNoIPv6NoInputChain() {
        XCTAssertFalse(Ruleset.script(for: [plain]).contains("chain input"))
    }
}
