import XCTest
import BerthAddress
@testable import BerthFirewall

/// IPv6 in the rendered ruleset (issue 14): dual-stack and IPv6-only networks, NAT66 and routed
/// prefixes, the IPv6 maps of published ports, ICC off and the router-advertisement guard.
final class RulesetIPv6Tests: XCTestCase {
    private let dual = FirewallNetwork(id: "dddd", bridge: "berthd", subnet: IPv4Subnet("172.19.0.0/24")!,
                                       subnet6: IPv6Subnet("fd00:6::/64")!, masquerade: true, isInternal: false)
    /// A routed prefix: no NAT66.
    private let routed = FirewallNetwork(id: "eeee", bridge: "berth6", subnet: nil, subnet6: IPv6Subnet("2001:db8:6::/64")!,
                                         masquerade: false, masquerade6: false, isInternal: false)
    private let quiet = FirewallNetwork(id: "ffff", bridge: "berthq6", subnet: IPv4Subnet("172.20.0.0/24")!,
                                        subnet6: IPv6Subnet("fd00:20::/64")!, masquerade: true, isInternal: false,
                                        icc: false, isolated: false)
    private let inner = FirewallNetwork(id: "abab", bridge: "berthi6", subnet: nil, subnet6: IPv6Subnet("fd00:99::/64")!,
                                        masquerade: false, isInternal: true)
    private let web = FirewallNetwork(id: "aaaa", bridge: "berth0", subnet: IPv4Subnet("172.17.0.0/24")!,
                                      masquerade: true, isInternal: false)
    private let any4 = PortElement(hostIP: nil, proto: .tcp, hostPort: 8080,
                                   containerIP: IPAddress("172.19.0.2")!, containerPort: 80)
    private let any6 = PortElement(hostIP: nil, proto: .tcp, hostPort: 8080,
                                   containerIP: IPAddress("fd00:6::2")!, containerPort: 80)
    private let bound6 = PortElement(hostIP: IPAddress("2001:db8::1")!, proto: .udp, hostPort: 53,
                                     containerIP: IPAddress("fd00:6::3")!, containerPort: 5353)

