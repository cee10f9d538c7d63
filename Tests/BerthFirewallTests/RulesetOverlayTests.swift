import XCTest
import BerthAddress
@testable import BerthFirewall

/// An overlay network's rules (docs/overlay.md, "Firewall"): a bridge network's, plus the other
/// hosts' containers through the VXLAN device, without NAT inside the overlay subnet.
final class RulesetOverlayTests: XCTestCase {
    private let overlay = FirewallNetwork(id: "dddd", bridge: "bo0123456789ab", subnet: IPv4Subnet("10.240.3.0/24")!,
                                          masquerade: true, isInternal: false,
                                          overlay: FirewallOverlay(device: "bv0123456789ab", subnet: IPv4Subnet("10.240.0.0/16")!))
    private let plain = FirewallNetwork(id: "aaaa", bridge: "berth0", subnet: IPv4Subnet("172.17.0.0/24")!,
                                        masquerade: true, isInternal: false)

    func chain(_ name: String, in script: String) -> String {
        guard let start = script.range(of: "  chain \(name) {\n") else { return "" }
        let rest = script[start.upperBound...]
        return String(rest[..<(rest.range(of: "  }\n")?.lowerBound ?? rest.endIndex)])
    }

    func testGuardAcceptsTheOverlaySubnetOnlyThroughTheVXLANDevice() {
        let script = Ruleset.script(for: [plain, overlay])
        XCTAssertEqual(chain("guard-dddd", in: script), """
                ct state established,related return
                iifname "bo0123456789ab" return
                iifname "bv0123456789ab" ip saddr 10.240.0.0/16 return
                fib daddr type local return
                drop

            """)
        XCTAssertTrue(script.contains("    ip daddr vmap { 172.17.0.0/24 : jump guard-aaaa, 10.240.3.0/24 : jump guard-dddd }\n"))
        XCTAssertTrue(script.contains("iifname { \"berth0\", \"bo0123456789ab\", \"bv0123456789ab\" } ip daddr 127.0.0.0/8 drop"))
        // Another network's guard knows nothing of the overlay.
        XCTAssertFalse(chain("guard-aaaa", in: script).contains("bv0123456789ab"))
    }

    func testForwardingBetweenBridgeAndVXLANDeviceBothWaysIsVetted() {
        let script = Ruleset.script(for: [overlay])
        XCTAssertEqual(chain("fwd-in-dddd", in: script), """
                ct state established,related goto vetted
                ct status dnat goto vetted
                iifname "bv0123456789ab" ip saddr 10.240.0.0/16 goto vetted

            """)
        XCTAssertEqual(chain("fwd-out-dddd", in: script), """
                ip saddr 10.240.3.0/24 oifname "bv0123456789ab" ip daddr 10.240.0.0/16 goto vetted
                ip saddr 10.240.3.0/24 goto egress
                drop

            """)
    }

    func testNoMasqueradeInsideTheOverlaySubnet() {
        let script = Ruleset.script(for: [overlay])
        XCTAssertEqual(chain("nat-dddd", in: script), """
                oifname "bo0123456789ab" return
                ip daddr 224.0.0.0/4 return
                ip daddr 10.240.0.0/16 return
                masquerade

            """)
        XCTAssertTrue(script.contains("    ip saddr vmap { 10.240.3.0/24 : jump nat-dddd }\n"))
    }

    func testAPlainNetworkRendersAsBefore() {
        XCTAssertEqual(Ruleset.script(for: [plain]),
                       Ruleset.script(for: [FirewallNetwork(id: "aaaa", bridge: "berth0", subnet: IPv4Subnet("172.17.0.0/24")!,
                                                            masquerade: true, isInternal: false, overlay: nil)]))
        XCTAssertFalse(Ruleset.script(for: [plain]).contains("10.240"))
    }
}
