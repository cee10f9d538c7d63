@testable import BerthEngine
import BerthStore
import Synchronization
import XCTest

/// Detaching: the fast way (retire the link, release the records, delete it later), its undo
/// when the commit fails, the synchronous way, and the runtime's and `--all` variants.
final class DisconnectTests: EngineTestCase {
    /// An active endpoint whose link the driver can retire: retired, records released, and the
    /// deletion handed on (finishRetirement) — no synchronous link removal.
    func testDisconnectRetiresReleasesAndFinishes() throws {
        try harness.createNetwork("web")
        try harness.connect("c1", to: "web", ports: [port(8080)])

        try harness.engine().disconnect(network: "web", target: "c1", ifname: "eth0")

        XCTAssertEqual(steps(.retire, .finishRetirement, .removeLinks), [.retire, .finishRetirement])
        try harness.assertNoEndpointLeft()
        try harness.assertConsistent()
    }

    /// The release's commit fails (a full disk, here a trigger installed from another
    /// connection while the link is being retired): the link is put back, the record and its
    /// ports stay, and the firewall gets the ports it had just lost back.
    func testCommitFailureReinstatesTheLink() throws {
        try harness.createNetwork("web")
        let attachment = try harness.connect("c1", to: "web", ports: [port(8080)])
        let before = harness.driver.kernel
        let harness = self.harness!
        harness.driver.script.when(.retire) {
            try harness.execute("CREATE TRIGGER full BEFORE DELETE ON endpoints BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        }

        XCTAssertThrowsError(try harness.engine().disconnect(network: "web", target: "c1", ifname: "eth0")) {
            XCTAssertTrue("\($0)".contains("disk full"), "\($0)")
        }

        XCTAssertEqual(steps(.retire, .reinstate, .finishRetirement), [.retire, .reinstate])
        XCTAssertEqual(try harness.endpoints().map(\.state), [.active])
        XCTAssertEqual(try harness.ports().map(\.hostPort), [8080])
        XCTAssertEqual(harness.driver.kernel, before, "the link as it was, default route included")
        XCTAssertEqual(harness.driver.kernel.links[attachment.endpoint.hostIfname]?.name, "eth0")
        try harness.assertConsistent()
    }

    /// A link the driver cannot retire (the container end unreachable): marked `removing`, the
    /// link deleted, then the records released.
    func testDisconnectWithoutRetireRemovesSynchronously() throws {
        try harness.createNetwork("web")
        try harness.connect("c1", to: "web", ports: [port(8080)])
        harness.driver.canRetire(false)
        let harness = self.harness!
        let marked = Mutex<[EndpointState]>([])
        harness.driver.script.when(.removeLinks) {
            let states = try harness.endpoints().map(\.state)
            marked.withLock { $0 = states }
        }

        try harness.engine().disconnect(network: "web", target: "c1", ifname: "eth0")

        XCTAssertEqual(steps(.retire, .removeLinks, .finishRetirement), [.retire, .removeLinks])
        XCTAssertEqual(marked.withLock { $0 }, [.removing], "marked before its link went")
        try harness.assertNoEndpointLeft()
    }

    /// A container whose namespace is gone is found by the target it was connected with.
    func testDisconnectOfAGoneNamespaceFindsTheEndpointByTarget() throws {
        try harness.createNetwork("web")
        try harness.connect("c1", to: "web")
        harness.namespaces.kill("c1")

        try harness.engine().disconnect(network: "web", target: "c1", ifname: "eth0")

        try harness.assertNoEndpointLeft()
    }

    func testDisconnectOfAnUnknownInterfaceIsNotFound() throws {
        try harness.createNetwork("web")
        try harness.connect("c1", to: "web")
        assertRefused(.notFound) { try harness.engine().disconnect(network: "web", target: "c1", ifname: "eth1") }
        XCTAssertEqual(try harness.endpoints().count, 1)
    }

    /// A runtime's DEL: any number of times, also for a network or endpoint that is gone.
    func testDetachIsIdempotent() throws {
        try harness.createNetwork("web")
        try harness.connect("c1", to: "web")
        let engine = harness.engine()

        XCTAssertTrue(try engine.detach(network: "web", containerID: "c1", ifname: "eth0"))
        XCTAssertFalse(try engine.detach(network: "web", containerID: "c1", ifname: "eth0"))
        XCTAssertFalse(try harness.engine().detach(network: "gone", containerID: "c1", ifname: "eth0"))
        try harness.assertNoEndpointLeft()
    }

    /// `disconnect NETWORK --all`: every endpoint of that network, in one request, and none of
    /// another network's.
    func testDisconnectAllRemovesOnlyThatNetworksEndpoints() throws {
        try harness.createNetwork("web")
        try harness.createNetwork("db", subnet: "10.89.0.0/24")
        try harness.connect("c1", to: "web", ports: [port(8080)])
        try harness.connect("c2", to: "web")
        let kept = try harness.connect("c3", to: "db", ports: [port(5432)])

        XCTAssertEqual(try harness.engine().disconnectAll(network: "web"), 2)

        XCTAssertEqual(harness.driver.script.count(.removeLinks), 1, "one request for the network")
        XCTAssertEqual(try harness.endpoints().map(\.id), [kept.endpoint.id])
        XCTAssertEqual(Array(harness.driver.kernel.links.keys), [kept.endpoint.hostIfname])
        XCTAssertEqual(try harness.ports().map(\.hostPort), [5432])
        try harness.assertConsistent()
    }

    /// The driver's calls among `steps`, in order.
    private func steps(_ steps: FakeNetworkDriver.Step...) -> [FakeNetworkDriver.Step] {
        harness.driver.script.calls.filter(steps.contains)
    }
}