    /// The lines of `script` that `base` lacks, when every line of `base` is in `script` in the
    /// same order (nil otherwise): what adding IPv6 adds to the rendered text.
    private func linesAdded(to base: String, in script: String) -> [String]? {
        var rest = base.split(separator: "\n", omittingEmptySubsequences: false)[...]
        var added: [String] = []
        for line in script.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == rest.first { rest = rest.dropFirst() } else { added.append(String(line)) }
        }
        return rest.isEmpty ? added : nil
    }

    func testDualStackScriptIsTheIPv4OneWithIPv6Added() {
        let ipv4Only = FirewallNetwork(id: "dddd", bridge: "berthd", subnet: IPv4Subnet("172.19.0.0/24")!,
                                       masquerade: true, isInternal: false)
        let added = linesAdded(to: Ruleset.script(for: [ipv4Only], ports: [any4]),
                               in: Ruleset.script(for: [dual], ports: [any4, any6, bound6]))
        // In order: the IPv6 maps and hairpin set, the IPv6 DNAT rules (and ::1 left alone),
        // the guard's IPv6 dispatch, hairpin masquerade and NAT66, the router-message guard
        // towards the host, the nat chain's multicast exception, anti-spoofing (with the
        // link-local sources only bridged traffic has), and the bridge table's guard.
        XCTAssertEqual(added?.joined(separator: "\n"), """
              map ports6 {
                type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service
                elements = { 2001:db8::1 . udp . 53 : fd00:6::3 . 5353 }
              }

              map ports6-any {
                type inet_proto . inet_service : ipv6_addr . inet_service
                elements = { tcp . 8080 : fd00:6::2 . 80 }
              }

              set hairpin-sources6 {
                type ipv6_addr
                flags interval
                auto-merge
                elements = { fd00:6::/64 }
              }

                dnat ip6 to ip6 daddr . meta l4proto . th dport map @ports6
                meta nfproto ipv6 dnat ip6 to meta l4proto . th dport map @ports6-any
                ip6 daddr ::1 return
                ip6 daddr vmap { fd00:6::/64 : jump guard-dddd }
                ct status dnat oifname @bridges ip6 saddr @hairpin-sources6 masquerade
                ip6 saddr vmap { fd00:6::/64 : jump nat-dddd }
              chain input {
                type filter hook input priority filter; policy accept;
                icmpv6 type { nd-redirect, nd-router-advert } iifname { "berthd" } drop
              }

                ip6 daddr ff00::/8 return
                ip6 saddr fd00:6::/64 goto egress
                ip6 saddr { ::/128, fe80::/10 } oifname "berthd" goto vetted
            table bridge berth {
              chain forward {
                type filter hook forward priority filter; policy accept;
                icmpv6 type { nd-redirect, nd-router-advert } iifname "bv*" drop
              }
            }
            """)
        // Where they go: each beside its IPv4 twin.
        let script = Ruleset.script(for: [dual], ports: [any6])
        XCTAssertTrue(script.contains("""
                meta nfproto ipv4 dnat ip to meta l4proto . th dport map @ports-any
                dnat ip6 to ip6 daddr . meta l4proto . th dport map @ports6
            """))
        XCTAssertTrue(script.contains("""
                ip daddr vmap { 172.19.0.0/24 : jump guard-dddd }
                ip6 daddr vmap { fd00:6::/64 : jump guard-dddd }
            """))
        XCTAssertTrue(script.contains("""
              chain fwd-out-dddd {
                ip saddr 172.19.0.0/24 goto egress
                ip6 saddr fd00:6::/64 goto egress
            """))
    }

    func testIPv6OnlyNetworkHasNoIPv4Element() {
        let script = Ruleset.script(for: [routed])
        for ipv4 in ["ipv4_addr", "ip saddr", "ip daddr vmap", "@ports-any", "hairpin-sources ", "224.0.0.0/4"] {
            XCTAssertFalse(script.contains(ipv4), "IPv4 element \(ipv4) rendered for an IPv6-only network")
        }
        XCTAssertTrue(script.contains("    ip6 daddr vmap { 2001:db8:6::/64 : jump guard-eeee }\n"))
        XCTAssertTrue(script.contains("""
              chain published {
                dnat ip6 to ip6 daddr . meta l4proto . th dport map @ports6
                meta nfproto ipv6 dnat ip6 to meta l4proto . th dport map @ports6-any
              }
            """))
        XCTAssertTrue(script.contains("""
              chain fwd-out-eeee {
                ip6 saddr 2001:db8:6::/64 goto egress
                ip6 saddr { ::/128, fe80::/10 } oifname "berth6" goto vetted
                drop
              }
            """))
        // The one IPv4 word left guards the bridge itself: a container can send IPv4 to
        // 127.0.0.0/8 whatever addresses its network has.
        XCTAssertTrue(script.contains("iifname { \"berth6\" } ip daddr 127.0.0.0/8 drop"))
    }

    func testRoutedPrefixIsForwardedButNotMasqueraded() {
        let script = Ruleset.script(for: [routed])
        XCTAssertTrue(script.contains("""
              chain postrouting {
                type nat hook postrouting priority srcnat; policy accept;
                ct status dnat oifname @bridges ip6 saddr @hairpin-sources6 masquerade
              }
            """), "hairpin traffic is still masqueraded, nothing else")
        XCTAssertFalse(script.contains("nat-eeee"))
        XCTAssertTrue(script.contains("ip6 saddr 2001:db8:6::/64 goto egress"))
        XCTAssertTrue(script.contains("set hairpin-sources6 {\n    type ipv6_addr\n    flags interval\n    auto-merge\n    elements = { 2001:db8:6::/64 }\n  }"))
    }

    func testEachFamilyMasqueradesOnItsOwn() {
        let nat44Only = FirewallNetwork(id: "1111", bridge: "b1", subnet: IPv4Subnet("10.1.0.0/24")!,
                                        subnet6: IPv6Subnet("2001:db8:1::/64")!, masquerade: true,
                                        masquerade6: false, isInternal: false)
        let nat66Only = FirewallNetwork(id: "2222", bridge: "b2", subnet: IPv4Subnet("10.2.0.0/24")!,
                                        subnet6: IPv6Subnet("fd00:2::/64")!, masquerade: false, isInternal: false)
        let script = Ruleset.script(for: [nat44Only, nat66Only])
        XCTAssertTrue(script.contains("    ip saddr vmap { 10.1.0.0/24 : jump nat-1111 }\n    ip6 saddr vmap { fd00:2::/64 : jump nat-2222 }\n"))
        XCTAssertTrue(script.contains("chain nat-1111 {\n    oifname \"b1\" return\n    ip daddr 224.0.0.0/4 return\n    masquerade\n  }"))
        XCTAssertTrue(script.contains("chain nat-2222 {\n    oifname \"b2\" return\n    ip6 daddr ff00::/8 return\n    masquerade\n  }"))
    }

    func testInternalIPv6NetworkStaysOnItsBridge() {
        let script = Ruleset.script(for: [inner])
        XCTAssertTrue(script.contains("""
              chain fwd-out-abab {
                ip6 saddr fd00:99::/64 oifname "berthi6" goto vetted
                ip6 saddr { ::/128, fe80::/10 } oifname "berthi6" goto vetted
                drop
              }
            """))
        // Neither a publish target nor a hairpin source, never masqueraded.
        XCTAssertTrue(script.contains("  set bridges {\n    type ifname\n  }\n"))
        XCTAssertTrue(script.contains("  set hairpin-sources6 {\n    type ipv6_addr\n    flags interval\n    auto-merge\n  }\n"))
        XCTAssertEqual(["@hairpin-sources6 masquerade", "nat-abab", "saddr vmap"].filter(script.contains), [])
    }

    func testIsolationCoversIPv6() {
        let open = FirewallNetwork(id: "3333", bridge: "b3", subnet: nil, subnet6: IPv6Subnet("fd00:3::/64")!,
                                   masquerade: false, isInternal: false, isolated: false)
        let script = Ruleset.script(for: [dual, quiet, open])
        XCTAssertTrue(script.contains("    ip6 daddr vmap { fd00:6::/64 : jump guard-dddd, fd00:20::/64 : jump guard-ffff, fd00:3::/64 : jump guard-3333 }\n"))
        XCTAssertTrue(script.contains("chain guard-3333 {\n    ct state established,related return\n    iifname { \"berthq6\", \"b3\" } return"))
        XCTAssertTrue(script.contains("chain guard-dddd {\n    ct state established,related return\n    iifname \"berthd\" return"))
    }

    func testICCOffCoversIPv6() {
        let script = Ruleset.script(for: [dual, quiet])
        // The same sets in the inet table (for the marking) and in the bridge table.
        let sets = """
              set no-icc {
                type ipv4_addr
                flags interval
                elements = { 172.20.0.0/24 }
              }

              set no-icc6 {
                type ipv6_addr
                flags interval
                elements = { fd00:20::/64 }
              }


            """
        XCTAssertTrue(script.contains(sets + """
              chain icc-mark {
                type filter hook prerouting priority -90; policy accept;
                ct status dnat ip saddr @no-icc ip daddr @no-icc meta mark set meta mark | 2097152
                ct status dnat ip6 saddr @no-icc6 ip6 daddr @no-icc6 meta mark set meta mark | 2097152
              }
            """))
        XCTAssertTrue(script.hasSuffix("table bridge berth {\n" + sets + """
              chain forward {
                type filter hook forward priority filter; policy accept;
                icmpv6 type { nd-redirect, nd-router-advert } iifname "bv*" drop
                meta mark & 2097152 == 2097152 meta mark set meta mark & 4292870143 accept
                ip saddr @no-icc drop
                ip6 saddr @no-icc6 drop
              }
            }

            """))
        // An IPv6-only ICC-off network: no IPv4 set, rule or marking.
        let only6 = FirewallNetwork(id: "4444", bridge: "b4", subnet: nil, subnet6: IPv6Subnet("fd00:4::/64")!,
                                    masquerade: false, isInternal: false, icc: false)
        let script6 = Ruleset.script(for: [only6])
        XCTAssertTrue(script6.contains("    ip6 saddr @no-icc6 drop\n"))
        XCTAssertEqual(["no-icc ", "@no-icc "].filter(script6.contains), [])
    }

    func testRouterAdvertisementsFromContainersAreDropped() {
        let script = Ruleset.script(for: [web, routed])
        // Towards the host, from every Berth bridge (IPv4-only ones too: their containers can
        // still send ICMPv6).
        XCTAssertTrue(script.contains("""
              chain input {
                type filter hook input priority filter; policy accept;
                icmpv6 type { nd-redirect, nd-router-advert } iifname { "berth0", "berth6" } drop
              }
            """))
        // Between containers: the bridge table exists with ICC on everywhere.
        XCTAssertTrue(script.hasSuffix("""
            table bridge berth {
              chain forward {
                type filter hook forward priority filter; policy accept;
                icmpv6 type { nd-redirect, nd-router-advert } iifname "bv*" drop
              }
            }

            """))
        // Neighbour discovery is never matched.
        XCTAssertFalse(script.contains("nd-neighbor"))
        // Without IPv6, nothing of this.
        let ipv4 = Ruleset.script(for: [web])
        XCTAssertFalse(ipv4.contains("icmpv6"))
        XCTAssertFalse(ipv4.contains("bridge berth {"))
    }

    func testLoopbackIsNeverDNATed() {
        XCTAssertTrue(Ruleset.script(for: [dual]).contains("""
              chain nat-output {
                type nat hook output priority -100; policy accept;
                ip6 daddr ::1 return
                fib daddr type local jump published
              }
            """))
        XCTAssertFalse(Ruleset.script(for: [web]).contains("::1"))
    }

    func testPortsOfBothFamiliesInOneBatch() {
        XCTAssertEqual(Ruleset.publish([any6, any4, bound6]), """
            add element inet berth ports-any { tcp . 8080 : 172.19.0.2 . 80 }
            add element inet berth ports6 { 2001:db8::1 . udp . 53 : fd00:6::3 . 5353 }
            add element inet berth ports6-any { tcp . 8080 : fd00:6::2 . 80 }

            """)
        var second = any6
        second.hostPort = 8081
        XCTAssertEqual(Ruleset.unpublish([any6, second, bound6]), """
            delete element inet berth ports6 { 2001:db8::1 . udp . 53 }
            delete element inet berth ports6-any { tcp . 8080, tcp . 8081 }

            """)
    }

    func testElementMapsFollowTheContainerFamily() {
        XCTAssertEqual(any4.map, "ports-any")
        XCTAssertEqual(any6.map, "ports6-any")
        XCTAssertEqual(bound6.map, "ports6")
        XCTAssertEqual(bound6.key, "2001:db8::1 . udp . 53")
        XCTAssertEqual(bound6.mapping, "2001:db8::1 . udp . 53 : fd00:6::3 . 5353")
    }

    func testIPv6PortsWithoutAnIPv6NetworkStillGetTheirMaps() {
        // Not expected from the engine, but an element must never be dropped silently.
        XCTAssertTrue(Ruleset.script(for: [web], ports: [any6]).contains("elements = { tcp . 8080 : fd00:6::2 . 80 }"))
    }
}
