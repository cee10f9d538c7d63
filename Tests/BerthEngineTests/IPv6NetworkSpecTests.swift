@testable import BerthEngine
import BerthAddress
import XCTest

/// Network specs with IPv6 that cannot work are refused before anything is made.
final class IPv6NetworkSpecTests: IPv6EngineTestCase {
    private func spec(_ name: String, _ change: (inout NetworkSpec) -> Void) -> NetworkSpec {
        var spec = NetworkSpec(name: name)
        change(&spec)
        return spec
    }

    func testRefusedSpecsChangeNothing() throws {
        try harness.createNetwork6("web", subnet6: "fd00:88::/64")
        let before = try harness.state()
        let realized = harness.driver.script.count(.realize)
        let refused: [(NetworkSpec, Refusal, String)] = [
            (spec("gateway-outside") { $0.subnet6 = IPv6Subnet("fd00:1::/64"); $0.gateway6 = IPv6Address("fd00:2::1") },
             .invalidArgument, "gateway fd00:2::1 is not a usable address of subnet fd00:1::/64"),
            (spec("gateway-anycast") { $0.subnet6 = IPv6Subnet("fd00:1::/64"); $0.gateway6 = IPv6Address("fd00:1::") },
             .invalidArgument, "gateway fd00:1:: is not a usable address of subnet fd00:1::/64"),
            (spec("slash127") { $0.subnet6 = IPv6Subnet("fd00:1::/127") }, .invalidArgument, "subnet fd00:1::/127 is too small"),
            (spec("slash128") { $0.subnet6 = IPv6Subnet("fd00:1::1/128") }, .invalidArgument, "subnet fd00:1::1/128 is too small"),
            (spec("multicast") { $0.subnet6 = IPv6Subnet("ff05::/64") }, .invalidArgument, "lies in the multicast (ff00::/8) block"),
            (spec("link-local") { $0.subnet6 = IPv6Subnet("fe80::/64") }, .invalidArgument, "lies in the link-local (fe80::/10) block"),
            (spec("mapped") { $0.subnet6 = IPv6Subnet("::ffff:0:0/96") }, .invalidArgument, "IPv4-mapped"),
            (spec("ipv6-off") { $0.subnet6 = IPv6Subnet("fd00:1::/64"); $0.ipv6 = false; $0.ipv4 = true },
             .invalidArgument, "IPv6 addressing given for a network without IPv6"),
            (spec("ipv6-off-gateway") { $0.gateway6 = IPv6Address("fd00:1::1"); $0.ipv6 = false; $0.ipv4 = true },
             .invalidArgument, "IPv6 addressing given for a network without IPv6"),
            (spec("ipv6-off-alone") { $0.subnet6 = IPv6Subnet("fd00:1::/64"); $0.ipv6 = false }, .invalidArgument, ""),
            (spec("no-family") { $0.ipv4 = false }, .invalidArgument, "a network needs IPv4 or IPv6"),
            (spec("no-family-at-all") { $0.ipv4 = false; $0.ipv6 = false }, .invalidArgument, "a network needs IPv4 or IPv6"),
            (spec("ipv4-off") { $0.ipv4 = false; $0.ipv6 = true; $0.subnet = IPv4Subnet("10.70.0.0/24") },
             .invalidArgument, "IPv4 addressing given for a network without IPv4"),
            (spec("overlap-wider") { $0.subnet6 = IPv6Subnet("fd00:88::/48") }, .conflict, "subnet fd00:88::/48 overlaps network 'web'"),
            (spec("overlap-inside") { $0.subnet6 = IPv6Subnet("fd00:88::100/120") }, .conflict, "overlaps network 'web'"),
            (spec("mtu") { $0.subnet = IPv4Subnet("10.71.0.0/24"); $0.ipv6 = true; $0.mtu = 1000 },
             .invalidArgument, "MTU 1000 is below IPv6's minimum of 1280"),
            (spec("range-outside") { $0.subnet6 = IPv6Subnet("fd00:1::/64"); $0.ipRange6 = IPv6Subnet("fd00:2::/120") },
             .invalidArgument, "ip range fd00:2::/120 is not inside subnet fd00:1::/64"),
            (spec("range-tiny") { $0.subnet6 = IPv6Subnet("fd00:1::/64"); $0.ipRange6 = IPv6Subnet("fd00:1::/127") },
             .invalidArgument, "ip range fd00:1::/127 is too small"),
            (spec("gateway-alone") { $0.gateway6 = IPv6Address("fd00:1::1") },
             .invalidArgument, "an IPv6 --gateway or --ip-range needs an IPv6 --subnet"),
        ]
        for (spec, kind, message) in refused {
            assertRefused(kind, mentioning: message, spec.name) { try harness.engine().createNetwork(spec) }
            try harness.assertUnchanged(since: before, spec.name)
        }
        XCTAssertEqual(harness.driver.script.count(.realize), realized, "no device was ever made")
    }

    /// The 1280 floor is IPv6's: an IPv4-only network may go lower.
    func testLowMTUIsFineWithoutIPv6() throws {
        let info = try harness.engine().createNetwork(NetworkSpec(name: "v4", subnet: IPv4Subnet("10.71.0.0/24"), mtu: 1000))
        XCTAssertEqual(info.mtu, 1000)
        XCTAssertNil(info.subnet6)
    }
}
