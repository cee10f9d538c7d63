@testable import BerthEngine
import BerthAddress
import BerthStore
import BerthTestSupport
import XCTest

/// A runtime's definition of an existing network must agree with it on IPv6 too: an unstated
/// property agrees with anything, a stated one must match.
final class IPv6AgreementTests: IPv6EngineTestCase {
    private let dual = Fixtures.network6("web", subnet6: "fd00:88::/64", subnet: "10.88.0.0/24")

    private func spec(_ change: (inout NetworkSpec) -> Void) -> NetworkSpec {
        var spec = NetworkSpec(name: "web")
        change(&spec)
        return spec
    }

    func testAgreeingSpecsPass() throws {
        let agreeing = [
            spec { _ in },
            spec { $0.ipv6 = true },
            spec { $0.ipv4 = true; $0.ipv6 = true },
            spec { $0.subnet6 = IPv6Subnet("fd00:88::/64"); $0.gateway6 = IPv6Address("fd00:88::1") },
            spec { $0.subnet = IPv4Subnet("10.88.0.0/24"); $0.subnet6 = IPv6Subnet("fd00:88::/64") },
        ]
        for spec in agreeing { try Engine.checkAgreement(dual, spec) }
    }

    func testDifferencesAreConfigurationErrors() {
        var v4 = Fixtures.network("old")
        v4.name = "web"
        let cases: [(NetworkRecord, NetworkSpec, String)] = [
            (dual, spec { $0.subnet6 = IPv6Subnet("fd00:99::/64") },
             "network 'web' exists with IPv6 subnet fd00:88::/64, the configuration asks for fd00:99::/64"),
            (dual, spec { $0.ipv6 = false }, "network 'web' exists with IPv6 on, the configuration asks for off"),
            (dual, spec { $0.ipv4 = false }, "network 'web' exists with IPv4 on, the configuration asks for off"),
            (dual, spec { $0.gateway6 = IPv6Address("fd00:88::fe") },
             "network 'web' exists with IPv6 gateway fd00:88::1, the configuration asks for fd00:88::fe"),
            (dual, spec { $0.ipRange6 = IPv6Subnet("fd00:88::/120") },
             "network 'web' exists with IPv6 range (whole subnet), the configuration asks for fd00:88::/120"),
            (dual, spec { $0.masquerade6 = false }, "network 'web' exists with IPv6 NAT true, the configuration asks for false"),
            (v4, spec { $0.ipv6 = true }, "network 'web' exists with IPv6 off, the configuration asks for on"),
            (v4, spec { $0.subnet6 = IPv6Subnet("fd00:88::/64") },
             "network 'web' exists with IPv6 subnet none, the configuration asks for fd00:88::/64"),
        ]
        for (network, spec, message) in cases {
            assertRefused(.configuration, mentioning: message) { try Engine.checkAgreement(network, spec) }
        }
    }

    /// Through a runtime's ADD: the existing network is kept as it is, and the request refused.
    func testDisagreeingDefinitionIsRefusedWithNothingChanged() throws {
        try harness.createNetwork6("web", subnet6: "fd00:88::/64")
        let before = try harness.state()

        for (name, change) in [("another IPv6 subnet", { (spec: inout NetworkSpec) in spec.subnet6 = IPv6Subnet("fd00:99::/64") }),
                               ("no IPv6", { (spec: inout NetworkSpec) in spec.ipv6 = false })] {
            let request = ConnectRequest(network: .defined(spec(change)), target: .path("/run/netns/c1"), containerID: "ctr",
                                         frontEnd: .cni)
            assertRefused(.configuration, mentioning: "network 'web' exists with IPv6", name) { try harness.engine().connect(request) }
            try harness.assertUnchanged(since: before, name)
        }
    }
}
