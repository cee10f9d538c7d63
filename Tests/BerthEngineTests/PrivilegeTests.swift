@testable import BerthEngine
import XCTest

/// Without CAP_NET_ADMIN every call that changes the network is refused before it changes
/// anything: the store, the kernel and the firewall stay as they were, and no driver is asked.
final class PrivilegeTests: EngineTestCase {
    func testEveryMutatingCallNeedsNetAdmin() throws {
        try harness.createNetwork("web")
        try harness.createNetwork("idle", subnet: "10.89.0.0/24")
        try harness.connect("c1", to: "web", ports: [port(8080)])
        let before = try state()
        harness.setNetAdmin(false)

        let calls: [(String, (Engine) throws -> Void)] = [
            ("connect", { _ = try $0.connect(ConnectRequest(network: .named("web"), target: .user("c2"))) }),
            ("connect (new network)", { _ = try $0.connect(ConnectRequest(network: .named(NetworkSpec.defaultNetworkName), target: .user("c2"))) }),
            ("disconnect", { try $0.disconnect(network: "web", target: "c1", ifname: "eth0") }),
            ("disconnect --all", { _ = try $0.disconnectAll(network: "web") }),
            ("detach", { _ = try $0.detach(network: "web", containerID: "c1", ifname: "eth0") }),
            ("release", { _ = try $0.releaseAttachments(network: "web", except: []) }),
            ("network create", { _ = try $0.createNetwork(NetworkSpec(name: "new")) }),
            ("network rm", { try $0.removeNetworks(["web"], force: true) }),
            ("network prune", { _ = try $0.pruneNetworks() }),
            ("gc", { _ = try $0.collectGarbage(dryRun: false) }),
            ("firewall reload", { try $0.reloadFirewall() }),
        ]
        for (name, call) in calls {
            assertRefused(.permissionDenied, name) { try call(harness.engine()) }
            XCTAssertEqual(try state(), before, "\(name) changed something")
        }
    }

    /// Everything a call could change, and every call the fakes saw.
    private struct Snapshot: Equatable {
        let networks: Set<String>
        let endpoints: [String]
        let ports: Int
        let kernel: FakeKernel
        let rules: FakeFirewall.Rules
        let driverCalls: Int
        let firewallCalls: Int
    }

    private func state() throws -> Snapshot {
        Snapshot(networks: try harness.networkNames(), endpoints: try harness.endpoints().map(\.id),
                 ports: try harness.ports().count, kernel: harness.driver.kernel, rules: harness.nftables.rules,
                 driverCalls: harness.driver.script.calls.count,
                 firewallCalls: harness.nftables.script.calls.count + harness.noFirewall.script.calls.count)
    }
}
