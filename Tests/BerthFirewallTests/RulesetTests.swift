import XCTest
import BerthAddress
@testable import BerthFirewall

/// The rendered ruleset and the port-element batches, text-exact: these strings are what
/// libnftables parses, so any change to them is a change of kernel state.
final class RulesetTests: XCTestCase {
    private let web = FirewallNetwork(id: "aaaa", bridge: "berth0", subnet: IPv4Subnet("172.17.0.0/24")!,
                                      masquerade: true, isInternal: false)
    private let quiet = FirewallNetwork(id: "bbbb", bridge: "berthq", subnet: IPv4Subnet("172.18.0.0/24")!,
                                        masquerade: true, isInternal: false, icc: false, isolated: false)
    private let inner = FirewallNetwork(id: "cccc", bridge: "berthi", subnet: IPv4Subnet("10.9.0.0/24")!,
                                        masquerade: false, isInternal: true)
    private let any = PortElement(hostIP: nil, proto: .tcp, hostPort: 8080,
                                  containerIP: IPAddress("172.17.0.2")!, containerPort: 80)
    private let bound = PortElement(hostIP: IPAddress("203.0.113.2")!, proto: .udp, hostPort: 53,
                                    containerIP: IPAddress("172.17.0.3")!, containerPort: 5353)

    func testPublishBatchIsOneElementCommandPerMap() {
        XCTAssertEqual(Ruleset.publish([any, bound]), """
            add element inet berth ports { 203.0.113.2 . udp . 53 : 172.17.0.3 . 5353 }
            add element inet berth ports-any { tcp . 8080 : 172.17.0.2 . 80 }

            """)
        XCTAssertEqual(Ruleset.publish([any]), "add element inet berth ports-any { tcp . 8080 : 172.17.0.2 . 80 }\n")
        XCTAssertEqual(Ruleset.publish([]), "")
    }

    func testUnpublishDeletesKeysOnly() {
        var second = any
        second.hostPort = 8081
        XCTAssertEqual(Ruleset.unpublish([any, second, bound]), """
            delete element inet berth ports { 203.0.113.2 . udp . 53 }
            delete element inet berth ports-any { tcp . 8080, tcp . 8081 }

            """)
    }

    /// A first network's tables are made with `create table` and the same definitions as the
    /// full render, without its deletions; the bridge table only when it is rendered.
    func testCreationScriptOnlyAdds() throws {
        let replacePrefix = """
            add table inet berth
            delete table inet berth
            add table bridge berth
            delete table bridge berth

            """
        let plain = try XCTUnwrap(Ruleset.creationScript(for: [web], ports: [any]))
        XCTAssertEqual(plain, "create table inet berth\n" + Ruleset.script(for: [web], ports: [any]).dropFirst(replacePrefix.count))
        XCTAssertFalse(plain.contains("delete"))
        XCTAssertFalse(plain.contains("bridge berth"))
        let closed = try XCTUnwrap(Ruleset.creationScript(for: [web, quiet]))
        XCTAssertTrue(closed.hasPrefix("create table inet berth\ncreate table bridge berth\ntable inet berth {"))
        XCTAssertEqual(closed.dropFirst("create table inet berth\ncreate table bridge berth\n".count),
                       Ruleset.script(for: [web, quiet]).dropFirst(replacePrefix.count))
        XCTAssertNil(Ruleset.creationScript(for: []))
    }

    func testEmptyScriptRemovesBothTables() {
        XCTAssertEqual(Ruleset.script(for: []), """
            add table inet berth
            delete table inet berth
            add table bridge berth
            delete table bridge berth

            """)
    }

