@testable import BerthEngine
import BerthAddress
import BerthStore
import BerthTestSupport
import XCTest

/// `berth gc`: endpoints a crashed command left half-way, endpoints whose containers died, and
/// a firewall that lost its rules.
final class GarbageCollectionTests: EngineTestCase {
    /// A `creating` record (a connect that died) is rolled back and a `removing` one (a
    /// disconnect that died) finished: both records and their links go; an active one stays.
    func testHalfDoneEndpointsAreRolledBackAndFinished() throws {
        let web = try harness.createNetwork("web")
        let kept = try harness.connect("c1", to: "web")
        let store = try harness.store()
        for (inode, state) in [(UInt64(50), EndpointState.creating), (51, .removing)] {
            let e = Fixtures.endpoint("web", address: "10.88.0.\(inode)", containerID: "dead-\(state)",
                                      netns: (FakeNamespaces.device, inode), state: state)
            try store.insertEndpoint(e)
            harness.driver.changeKernel {
                $0.links[e.hostIfname] = FakeKernel.Link(endpointID: e.id, device: web.device, networkID: web.id, state: .present,
                                                         namespace: NamespaceKey(device: e.netnsDevice, inode: e.netnsInode),
                                                         name: e.ifname, mac: e.mac)
            }
        }

        let actions = try harness.engine().collectGarbage(dryRun: false)

        XCTAssertEqual(actions.filter { $0.kind == "endpoint" }.count, 2, "\(actions)")
        XCTAssertEqual(try harness.endpoints().map(\.id), [kept.endpoint.id])
        try harness.assertConsistent()
    }

    /// A container that died took its link with it: its lease and ports are released.
    func testEndpointsWhoseLinkIsGoneAreReleased() throws {
        try harness.createNetwork("web")
        let dead = try harness.connect("c1", to: "web", ports: [port(8080)])
        let alive = try harness.connect("c2", to: "web", ports: [port(9090)])
        harness.driver.changeKernel { $0.deleteLink(dead.endpoint.hostIfname) }

        _ = try harness.engine().collectGarbage(dryRun: false)

        XCTAssertEqual(try harness.endpoints().map(\.id), [alive.endpoint.id])
        XCTAssertEqual(try harness.ports().map(\.hostPort), [9090])
        try harness.assertConsistent()
    }

    /// A flushed firewall is rendered again from the store.
    func testFirewallIsRenderedAgain() throws {
        try harness.createNetwork("web")
        try harness.connect("c1", to: "web", ports: [port(8080)])
        try harness.nftables.synchronize([], ports: [])   // `nft flush ruleset`

        _ = try harness.engine().collectGarbage(dryRun: false)

        XCTAssertEqual(harness.nftables.networkNames, ["web"])
        XCTAssertEqual(harness.nftables.rules.ports.map(\.hostPort), [8080])
        try harness.assertConsistent()
    }

    /// A dry run reports and changes nothing.
    func testDryRunChangesNothing() throws {
        try harness.createNetwork("web")
        let dead = try harness.connect("c1", to: "web")
        harness.driver.changeKernel { $0.deleteLink(dead.endpoint.hostIfname) }
        let kernel = harness.driver.kernel, renders = harness.nftables.rules.renders

        let actions = try harness.engine().collectGarbage(dryRun: true)

        XCTAssertEqual(actions.count, 1, "\(actions)")
        XCTAssertEqual(try harness.endpoints().map(\.id), [dead.endpoint.id])
        XCTAssertEqual(harness.driver.kernel, kernel)
        XCTAssertEqual(harness.nftables.rules.renders, renders)
    }
}
