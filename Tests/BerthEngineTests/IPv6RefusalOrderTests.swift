@testable import BerthEngine
import BerthAddress
import XCTest

/// Refusals that must name the right cause and touch nothing: IPv6 addressing with IPv6 off,
/// and a static IPv6 address checked before the container's interface is made.
final class IPv6RefusalOrderTests: IPv6EngineTestCase {
    /// `--subnet fd00:1::/64 --ipv6=false` (no --ipv4 flag) should be refused for its IPv6
    /// addressing, not told that "--ipv4=false needs --ipv6".
    func testIPv6AddressingWithIPv6OffNamesTheIPv6Addressing() throws {
        var spec = NetworkSpec(name: "x")
        spec.subnet6 = IPv6Subnet("fd00:1::/64")
        spec.ipv6 = false
        assertRefused(.invalidArgument, mentioning: "IPv6 addressing given for a network without IPv6") {
            try harness.engine().createNetwork(spec)
        }
    }

    /// A static IPv6 address, like a static IPv4 one, must be checked against the network before
    /// the container's interface is made.
    func testRefusedStaticIPv6AddressMakesNoInterface() throws {
        try harness.createNetwork("v4")
        try harness.createNetwork6("dual", subnet6: "fd00:88::/64", subnet: "10.89.0.0/24")
        assertRefused(.invalidArgument, mentioning: "--ip6") { try harness.connect("c1", to: "v4", address6: "fd00:88::5") }
        assertRefused(.invalidArgument, mentioning: "not in subnet") { try harness.connect("c1", to: "dual", address6: "fd00:99::5") }
        XCTAssertEqual(harness.driver.script.count(.plug), 0, "an interface was made for a request the network refuses")
        XCTAssertEqual(harness.driver.script.count(.unplug), 0)
    }
}