    func testScriptWithOneNetworkAndPorts() {
        XCTAssertEqual(Ruleset.script(for: [web], ports: [any, bound]), """
            add table inet berth
            delete table inet berth
            add table bridge berth
            delete table bridge berth
            table inet berth {
              map ports {
                type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service
                elements = { 203.0.113.2 . udp . 53 : 172.17.0.3 . 5353 }
              }

              map ports-any {
                type inet_proto . inet_service : ipv4_addr . inet_service
                elements = { tcp . 8080 : 172.17.0.2 . 80 }
              }

              set bridges {
                type ifname
                elements = { "berth0" }
              }

              set hairpin-sources {
                type ipv4_addr
                flags interval
                auto-merge
                elements = { 127.0.0.0/8, 172.17.0.0/24 }
              }

              chain published {
                dnat ip to ip daddr . meta l4proto . th dport map @ports
                meta nfproto ipv4 dnat ip to meta l4proto . th dport map @ports-any
              }

              chain nat-prerouting {
                type nat hook prerouting priority dstnat; policy accept;
                fib daddr type local jump published
              }

              chain nat-output {
                type nat hook output priority -100; policy accept;
                fib daddr type local jump published
              }

              chain guard {
                type filter hook prerouting priority mangle; policy accept;
                iifname { "berth0" } ip daddr 127.0.0.0/8 drop
                ip daddr vmap { 172.17.0.0/24 : jump guard-aaaa }
              }

              chain guard-aaaa {
                ct state established,related return
                iifname "berth0" return
                fib daddr type local return
                drop
              }

              chain postrouting {
                type nat hook postrouting priority srcnat; policy accept;
                ct status dnat oifname @bridges ip saddr @hairpin-sources masquerade
                ip saddr vmap { 172.17.0.0/24 : jump nat-aaaa }
              }

              chain forward {
                type filter hook forward priority filter - 1; policy accept;
                iifname vmap { "berth0" : jump fwd-out-aaaa }
                oifname vmap { "berth0" : jump fwd-in-aaaa }
              }

              chain vetted {
                meta mark set meta mark | 0x100000 accept
              }

              chain egress {
                oifname @bridges goto vetted
                meta oifkind "bridge" oifname { "docker*", "br-*" } accept
                goto vetted
              }

              chain nat-aaaa {
                oifname "berth0" return
                ip daddr 224.0.0.0/4 return
                masquerade
              }

              chain fwd-in-aaaa {
                ct state established,related goto vetted
                ct status dnat goto vetted
              }

              chain fwd-out-aaaa {
                ip saddr 172.17.0.0/24 goto egress
                drop
              }

            }

            """)
    }

    func testIsolationOptOutAndInternal() {
        let script = Ruleset.script(for: [web, quiet, inner])
        // only non-isolated networks accept each other's bridges
        XCTAssertTrue(script.contains("""
              chain guard-bbbb {
                ct state established,related return
                iifname { "berthq" } return
            """))
        XCTAssertTrue(script.contains("chain guard-aaaa {\n    ct state established,related return\n    iifname \"berth0\" return"))
        // internal networks are neither publish targets nor hairpin sources, and drop what leaves
        XCTAssertTrue(script.contains("elements = { \"berth0\", \"berthq\" }"))
        XCTAssertTrue(script.contains("elements = { 127.0.0.0/8, 172.17.0.0/24, 172.18.0.0/24 }"))
        XCTAssertTrue(script.contains("chain fwd-out-cccc {\n    ip saddr 10.9.0.0/24 oifname \"berthi\" goto vetted\n    drop\n  }"))
        XCTAssertFalse(script.contains("nat-cccc"))
    }

    func testICCOffAddsMarkingAndBridgeTable() {
        let script = Ruleset.script(for: [web, quiet])
        XCTAssertTrue(script.contains("""
              chain icc-mark {
                type filter hook prerouting priority -90; policy accept;
                ct status dnat ip saddr @no-icc ip daddr @no-icc meta mark set meta mark | 2097152
              }
            """))
        XCTAssertTrue(script.hasSuffix("""
            table bridge berth {
              set no-icc {
                type ipv4_addr
                flags interval
                elements = { 172.18.0.0/24 }
              }

              chain forward {
                type filter hook forward priority filter; policy accept;
                meta mark & 2097152 == 2097152 meta mark set meta mark & 4292870143 accept
                ip saddr @no-icc drop
              }
            }

            """))
        XCTAssertFalse(Ruleset.script(for: [web]).contains("bridge berth {"), "no bridge table while every network has ICC")
    }
}
